import { localTimeMs } from "../../lib/time";
import type { HostEvent } from "./types";

/** The time ranges offered; relative ones end at the moment the search ran. */
export const ranges = [
  { value: "15m", label: "Last 15 minutes", ms: 15 * 60_000 },
  { value: "1h", label: "Last hour", ms: 3_600_000 },
  { value: "24h", label: "Last 24 hours", ms: 86_400_000 },
  { value: "7d", label: "Last 7 days", ms: 7 * 86_400_000 },
  { value: "custom", label: "Custom range", ms: 0 },
] as const;

export type RangeValue = (typeof ranges)[number]["value"];
export const defaultRange: RangeValue = "24h";

/** One "field = value" row: the value must equal the event's data field exactly. */
export interface FieldFilter {
  name: string;
  value: string;
}

/** The server takes up to eight field filters. */
export const maxFieldFilters = 8;

/** The events search as the URL keeps it. `from`/`to` are datetime-local values, custom only. */
export interface EventSearch {
  q: string;
  type: string;
  agent: string;
  range: RangeValue;
  from: string;
  to: string;
  fields: FieldFilter[];
  offset: number;
}

export const emptySearch: EventSearch = {
  q: "",
  type: "",
  agent: "",
  range: defaultRange,
  from: "",
  to: "",
  fields: [],
  offset: 0,
};

const fieldPrefix = "field.";

/** A data field name the server accepts: 1-128 letters, digits and _ . @ - */
export function validFieldName(name: string): boolean {
  return /^[A-Za-z0-9_.@-]{1,128}$/.test(name);
}

/**
 * Reads ?q=&type=&agent=&range=1h&from=&to=&field.source.ip=203.0.113.9&offset=50. Field
 * filters use the API's own form (field.NAME=VALUE), so a URL and an API call read alike.
 */
export function readSearch(params: URLSearchParams): EventSearch {
  const range = ranges.find((r) => r.value === params.get("range"))?.value ?? defaultRange;
  const fields: FieldFilter[] = [];
  for (const [key, value] of params) {
    if (key.startsWith(fieldPrefix) && fields.length < maxFieldFilters) {
      fields.push({ name: key.slice(fieldPrefix.length), value });
    }
  }
  const offset = Number.parseInt(params.get("offset") ?? "", 10);
  return {
    q: params.get("q") ?? "",
    type: params.get("type") ?? "",
    agent: params.get("agent") ?? "",
    range,
    from: range === "custom" ? (params.get("from") ?? "") : "",
    to: range === "custom" ? (params.get("to") ?? "") : "",
    fields,
    offset: Number.isFinite(offset) && offset > 0 ? offset : 0,
  };
}

/** The URL form; empty values and defaults left out, field rows without a name dropped. */
export function writeSearch(search: EventSearch): URLSearchParams {
  const params = new URLSearchParams();
  const set = (key: string, value: string) => value.trim() && params.set(key, value.trim());
  set("q", search.q);
  set("type", search.type);
  set("agent", search.agent);
  if (search.range !== defaultRange) params.set("range", search.range);
  if (search.range === "custom") {
    set("from", search.from);
    set("to", search.to);
  }
  for (const field of search.fields.slice(0, maxFieldFilters)) {
    // The value is kept as typed: "" and " x" are values an event can have.
    if (field.name.trim()) params.append(`${fieldPrefix}${field.name.trim()}`, field.value);
  }
  if (search.offset > 0) params.set("offset", String(search.offset));
  return params;
}

/** The time window asked for: relative ranges end at `anchorMs` (when the search ran), so that
 * paging through them does not shift as new events arrive; a custom `to` includes its minute. */
export function timeWindow(search: EventSearch, anchorMs: number): { since?: number; until?: number } {
  if (search.range === "custom") {
    const from = localTimeMs(search.from);
    const to = localTimeMs(search.to);
    return { since: from ?? undefined, until: to === null ? undefined : to + 60_000 };
  }
  const range = ranges.find((r) => r.value === search.range) ?? ranges[2];
  return { since: anchorMs - range.ms, until: anchorMs };
}

/** GET /api/v1/events parameters (no leading "?"). */
export function searchQueryString(search: EventSearch, anchorMs: number, limit: number): string {
  const params = new URLSearchParams();
  if (search.q.trim()) params.set("q", search.q.trim());
  if (search.type.trim()) params.set("type", search.type.trim());
  if (search.agent.trim()) params.set("agent", search.agent.trim());
  const { since, until } = timeWindow(search, anchorMs);
  if (since !== undefined) params.set("since", String(since));
  if (until !== undefined) params.set("until", String(until));
  for (const field of search.fields.slice(0, maxFieldFilters)) {
    if (field.name.trim()) params.append(`${fieldPrefix}${field.name.trim()}`, field.value);
  }
  params.set("limit", String(limit));
  if (search.offset > 0) params.set("offset", String(search.offset));
  return params.toString();
}

/** What is wrong with the search as typed, per input, before asking the server. */
export function searchProblems(search: EventSearch): { fields: (string | undefined)[]; range?: string } {
  const fields = search.fields.map((field) =>
    !field.name.trim() && !field.value
      ? undefined
      : !validFieldName(field.name.trim())
        ? "A field name is 1-128 letters, digits and _ . @ -, e.g. source.ip"
        : undefined,
  );
  let range: string | undefined;
  if (search.range === "custom") {
    const from = localTimeMs(search.from);
    const to = localTimeMs(search.to);
    if (from === null && to === null) range = "Give a start or an end for a custom range.";
    else if (from !== null && to !== null && to < from) range = "The end is before the start.";
  }
  return { fields, range };
}

/**
 * Whether a streamed event would be in the search's results, for the "new events" hint. Mirrors
 * the server: agent and field values exact, a type ending in "." a prefix, free text anywhere in
 * the type or the data's JSON, ignoring case.
 */
export function matchesSearch(event: Pick<HostEvent, "agent_id" | "type" | "data">, search: EventSearch): boolean {
  if (search.agent.trim() && event.agent_id !== search.agent.trim()) return false;
  const type = search.type.trim();
  if (type && !(type.endsWith(".") ? event.type.startsWith(type) : event.type === type)) return false;
  const data = event.data ?? {};
  for (const field of search.fields) {
    if (!field.name.trim()) continue;
    const value = data[field.name.trim()];
    if (value === undefined || value === null || typeof value === "object" || String(value) !== field.value) return false;
  }
  const q = search.q.trim().toLowerCase();
  if (q && !event.type.toLowerCase().includes(q) && !JSON.stringify(data).toLowerCase().includes(q)) return false;
  return true;
}
