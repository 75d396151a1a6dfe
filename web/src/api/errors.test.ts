import { describe, expect, it } from "vitest";
import { ApiError, describeError, errorFromResponse, fieldError } from "./errors";

describe("errorFromResponse", () => {
  it("keeps the server's code, message and field", () => {
    const error = errorFromResponse(
      400,
      JSON.stringify({ error: { code: "invalid_argument", message: "too short", field: "password" } }),
    );
    expect(error).toBeInstanceOf(ApiError);
    expect(error.code).toBe("invalid_argument");
    expect(fieldError(error, "password")).toBe("too short");
    expect(fieldError(error, "username")).toBeUndefined();
  });

  it("never shows a non-JSON body to a person", () => {
    const error = errorFromResponse(502, "<html><body>Bad gateway</body></html>");
    expect(error.message).toBe("The server had a problem. Please try again.");
    expect(describeError(error)).not.toContain("<html>");
  });
});
