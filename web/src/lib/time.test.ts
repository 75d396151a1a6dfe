import { describe, expect, it } from "vitest";
import { formatAgo, localTimeMs, toDate } from "./time";

describe("time", () => {
  it("reads epoch milliseconds and ISO strings alike", () => {
    expect(toDate(1_700_000_000_000)?.toISOString()).toBe("2023-11-14T22:13:20.000Z");
    expect(toDate("2023-11-14T22:13:20Z")?.getTime()).toBe(1_700_000_000_000);
    expect(toDate("not a date")).toBeNull();
  });

  it("says how long ago in words", () => {
    const now = Date.parse("2026-11-25T12:00:00Z");
    expect(formatAgo("2026-11-25T11:59:50Z", now)).toBe("just now");
    expect(formatAgo("2026-11-25T11:50:00Z", now)).toBe("10 min ago");
    expect(formatAgo("2026-11-25T09:00:00Z", now)).toBe("3 h ago");
    expect(formatAgo(null, now)).toBe("never");
  });

  it("reads a datetime-local value in the viewer's time zone; nothing or nonsense is null", () => {
    expect(localTimeMs("2026-11-25T21:30")).toBe(new Date(2026, 10, 25, 21, 30).getTime());
    expect(localTimeMs("")).toBeNull();
    expect(localTimeMs("nonsense")).toBeNull();
  });
});
