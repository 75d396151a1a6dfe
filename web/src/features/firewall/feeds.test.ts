import { describe, expect, it } from "vitest";
import {
  feedBody,
  feedFields,
  feedForm,
  fetchOutcome,
  intervalText,
  networksText,
  nextFetchText,
  problemText,
  refetchDelay,
  refreshSummary,
  skippedText,
} from "./feeds";
import type { Feed, FeedRefresh } from "./types";

const feed = (overrides: Partial<Feed> = {}): Feed => ({
  name: "abuse",
  source: "https://feeds.example.org/list.txt",
  format: "plain",
  column: "",
  refresh_s: 3600,
  enabled: true,
  description: "",
  created_at: "2026-11-27T10:00:00.000Z",
  created_by: "admin",
  updated_at: "2026-11-27T10:00:00.000Z",
  updated_by: "admin",
  next_fetch_at: "2026-11-27T11:00:00.000Z",
  last_fetch_at: "2026-11-27T10:00:00.000Z",
  last_success_at: "2026-11-27T10:00:00.000Z",
  entries: 3,
  bad_lines: 0,
  problems: [],
  last_error: null,
  ...overrides,
});

const at = (iso: string) => Date.parse(iso);

describe("a feed in words", () => {
  it("counts networks and skipped lines", () => {
    expect(networksText(0)).toBe("no networks");
    expect(networksText(1)).toBe("1 network");
    expect(networksText(12_345)).toBe("12,345 networks");
    expect(skippedText(0)).toBeNull();
    expect(skippedText(2)).toBe("2 skipped");
  });

  it("says how the last fetch went, worst first", () => {
    expect(fetchOutcome(feed({ last_fetch_at: null, last_success_at: null, entries: 0 }))).toEqual({ label: "Not fetched yet", tone: "neutral" });
    expect(fetchOutcome(feed())).toEqual({ label: "Fetched", tone: "ok" });
    expect(fetchOutcome(feed({ bad_lines: 2 }))).toEqual({ label: "Fetched", tone: "warn" });
    expect(fetchOutcome(feed({ bad_lines: 2, last_error: "connection refused" }))).toEqual({ label: "Failed", tone: "bad" });
  });

  it("says when the next fetch is due", () => {
    expect(nextFetchText(feed(), at("2026-11-27T10:50:30.000Z"))).toBe("in 9 min 30 s");
    expect(nextFetchText(feed(), at("2026-11-27T11:00:01.000Z"))).toBe("due now");
    expect(nextFetchText(feed({ enabled: false, next_fetch_at: null }), at("2026-11-27T10:00:00.000Z"))).toBe("disabled");
  });

  it("names the line of a skipped line, not of a network the allow-list left out", () => {
    expect(problemText({ line: 3, message: "not an address: 'x'" })).toBe("line 3: not an address: 'x'");
    expect(problemText({ message: "'127.0.0.1' overlaps loopback: left out" })).toBe("'127.0.0.1' overlaps loopback: left out");
  });
});

describe("a refresh's outcome", () => {
  const outcome = (overrides: Partial<FeedRefresh>): FeedRefresh => ({
    ok: true,
    entries: 3,
    bad_lines: 0,
    problems: [],
    changed: false,
    agents: [],
    feed: feed(),
    ...overrides,
  });

  it("sums up a fetch that worked", () => {
    expect(refreshSummary("abuse", outcome({}))).toEqual({ text: "Feed abuse fetched: 3 networks, unchanged.", ok: true });
    expect(refreshSummary("abuse", outcome({ bad_lines: 1, changed: true }))).toEqual({
      text: "Feed abuse fetched: 3 networks, 1 skipped; changed.",
      ok: true,
    });
    expect(refreshSummary("abuse", outcome({ entries: 1, changed: true, agents: ["a1", "a2"] })).text).toBe(
      "Feed abuse fetched: 1 network; applied again on 2 agents.",
    );
  });

  it("says that a failed fetch keeps the previous networks", () => {
    expect(refreshSummary("abuse", outcome({ ok: false, error: "HTTP 404" }))).toEqual({
      text: "Feed abuse could not be fetched: HTTP 404. The previous 3 networks stay.",
      ok: false,
    });
    expect(refreshSummary("abuse", outcome({ ok: false, error: "HTTP 404", entries: 0 })).text).toBe(
      "Feed abuse could not be fetched: HTTP 404.",
    );
  });
});

describe("fetching the list again", () => {
  const now = at("2026-11-27T10:50:00.000Z");
  it("waits for the earliest enabled feed to be due", () => {
    const later = feed({ name: "later", next_fetch_at: "2026-11-27T12:00:00.000Z" });
    const off = feed({ name: "off", enabled: false, next_fetch_at: null });
    expect(refetchDelay([later, feed(), off], now)).toBe(10 * 60_000 + 10_000);
  });

  it("never asks more often than the floor, and not at all without due feeds", () => {
    expect(refetchDelay([feed({ next_fetch_at: "2026-11-27T10:00:00.000Z" })], now)).toBe(15_000);
    expect(refetchDelay([feed({ enabled: false, next_fetch_at: null })], now)).toBe(false);
    expect(refetchDelay([], now)).toBe(false);
  });
});

describe("the feed form", () => {
  it("writes an interval back as the field reads it", () => {
    expect(intervalText(3600)).toBe("1h");
    expect(intervalText(5400)).toBe("1h 30m");
    expect(intervalText(90_061)).toBe("1d 1h 1m 1s");
    expect(intervalText(300)).toBe("5m");
  });

  it("sends the whole definition for a new feed, with no column for plain", () => {
    const form = { ...feedForm(), name: " abuse ", source: " /var/lib/sentinel/feeds/a.txt ", column: "ip", refresh: "30m" };
    expect(feedBody(form)).toEqual({
      body: {
        name: "abuse",
        source: "/var/lib/sentinel/feeds/a.txt",
        format: "plain",
        column: "",
        refresh_s: 1800,
        enabled: true,
        description: "",
      },
    });
    expect(feedBody({ ...form, format: "csv" })).toMatchObject({ body: { format: "csv", column: "ip" } });
  });

  it("leaves the range of the interval to the server, so that one refusal names every problem", () => {
    expect(feedBody({ ...feedForm(), refresh: "1m" })).toMatchObject({ body: { refresh_s: 60 } });
    expect(feedBody({ ...feedForm(), refresh: "soon" })).toEqual({
      field: "refresh_s",
      message: "Write an interval such as 3600, 30m, 6h or 1d.",
    });
  });

  it("sends only what an edit changed", () => {
    const csv = feed({ format: "csv", column: "ip" });
    const form = feedForm(csv);
    expect(form).toMatchObject({ name: "abuse", refresh: "1h", format: "csv", column: "ip" });
    expect(feedBody(form, csv)).toEqual({ body: {} });
    expect(feedBody({ ...form, description: "Abuse list", enabled: false }, csv)).toEqual({
      body: { description: "Abuse list", enabled: false },
    });
    expect(feedBody({ ...form, format: "plain" }, csv)).toEqual({ body: { format: "plain", column: "" } });
  });

  it("shows the column field for csv only", () => {
    expect(feedFields("plain")).not.toContain("column");
    expect(feedFields("csv")).toContain("column");
  });
});
