import { describe, expect, it } from "vitest";
import { certificateValidity } from "./validity";

const now = Date.parse("2026-11-25T12:00:00Z");

describe("certificateValidity", () => {
  it("is ok far from the end", () => {
    expect(certificateValidity("2026-01-01T00:00:00Z", "2027-11-25T12:00:00Z", now)).toEqual({
      tone: "ok",
      text: "Valid for 365 more days",
    });
  });

  it("warns within 30 days of the end", () => {
    expect(certificateValidity("2026-01-01T00:00:00Z", "2026-12-07T13:00:00Z", now)).toEqual({
      tone: "warn",
      text: "Expires in 12 days",
    });
    expect(certificateValidity("2026-01-01T00:00:00Z", "2026-11-26T11:00:00Z", now).text).toBe("Expires today");
  });

  it("is bad when expired, not yet valid, or unreadable", () => {
    expect(certificateValidity("2025-01-01T00:00:00Z", "2026-11-22T11:00:00Z", now)).toEqual({
      tone: "bad",
      text: "Expired 3 days ago",
    });
    expect(certificateValidity("2026-12-01T00:00:00Z", "2027-12-01T00:00:00Z", now).text).toBe("Not valid yet");
    expect(certificateValidity("", "x", now).tone).toBe("bad");
  });
});
