import { describe, expect, it } from "vitest";
import { formatExpiry, formatSeconds, parseDuration, remainingSeconds } from "./duration";

describe("typed durations", () => {
  it("reads what sentinelctl firewall block --duration reads, and combinations", () => {
    expect(parseDuration("600")).toBe(600);
    expect(parseDuration("90s")).toBe(90);
    expect(parseDuration("10m")).toBe(600);
    expect(parseDuration("2h")).toBe(7200);
    expect(parseDuration("7d")).toBe(604_800);
    expect(parseDuration(" 1h 30m ")).toBe(5400);
    expect(parseDuration("1h30m15s")).toBe(5415);
    expect(parseDuration("10 M")).toBe(600);
  });

  it("refuses what it cannot read unambiguously", () => {
    for (const text of ["", "ten minutes", "10x", "1.5h", "-5m", "30m 1h", "1h 1h", "1h 30", "m", "10mx"]) {
      expect(parseDuration(text), text).toBeNull();
    }
  });
});

describe("lengths and countdowns", () => {
  it("writes the two largest units", () => {
    expect(formatSeconds(0)).toBe("0 s");
    expect(formatSeconds(45)).toBe("45 s");
    expect(formatSeconds(598)).toBe("9 min 58 s");
    expect(formatSeconds(3600)).toBe("1 h");
    expect(formatSeconds(5415)).toBe("1 h 30 min");
    expect(formatSeconds(604_800)).toBe("7 d");
    expect(formatSeconds(90_061)).toBe("1 d 1 h");
  });

  it("counts down to an expiry and says when it passed", () => {
    const now = Date.parse("2026-11-26T10:00:00.000Z");
    expect(remainingSeconds("2026-11-26T10:09:58.000Z", now)).toBe(598);
    expect(remainingSeconds("2026-11-26T10:00:00.200Z", now)).toBe(1);
    expect(formatExpiry("2026-11-26T10:09:58.000Z", now)).toBe("in 9 min 58 s");
    expect(formatExpiry("2026-11-26T09:59:59.000Z", now)).toBe("expired");
    expect(formatExpiry("not a time", now)).toBe("expired");
    // The page's clock a second behind the server's: no more than the block's length.
    expect(formatExpiry("2026-11-26T10:10:01.000Z", now, 600)).toBe("in 10 min");
  });
});
