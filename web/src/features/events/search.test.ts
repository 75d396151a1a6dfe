import { describe, expect, it } from "vitest";
import { resolveHost, hostText } from "./hosts";
import {
  emptySearch,
  matchesSearch,
  readSearch,
  searchProblems,
  searchQueryString,
  timeWindow,
  writeSearch,
  type EventSearch,
} from "./search";

const anchor = 1_795_644_000_000;

describe("search in the URL", () => {
  it("round-trips every part, field filters in the API's own form", () => {
    const text =
      "q=failed&type=log&agent=agent-1&range=1h&field.source.ip=203.0.113.9&field.user.name=root&offset=50";
    const search = readSearch(new URLSearchParams(text));
    expect(search.fields).toEqual([
      { name: "source.ip", value: "203.0.113.9" },
      { name: "user.name", value: "root" },
    ]);
    expect(search.range).toBe("1h");
    expect(writeSearch(search).toString()).toBe(text);
  });

  it("writes nothing for the default search and ignores from/to outside a custom range", () => {
    expect(writeSearch(emptySearch).toString()).toBe("");
    expect(readSearch(new URLSearchParams("from=2026-11-25T10:00")).from).toBe("");
    expect(readSearch(new URLSearchParams("range=forever")).range).toBe("24h");
  });

  it("keeps at most eight field filters and drops rows without a name", () => {
    const params = new URLSearchParams();
    for (let i = 0; i < 10; i++) params.append(`field.f${i}`, String(i));
    expect(readSearch(params).fields).toHaveLength(8);
    expect(writeSearch({ ...emptySearch, fields: [{ name: " ", value: "x" }] }).toString()).toBe("");
  });
});

describe("asking the server", () => {
  it("ends a relative range at the moment the search ran", () => {
    expect(timeWindow({ ...emptySearch, range: "15m" }, anchor)).toEqual({ since: anchor - 900_000, until: anchor });
  });

  it("includes the minute a custom range ends in", () => {
    const search: EventSearch = { ...emptySearch, range: "custom", from: "2026-11-25T10:00", to: "2026-11-25T11:00" };
    const window = timeWindow(search, anchor);
    expect(window.until! - window.since!).toBe(61 * 60_000);
    expect(timeWindow({ ...search, from: "" }, anchor).since).toBeUndefined();
  });

  it("sends field filters as field.NAME=VALUE, values as typed", () => {
    const search: EventSearch = { ...emptySearch, q: " ssh ", fields: [{ name: "user.name", value: "root " }] };
    const text = searchQueryString(search, anchor, 50);
    const params = new URLSearchParams(text);
    expect(params.get("q")).toBe("ssh");
    expect(params.get("field.user.name")).toBe("root ");
    expect(params.get("since")).toBe(String(anchor - 86_400_000));
    expect(params.get("limit")).toBe("50");
  });

  it("checks field names and custom ranges before asking", () => {
    const problems = searchProblems({
      ...emptySearch,
      range: "custom",
      from: "2026-11-25T11:00",
      to: "2026-11-25T10:00",
      fields: [{ name: "source ip", value: "x" }, { name: "source.ip", value: "x" }, { name: "", value: "" }],
    });
    expect(problems.fields[0]).toMatch(/field name/);
    expect(problems.fields[1]).toBeUndefined();
    expect(problems.fields[2]).toBeUndefined();
    expect(problems.range).toMatch(/before the start/);
  });
});

describe("matchesSearch", () => {
  const event = { agent_id: "agent-1", type: "log", data: { message: "Failed password", "source.ip": "203.0.113.9", "process.pid": 812 } };

  it("mirrors the server's filters", () => {
    expect(matchesSearch(event, emptySearch)).toBe(true);
    expect(matchesSearch(event, { ...emptySearch, agent: "agent-2" })).toBe(false);
    expect(matchesSearch(event, { ...emptySearch, type: "lo" })).toBe(false);
    expect(matchesSearch({ ...event, type: "package.installed" }, { ...emptySearch, type: "package." })).toBe(true);
    expect(matchesSearch(event, { ...emptySearch, fields: [{ name: "source.ip", value: "203.0.113.9" }] })).toBe(true);
    expect(matchesSearch(event, { ...emptySearch, fields: [{ name: "process.pid", value: "812" }] })).toBe(true);
    expect(matchesSearch(event, { ...emptySearch, fields: [{ name: "user.name", value: "root" }] })).toBe(false);
    expect(matchesSearch(event, { ...emptySearch, q: "FAILED" })).toBe(true);
    expect(matchesSearch(event, { ...emptySearch, q: "accepted" })).toBe(false);
  });
});

describe("host filter", () => {
  const agents = [
    { id: "a1", hostname: "web-1" },
    { id: "a2", hostname: "db-1" },
    { id: "a3", hostname: "DB-1" },
  ];

  it("takes a hostname, an id, or passes unknown text on as an id", () => {
    expect(resolveHost("WEB-1", agents)).toBe("a1");
    expect(resolveHost("a2", agents)).toBe("a2");
    expect(resolveHost("db-1", agents)).toBe("db-1");
    expect(resolveHost("  ", agents)).toBe("");
  });

  it("shows the hostname for an id unless two hosts share it", () => {
    expect(hostText("a1", agents)).toBe("web-1");
    expect(hostText("a2", agents)).toBe("a2");
    expect(hostText("zz", agents)).toBe("zz");
    // The same agent twice (from two look-ups) is still one host.
    expect(hostText("a1", [...agents, agents[0]!])).toBe("web-1");
    expect(resolveHost("web-1", [...agents, agents[0]!])).toBe("a1");
  });
});
