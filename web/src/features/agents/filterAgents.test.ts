import { describe, expect, it } from "vitest";
import {
  filterAgents,
  filterChoices,
  hasFilters,
  labelText,
  noFilters,
  sortAgents,
  type AgentFilters,
} from "./filterAgents";
import type { Agent } from "./types";

const now = Date.parse("2026-11-25T12:00:00Z");
const hoursAgo = (hours: number) => new Date(now - hours * 3_600_000).toISOString();

function agent(id: string, fields: Partial<Agent> = {}): Agent {
  return {
    id,
    hostname: id.replace("agt_", "host-"),
    os: "Debian GNU/Linux 12 (bookworm)",
    kernel: "6.1.0",
    arch: "x86_64",
    agent_version: "0.1.0",
    group: null,
    labels: {},
    status: "offline",
    enrolled_at: hoursAgo(1000),
    first_seen: hoursAgo(1000),
    last_seen: hoursAgo(2),
    address: "192.0.2.1",
    revoked_at: null,
    certificate: null,
    ...fields,
  };
}

const fleet: Agent[] = [
  agent("agt_web1", { status: "online", group: "web", labels: { env: "prod", role: "web" }, last_seen: hoursAgo(300) }),
  agent("agt_web2", { group: "web", labels: { env: "staging" }, last_seen: hoursAgo(0.5) }),
  agent("agt_db1", { os: "Rocky Linux 9.4", agent_version: "0.2.0", group: "db", labels: { env: "prod" } }),
  agent("agt_old", { status: "revoked", last_seen: hoursAgo(24 * 30) }),
  agent("agt_new", { last_seen: null, first_seen: null }),
];

const ids = (agents: readonly Agent[]) => agents.map((a) => a.id);
const only = (filters: Partial<AgentFilters>) => ids(filterAgents(fleet, { ...noFilters, ...filters }, now));

describe("filterAgents", () => {
  it("returns the same list when no filter is set, so that memoised views do not re-render", () => {
    expect(filterAgents(fleet, noFilters, now)).toBe(fleet);
    expect(hasFilters(noFilters)).toBe(false);
    expect(hasFilters({ ...noFilters, search: "x" })).toBe(true);
  });

  it("filters by status, OS, version and group exactly", () => {
    expect(only({ status: "online" })).toEqual(["agt_web1"]);
    expect(only({ status: "revoked" })).toEqual(["agt_old"]);
    expect(only({ os: "Rocky Linux 9.4" })).toEqual(["agt_db1"]);
    expect(only({ version: "0.1.0" })).toEqual(["agt_web1", "agt_web2", "agt_old", "agt_new"]);
    expect(only({ group: "web" })).toEqual(["agt_web1", "agt_web2"]);
    expect(only({ group: "web", status: "offline" })).toEqual(["agt_web2"]);
  });

  it("filters by a label key or a key=value pair", () => {
    expect(only({ label: "env" })).toEqual(["agt_web1", "agt_web2", "agt_db1"]);
    expect(only({ label: "env=prod" })).toEqual(["agt_web1", "agt_db1"]);
    expect(only({ label: " env = staging " })).toEqual(["agt_web2"]);
    expect(only({ label: "env=pro" })).toEqual([]);
    // A key that is only a prototype property of objects is no label.
    expect(only({ label: "toString" })).toEqual([]);
  });

  it("searches hostname, id and labels without regard to case", () => {
    expect(only({ search: "HOST-WEB" })).toEqual(["agt_web1", "agt_web2"]);
    expect(only({ search: "agt_db" })).toEqual(["agt_db1"]);
    expect(only({ search: "role=web" })).toEqual(["agt_web1"]);
    expect(only({ search: "  staging " })).toEqual(["agt_web2"]);
    expect(only({ search: "nothing-like-this" })).toEqual([]);
  });

  it("treats an online agent as seen now, whatever its cached last_seen says", () => {
    expect(only({ seen: "1h" })).toEqual(["agt_web1", "agt_web2"]);
    expect(only({ seen: "24h" })).toEqual(["agt_web1", "agt_web2", "agt_db1"]);
    expect(only({ seen: "7d" })).toEqual(["agt_web1", "agt_web2", "agt_db1"]);
    // "Not in 7 d" includes agents never seen at all.
    expect(only({ seen: "older7d" })).toEqual(["agt_old", "agt_new"]);
  });

  it("sees a change to an agent that was searched before (replaced objects are searched anew)", () => {
    const list = fleet.slice();
    expect(ids(filterAgents(list, { ...noFilters, search: "canary" }, now))).toEqual([]);
    list[1] = { ...fleet[1]!, labels: { ring: "canary" } };
    expect(ids(filterAgents(list, { ...noFilters, search: "canary" }, now))).toEqual(["agt_web2"]);
  });

  // Its speed is measured in bench/portal.sh, not here: timings in tests are noise on CI machines.
  it("finds the right agents among 10,000", () => {
    const many = Array.from({ length: 10_000 }, (_, i) =>
      agent(`agt_h${i}`, { labels: { env: i % 2 ? "prod" : "dev", rack: `r${i % 40}` } }),
    );
    const found = filterAgents(many, { ...noFilters, search: "host-h12", label: "env=prod" }, now);
    // host-h12, host-h120..129 and host-h1200..1299, the odd ones: 5 + 50.
    expect(found.length).toBe(55);
  });
});

