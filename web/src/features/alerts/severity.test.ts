import { describe, expect, it } from "vitest";
import { atLeast, countsBySeverity, severityLabel, severityRank } from "./severity";

describe("severity", () => {
  it("orders the rule levels", () => {
    expect(severityRank("critical")).toBeGreaterThan(severityRank("high"));
    expect(severityRank("informational")).toBe(0);
    expect(severityRank("bogus")).toBe(-1);
  });

  it("filters by minimum like the server", () => {
    expect(atLeast("high", "medium")).toBe(true);
    expect(atLeast("low", "medium")).toBe(false);
    expect(atLeast("low", "")).toBe(true);
  });

  it("turns 'at least' totals into counts per severity", () => {
    // informational+ 10, low+ 9, medium+ 6, high+ 4, critical 1
    expect(countsBySeverity([10, 9, 6, 4, 1])).toEqual({ informational: 1, low: 3, medium: 2, high: 3, critical: 1 });
  });

  it("never counts below zero when an alert changed between the queries", () => {
    expect(countsBySeverity([3, 4, 0, 0, 0]).informational).toBe(0);
  });

  it("labels for people", () => {
    expect(severityLabel("informational")).toBe("Informational");
  });
});
