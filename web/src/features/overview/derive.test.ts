import { describe, expect, it } from "vitest";
import { describeHours, hourRows, totalEvents, withAuditEntry } from "./derive";
import type { AuditEntry } from "../audit/types";
import type { EventSummary } from "./types";

function entry(seq: number): AuditEntry {
  return {
    seq,
    time: new Date(seq * 1000).toISOString(),
    time_ms: seq * 1000,
    actor: "admin",
    action: "auth.login",
    target: "user:1",
    source_address: "127.0.0.1",
    outcome: "success",
    details: {},
  };
}

const summary: EventSummary = {
  since: "2026-11-25T00:00:00.000Z",
  bucket_s: 3600,
  buckets: [
    { start: "2026-11-25T00:00:00.000Z", count: 3 },
    { start: "2026-11-25T01:00:00.000Z", count: 1200 },
    { start: "2026-11-25T02:00:00.000Z", count: 0 },
  ],
  by_type: [],
  top_agents: [],
};

describe("events summary", () => {
  it("totals every bucket and names the busiest hour in the text alternative", () => {
    const rows = hourRows(summary);
    expect(totalEvents(summary)).toBe(1203);
    expect(rows.map((row) => row.count)).toEqual([3, 1200, 0]);
    const text = describeHours(rows);
    expect(text).toContain("1,203 events in the last 3 hours");
    expect(text).toContain(`began at ${rows[1]!.label} with 1,200`);
  });

  it("says plainly when there were no events", () => {
    const quiet = { ...summary, buckets: summary.buckets.map((b) => ({ ...b, count: 0 })) };
    expect(describeHours(hourRows(quiet))).toBe("No events in the last 3 hours.");
  });

  it("labels hours in the viewer's time zone as HH:MM", () => {
    for (const row of hourRows(summary)) expect(row.label).toMatch(/^\d\d:\d\d$/);
  });
});

describe("latest audit list", () => {
  it("puts a streamed entry first and keeps the newest `limit`", () => {
    const list = [entry(5), entry(4), entry(3)];
    expect(withAuditEntry(list, entry(6), 3).map((e) => e.seq)).toEqual([6, 5, 4]);
  });

  it("ignores an entry it already shows (the stream and a refetch can both deliver it)", () => {
    const list = [entry(5), entry(4)];
    expect(withAuditEntry(list, entry(5), 10)).toBe(list);
  });

  it("keeps newest first when an entry arrives out of order", () => {
    expect(withAuditEntry([entry(9), entry(7)], entry(8), 10).map((e) => e.seq)).toEqual([9, 8, 7]);
  });
});
