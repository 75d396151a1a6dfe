import { describe, expect, it } from "vitest";
import { confirmationError } from "./passwordForm";

describe("confirmationError", () => {
  it("accepts a matching confirmation", () => {
    expect(confirmationError("Long-Password-123", "Long-Password-123")).toBeUndefined();
  });

  it("asks for a missing or different confirmation", () => {
    expect(confirmationError("Long-Password-123", "")).toBe("Type the new password again.");
    expect(confirmationError("Long-Password-123", "Long-Password-124")).toBe("The two new passwords differ.");
  });
});
