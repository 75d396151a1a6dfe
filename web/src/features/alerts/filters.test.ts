import { describe, expect, it } from "vitest";
import {
  alertQuery,
  alertQueryString,
  defaultFilters,
  matchesQuery,
  patchPage,
  readFilters,
  writeFilters,
  type AlertQuery,
} from "./filters";
import type { Alert, AlertPage } from "./types";

const alert = (id: number, overrides: Partial<Alert> = {}): Alert => ({
  id,
  rule_id: "5b0c1c1e-3f6a-4e0b-9a51-2f0d6c1a7a03",
  rule_title: "SSH brute force from one address",
  severity: "high",
  status: "new",
  agent_id: "agent-1",
  hostname: "web-1",
  entity: "source.ip=203.0.113.9",
  summary: "5 failed SSH logins from 203.0.113.9",
  tags: ["attack.t1110.001"],
  count: 5,
  first_seen: new Date(1_795_644_000_000 + id * 1000).toISOString(),
  last_seen: new Date(1_795_644_000_000 + id * 1000).toISOString(),
  assignee: null,
  comment_count: 0,
  ...overrides,
});

const page = (...items: Alert[]): AlertPage => ({ items, total: items.length });
const open: AlertQuery = alertQuery(defaultFilters, 3);

describe("filters in the URL", () => {
  it("shows open alerts when the URL says nothing, and writes nothing for that", () => {
    const filters = readFilters(new URLSearchParams(""));
    expect(filters.status).toEqual(["new", "acknowledged"]);
    expect(writeFilters(filters).toString()).toBe("");
  });

  it("round-trips every filter", () => {
    const text = "status=resolved%2Cfalse_positive&severity=high&agent=agent-1&q=ssh+root&offset=50";
    const filters = readFilters(new URLSearchParams(text));
    expect(filters).toEqual({
      status: ["resolved", "false_positive"],
      severity: "high",
      agent: "agent-1",
      q: "ssh root",
      offset: 50,
    });
    expect(writeFilters(filters).toString()).toBe(text);
  });

  it("writes status=all when every status (or none) is chosen, and reads it back as all four", () => {
    expect(writeFilters({ ...defaultFilters, status: [] }).get("status")).toBe("all");
    expect(readFilters(new URLSearchParams("status=all")).status).toHaveLength(4);
    expect(alertQueryString(alertQuery(readFilters(new URLSearchParams("status=all")), 50))).toBe("limit=50");
  });

  it("drops values the server would refuse", () => {
    const filters = readFilters(new URLSearchParams("status=bogus&severity=extreme&offset=-4"));
    expect(filters).toEqual(defaultFilters);
  });

  it("asks the server in its own terms", () => {
    const query = alertQuery({ ...defaultFilters, severity: "medium", q: " brute " }, 50);
    expect(alertQueryString(query)).toBe("status=new%2Cacknowledged&severity=medium&q=brute&limit=50");
    // "At least informational" is everything.
    expect(alertQuery({ ...defaultFilters, severity: "informational" }, 50).severity).toBe("");
  });
});

describe("matchesQuery", () => {
  it("applies status, minimum severity, agent and text like the server", () => {
    expect(matchesQuery(alert(1), open)).toBe(true);
    expect(matchesQuery(alert(1, { status: "resolved" }), open)).toBe(false);
    expect(matchesQuery(alert(1, { severity: "low" }), { ...open, severity: "medium" })).toBe(false);
    expect(matchesQuery(alert(1, { severity: "critical" }), { ...open, severity: "high" })).toBe(true);
    expect(matchesQuery(alert(1), { ...open, agent: "agent-2" })).toBe(false);
    expect(matchesQuery(alert(1), { ...open, q: "203.0.113" })).toBe(true);
    expect(matchesQuery(alert(1), { ...open, q: "BRUTE" })).toBe(true);
    expect(matchesQuery(alert(1), { ...open, q: "sudo" })).toBe(false);
  });
});

describe("patchPage", () => {
  it("puts a created alert on top and counts it, keeping the page size", () => {
    const result = patchPage(page(alert(3), alert(2), alert(1)), alert(4), "created", open);
    expect(result.page.items.map((a) => a.id)).toEqual([4, 3, 2]);
    expect(result.page.total).toBe(4);
    expect(result.stale).toBe(false);
  });

  it("ignores a created alert the filters exclude", () => {
    const before = page(alert(1));
    const result = patchPage(before, alert(2, { severity: "low" }), "created", { ...open, severity: "high" });
    expect(result.page).toBe(before);
    expect(result.stale).toBe(false);
  });

  it("moves an updated alert to its new place (a new match raised last_seen)", () => {
    const later = new Date(1_795_644_000_000 + 10_000).toISOString();
    const result = patchPage(page(alert(3), alert(2), alert(1)), alert(1, { count: 9, last_seen: later }), "updated", open);
    expect(result.page.items.map((a) => [a.id, a.count])).toEqual([[1, 9], [3, 5], [2, 5]]);
    expect(result.page.total).toBe(3);
    expect(result.stale).toBe(false);
  });

  it("removes an alert that no longer matches (resolved while showing open alerts)", () => {
    const result = patchPage(page(alert(2), alert(1)), alert(2, { status: "resolved" }), "updated", open);
    expect(result.page.items.map((a) => a.id)).toEqual([1]);
    expect(result.page.total).toBe(1);
    expect(result.stale).toBe(false);
  });

  it("asks again when a removal leaves a full page short", () => {
    const full: AlertPage = { items: [alert(3), alert(2), alert(1)], total: 10 };
    const result = patchPage(full, alert(3, { status: "resolved" }), "updated", open);
    expect(result.page.total).toBe(9);
    expect(result.stale).toBe(true);
  });

  it("shows an updated alert from elsewhere but asks again for the total", () => {
    const result = patchPage(page(alert(2)), alert(1, { last_seen: new Date(1_795_644_100_000).toISOString() }), "updated", open);
    expect(result.page.items.map((a) => a.id)).toEqual([1, 2]);
    expect(result.stale).toBe(true);
  });

  it("does not add a created alert twice (the fetch already had it)", () => {
    const result = patchPage(page(alert(2), alert(1)), alert(2), "created", open);
    expect(result.page.items.map((a) => a.id)).toEqual([2, 1]);
    expect(result.page.total).toBe(2);
  });

  it("leaves later pages to the server", () => {
    const result = patchPage(page(alert(1)), alert(5), "created", { ...open, offset: 50 });
    expect(result.stale).toBe(true);
    expect(result.page.items.map((a) => a.id)).toEqual([1]);
  });
});
