import { describe, expect, it } from "vitest";
import { firewallStatus as row } from "../firewall/testStatus";
import type { Block } from "../firewall/types";
import { activeBlocks, syncCounts } from "./firewallSummary";

const now = Date.parse("2026-11-26T12:00:00Z");

const block = (id: number, expiresAt: string, overrides: Partial<Block> = {}): Block => ({
  id,
  address: `203.0.113.${id}`,
  scope: "all",
  agent_id: null,
  group: null,
  reason: "brute force",
  requested_by: "admin",
  rule_id: null,
  alert_id: null,
  offence: 1,
  requested_duration_s: 3600,
  duration_s: 3600,
  started_at: "2026-11-26T11:30:00Z",
  expires_at: expiresAt,
  active: true,
  remaining_s: 600,
  removed_at: null,
  removed_by: null,
  ...overrides,
});


describe("active blocks on the overview", () => {
  it("counts the page's active blocks and those beyond it, and keeps the newest few", () => {
    const items = [
      block(5, "2026-11-26T12:30:00Z"),
      block(4, "2026-11-26T12:20:00Z"),
      block(3, "2026-11-26T12:10:00Z"),
    ];
    const summary = activeBlocks({ items, total: 10 }, now, 2);
    expect(summary.count).toBe(10);
    expect(summary.newest.map((b) => b.id)).toEqual([5, 4]);
  });

  it("drops blocks that expired or were lifted since the answer", () => {
    const items = [
      block(5, "2026-11-26T11:59:59Z"),
      block(4, "2026-11-26T12:20:00Z", { removed_at: "2026-11-26T11:50:00Z" }),
      block(3, "2026-11-26T12:10:00Z"),
    ];
    const summary = activeBlocks({ items, total: 3 }, now, 3);
    expect(summary.count).toBe(1);
    expect(summary.newest.map((b) => b.id)).toEqual([3]);
  });

  it("says 0 for an empty page", () => {
    expect(activeBlocks({ items: [], total: 0 }, now, 3)).toEqual({ count: 0, newest: [] });
  });
});

describe("the fleet's firewall policy state", () => {
  it("counts agents per state, worst first, leaving out states no agent is in", () => {
    const rows = [
      row("a"),
      row("b", { in_sync: false, confirmed: false, version: 4 }),
      row("c"),
      row("d", { in_sync: false }),
      row("e"),
      row("f", { in_sync: false, confirmed: false, version: 4 }),
    ];
    expect(syncCounts(rows)).toEqual([
      { label: "Out of sync", tone: "bad", count: 1 },
      { label: "Unconfirmed", tone: "warn", count: 2 },
      { label: "In sync", tone: "ok", count: 3 },
    ]);
  });

  it("lists agents without a policy last, and nothing for no agents", () => {
    expect(syncCounts([row("a", { effective: null, in_sync: false }), row("b")])).toEqual([
      { label: "In sync", tone: "ok", count: 1 },
      { label: "No policy assigned", tone: "neutral", count: 1 },
    ]);
    expect(syncCounts([])).toEqual([]);
  });
});
