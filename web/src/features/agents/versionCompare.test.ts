import { describe, expect, it } from "vitest";
import { compareVersions } from "./versionCompare";

const sign = (a: string, b: string) => Math.sign(compareVersions(a, b));

describe("compareVersions (dpkg order)", () => {
  it("compares numbers by value, not as text", () => {
    expect(sign("3.0.13", "3.0.11")).toBe(1);
    expect(sign("1.10", "1.9")).toBe(1);
    expect(sign("1.01", "1.1")).toBe(0);
  });

  it("puts ~ before everything, even the end of the version", () => {
    expect(sign("1.0~rc1", "1.0")).toBe(-1);
    expect(sign("1.0~rc1", "1.0~rc2")).toBe(-1);
    expect(sign("3.0.11-1~deb12u2", "3.0.11-1")).toBe(-1);
  });

  it("lets the epoch win and compares the revision last", () => {
    expect(sign("1:1.0", "9.9")).toBe(1);
    expect(sign("2.0-1", "2.0-2")).toBe(-1);
    expect(sign("2.0-10", "2.0-9")).toBe(1);
    expect(sign("1.0a", "1.0")).toBe(1);
    expect(sign("1.0+b1", "1.0a")).toBe(1); // non-letters sort after letters
  });
});
