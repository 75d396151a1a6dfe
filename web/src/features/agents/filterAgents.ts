// The agent list's filters and sort, done in the browser over the whole loaded list: pure
// functions, so that the page memoises them and the tests check them without a DOM.

import type { Agent, AgentStatus } from "./types";

/** "Last seen" choices: any time, within an hour / a day / a week, or not for a week (or never). */
export type SeenFilter = "any" | "1h" | "24h" | "7d" | "older7d";

export const seenFilters: readonly { value: SeenFilter; label: string }[] = [
  { value: "any", label: "Any time" },
  { value: "1h", label: "Within 1 h" },
  { value: "24h", label: "Within 24 h" },
  { value: "7d", label: "Within 7 d" },
  { value: "older7d", label: "Not in 7 d" },
];

/** Every filter of the list; "" (or "any") means no filter on that column. */
export interface AgentFilters {
  status: AgentStatus | "";
  os: string;
  version: string;
  group: string;
  /** "key" (has the label) or "key=value" (has it with that value). */
  label: string;
  seen: SeenFilter;
  /** Case-insensitive text in the hostname, the id or a label "key=value". */
  search: string;
}

export const noFilters: AgentFilters = {
  status: "",
  os: "",
  version: "",
  group: "",
  label: "",
  seen: "any",
  search: "",
};

export type SortKey = "hostname" | "status" | "os" | "agent_version" | "group" | "labels" | "last_seen";

export interface AgentSort {
  key: SortKey;
  descending: boolean;
}

const HOUR_MS = 3_600_000;
const seenWindowMs: Record<Exclude<SeenFilter, "any">, number> = {
  "1h": HOUR_MS,
  "24h": 24 * HOUR_MS,
  "7d": 7 * 24 * HOUR_MS,
  older7d: 7 * 24 * HOUR_MS,
};

/**
 * When the agent was last seen, in epoch ms (null: never). An online agent is being seen now: its
 * cached `last_seen` is only as fresh as the last message about it, as heartbeats are not streamed.
 */
export function seenAt(agent: Agent, now: number): number | null {
  if (agent.status === "online") return now;
  if (!agent.last_seen) return null;
  const time = Date.parse(agent.last_seen);
  return Number.isNaN(time) ? null : time;
}

/** Labels as the list shows and searches them: "env=prod, team=web", keys in order. */
export function labelText(labels: Record<string, string>): string {
  return Object.keys(labels)
    .sort()
    .map((key) => `${key}=${labels[key] ?? ""}`)
    .join(", ");
}

// Agents are replaced (never mutated) when they change, so an object is a safe cache key.
const haystacks = new WeakMap<Agent, string>();

function haystack(agent: Agent): string {
  let text = haystacks.get(agent);
  if (text === undefined) {
    text = `${agent.hostname}\n${agent.id}\n${labelText(agent.labels)}`.toLowerCase();
    haystacks.set(agent, text);
  }
  return text;
}

function labelMatcher(filter: string): ((agent: Agent) => boolean) | null {
  const text = filter.trim();
  if (!text) return null;
  const equals = text.indexOf("=");
  if (equals < 0) return (agent) => Object.hasOwn(agent.labels, text);
  const key = text.slice(0, equals).trim();
  const value = text.slice(equals + 1).trim();
  return (agent) => Object.hasOwn(agent.labels, key) && agent.labels[key] === value;
}

/** The agents that pass every filter, in their given order. */
export function filterAgents(agents: readonly Agent[], filters: AgentFilters, now: number): readonly Agent[] {
  const search = filters.search.trim().toLowerCase();
  const label = labelMatcher(filters.label);
  const seen = filters.seen;
  const window = seen === "any" ? 0 : seenWindowMs[seen];
  const active =
    filters.status || filters.os || filters.version || filters.group || label || seen !== "any" || search;
  if (!active) return agents;
  return agents.filter((agent) => {
    if (filters.status && agent.status !== filters.status) return false;
    if (filters.os && agent.os !== filters.os) return false;
    if (filters.version && agent.agent_version !== filters.version) return false;
    if (filters.group && (agent.group ?? "") !== filters.group) return false;
    if (label && !label(agent)) return false;
    if (seen !== "any") {
      const time = seenAt(agent, now);
      const recent = time !== null && time >= now - window;
      if (seen === "older7d" ? recent : !recent) return false;
    }
    return !search || haystack(agent).includes(search);
  });
}

/** Whether any filter is set. */
export function hasFilters(filters: AgentFilters): boolean {
  return (Object.keys(noFilters) as (keyof AgentFilters)[]).some((key) => filters[key] !== noFilters[key]);
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });
const statusOrder: Record<AgentStatus, number> = { online: 0, offline: 1, revoked: 2 };

function sortValue(agent: Agent, key: SortKey, now: number): string | number {
  switch (key) {
    case "hostname":
      return agent.hostname;
    case "status":
      return statusOrder[agent.status] ?? 3;
    case "os":
      return agent.os;
    case "agent_version":
      return agent.agent_version;
    case "group":
      return agent.group ?? "";
    case "labels":
      return labelText(agent.labels);
    case "last_seen":
      return seenAt(agent, now) ?? -1;
  }
}

/**
 * The agents sorted by one column (ties by hostname, then id, so that the order is stable as
 * agents change). Text compares as people read it: case-insensitive, "host-9" before "host-10".
 * Empty text sorts last in either direction.
 */
export function sortAgents(agents: readonly Agent[], sort: AgentSort, now: number): readonly Agent[] {
  const direction = sort.descending ? -1 : 1;
  const keyed = agents.map((agent) => ({ agent, value: sortValue(agent, sort.key, now) }));
  keyed.sort((a, b) => {
    let order = 0;
    if (typeof a.value === "number" && typeof b.value === "number") {
      order = (a.value - b.value) * direction;
    } else if (a.value === "" || b.value === "") {
      order = a.value === b.value ? 0 : a.value === "" ? 1 : -1;
    } else {
      order = collator.compare(String(a.value), String(b.value)) * direction;
    }
    if (order !== 0) return order;
    return collator.compare(a.agent.hostname, b.agent.hostname) || (a.agent.id < b.agent.id ? -1 : 1);
  });
  return keyed.map((entry) => entry.agent);
}

/** The choices of the OS, version and group selects: the distinct values in the list, sorted. */
export function filterChoices(agents: readonly Agent[]): { os: string[]; versions: string[]; groups: string[] } {
  const os = new Set<string>();
  const versions = new Set<string>();
  const groups = new Set<string>();
  for (const agent of agents) {
    if (agent.os) os.add(agent.os);
    if (agent.agent_version) versions.add(agent.agent_version);
    if (agent.group) groups.add(agent.group);
  }
  const sorted = (values: Set<string>) => [...values].sort(collator.compare);
  return { os: sorted(os), versions: sorted(versions), groups: sorted(groups) };
}
