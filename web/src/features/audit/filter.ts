import type { InfiniteData } from "@tanstack/react-query";
import { localTimeMs } from "../../lib/time";
import type { AuditEntry, AuditPage } from "./types";

/** The filters of the audit page, as typed. `from` and `to` are <input type="datetime-local">
 * values in the viewer's time zone ("2026-11-25T21:00"), or "". */
export interface AuditFilter {
  actor: string;
  action: string;
  text: string;
  from: string;
  to: string;
}

export const emptyFilter: AuditFilter = { actor: "", action: "", text: "", from: "", to: "" };

/** The filters GET /api/v1/audit applies itself: `actor` (exact) and `action` (prefix). */
export interface ServerFilter {
  actor: string;
  action: string;
}

export function serverFilter(filter: AuditFilter): ServerFilter {
  return { actor: filter.actor.trim(), action: filter.action.trim() };
}

/** Whether the server would list `entry` under `filter`. */
export function matchesServer(entry: AuditEntry, filter: ServerFilter): boolean {
  return (!filter.actor || entry.actor === filter.actor) && (!filter.action || entry.action.startsWith(filter.action));
}

function detailsText(details: AuditEntry["details"]): string {
  return typeof details === "string" ? details : JSON.stringify(details);
}

/** Whether `entry` passes the filters the server does not apply: free text over target, details,
 * source address and outcome (and action and actor), and the time range (`to` includes its minute). */
export function matchesClient(entry: AuditEntry, filter: AuditFilter): boolean {
  const text = filter.text.trim().toLowerCase();
  if (text) {
    const haystack = [entry.target, entry.source_address, entry.outcome, entry.action, entry.actor, detailsText(entry.details)]
      .join("\n")
      .toLowerCase();
    if (!haystack.includes(text)) return false;
  }
  const from = localTimeMs(filter.from);
  if (from !== null && entry.time_ms < from) return false;
  const to = localTimeMs(filter.to);
  if (to !== null && entry.time_ms >= to + 60_000) return false;
  return true;
}

/** Whether any client-side filter is set (then a page may show fewer rows than it loaded). */
export function hasClientFilter(filter: AuditFilter): boolean {
  return filter.text.trim() !== "" || localTimeMs(filter.from) !== null || localTimeMs(filter.to) !== null;
}

/**
 * `data` with a live `entry` put in front of its first page when the server's filters would list
 * it; unchanged when they would not, or when it is already there or older than the first row (a
 * message that raced the page's own request).
 */
export function prependEntry(
  data: InfiniteData<AuditPage, number | undefined>,
  entry: AuditEntry,
  filter: ServerFilter,
): InfiniteData<AuditPage, number | undefined> {
  const [first, ...rest] = data.pages;
  if (!first || !matchesServer(entry, filter)) return data;
  const newest = first.items[0];
  if (newest && newest.seq >= entry.seq) return data;
  return { ...data, pages: [{ ...first, items: [entry, ...first.items] }, ...rest] };
}

/** The details of an entry as "key: value" pairs for people; nested values as compact text, empty
 * ones left out. */
export function detailPairs(details: AuditEntry["details"]): [string, string][] {
  if (typeof details === "string") return details ? [["", details]] : [];
  const text = (value: unknown): string => (typeof value === "string" ? value : JSON.stringify(value));
  const pairs: [string, string][] = Object.entries(details).map(([key, value]) => [
    key,
    Array.isArray(value) ? value.map(text).join(", ") : text(value),
  ]);
  // An empty value ("description": "") says nothing to a reader.
  return pairs.filter(([, value]) => value !== "");
}