describe("sortAgents", () => {
  it("sorts hostnames as people read them, both ways", () => {
    const hosts = [agent("agt_a", { hostname: "host-10" }), agent("agt_b", { hostname: "Host-9" }), agent("agt_c", { hostname: "host-1" })];
    expect(sortAgents(hosts, { key: "hostname", descending: false }, now).map((a) => a.hostname)).toEqual([
      "host-1",
      "Host-9",
      "host-10",
    ]);
    expect(sortAgents(hosts, { key: "hostname", descending: true }, now).map((a) => a.hostname)).toEqual([
      "host-10",
      "Host-9",
      "host-1",
    ]);
  });

  it("orders status online, offline, revoked and ties by hostname", () => {
    expect(ids(sortAgents(fleet, { key: "status", descending: false }, now))).toEqual([
      "agt_web1",
      "agt_db1",
      "agt_new",
      "agt_web2",
      "agt_old",
    ]);
  });

  it("puts the most recently seen first when descending, never-seen agents last", () => {
    expect(ids(sortAgents(fleet, { key: "last_seen", descending: true }, now))).toEqual([
      "agt_web1",
      "agt_web2",
      "agt_db1",
      "agt_old",
      "agt_new",
    ]);
  });

  it("keeps agents without a group after the others in either direction", () => {
    expect(ids(sortAgents(fleet, { key: "group", descending: false }, now)).slice(0, 3)).toEqual([
      "agt_db1",
      "agt_web1",
      "agt_web2",
    ]);
    expect(ids(sortAgents(fleet, { key: "group", descending: true }, now)).slice(0, 3)).toEqual([
      "agt_web1",
      "agt_web2",
      "agt_db1",
    ]);
  });

  it("compares versions by their numbers", () => {
    const versions = ["0.10.0", "0.9.1", "0.2.0"].map((v, i) => agent(`agt_${i}`, { agent_version: v }));
    expect(sortAgents(versions, { key: "agent_version", descending: false }, now).map((a) => a.agent_version)).toEqual([
      "0.2.0",
      "0.9.1",
      "0.10.0",
    ]);
  });
});

describe("filterChoices and labelText", () => {
  it("offers each OS, version and group once, sorted", () => {
    expect(filterChoices(fleet)).toEqual({
      os: ["Debian GNU/Linux 12 (bookworm)", "Rocky Linux 9.4"],
      versions: ["0.1.0", "0.2.0"],
      groups: ["db", "web"],
    });
  });

  it("writes labels as key=value in key order", () => {
    expect(labelText({ team: "ops", env: "prod" })).toBe("env=prod, team=ops");
    expect(labelText({})).toBe("");
  });
});
