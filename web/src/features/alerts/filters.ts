import { toDate } from "../../lib/time";
import { openStatuses, statuses } from "./lifecycle";
import { atLeast, severities } from "./severity";
import type { Alert, AlertPage, AlertStatus, Severity } from "./types";

/** The alert list's filters as the URL keeps them. `status` empty means every status. */
export interface AlertFilters {
  status: AlertStatus[];
  /** The minimum severity shown; "" for any. */
  severity: Severity | "";
  /** An agent id; "" for every host. */
  agent: string;
  /** Free text in the title, summary or entity. */
  q: string;
  offset: number;
}

export const defaultFilters: AlertFilters = { status: [...openStatuses], severity: "", agent: "", q: "", offset: 0 };

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((value) => b.includes(value));
}

/**
 * Reads ?status=new,resolved&severity=high&agent=ID&q=TEXT&offset=50. No `status` means open
 * alerts (new and acknowledged); `status=all` means every status. Unknown values are dropped
 * rather than sent to the server.
 */
export function readFilters(params: URLSearchParams): AlertFilters {
  const statusText = params.get("status");
  let status: AlertStatus[];
  if (statusText === null) status = [...openStatuses];
  else if (statusText === "all") status = [...statuses];
  else {
    const named = statusText.split(",").filter((s): s is AlertStatus => statuses.includes(s as AlertStatus));
    status = named.length > 0 ? statuses.filter((s) => named.includes(s)) : [...openStatuses];
  }
  const severityText = params.get("severity") ?? "";
  const severity = severities.includes(severityText as Severity) ? (severityText as Severity) : "";
  const offset = Number.parseInt(params.get("offset") ?? "", 10);
  return {
    status,
    severity,
    agent: params.get("agent") ?? "",
    q: params.get("q") ?? "",
    offset: Number.isFinite(offset) && offset > 0 ? offset : 0,
  };
}

/** The URL form of `filters`: defaults are left out, so the plain /alerts shows open alerts. */
export function writeFilters(filters: AlertFilters): URLSearchParams {
  const params = new URLSearchParams();
  const every = filters.status.length === 0 || sameSet(filters.status, statuses);
  if (every) params.set("status", "all");
  else if (!sameSet(filters.status, openStatuses)) {
    params.set("status", statuses.filter((s) => filters.status.includes(s)).join(","));
  }
  if (filters.severity) params.set("severity", filters.severity);
  if (filters.agent.trim()) params.set("agent", filters.agent.trim());
  if (filters.q) params.set("q", filters.q);
  if (filters.offset > 0) params.set("offset", String(filters.offset));
  return params;
}

/** What GET /api/v1/alerts is asked: part of the query key, so equal filters share a cache entry. */
export interface AlertQuery {
  status: AlertStatus[];
  severity: Severity | "";
  agent: string;
  q: string;
  limit: number;
  offset: number;
}

export function alertQuery(filters: AlertFilters, limit: number): AlertQuery {
  const every = filters.status.length === 0 || sameSet(filters.status, statuses);
  return {
    status: every ? [] : statuses.filter((s) => filters.status.includes(s)),
    // "At least informational" is every alert: leaving it out keeps one cache entry for both.
    severity: filters.severity === "informational" ? "" : filters.severity,
    agent: filters.agent.trim(),
    q: filters.q.trim(),
    limit,
    offset: filters.offset,
  };
}

/** "status=new,acknowledged&severity=high&limit=50" (no leading "?"); empty values left out. */
export function alertQueryString(query: AlertQuery): string {
  const params = new URLSearchParams();
  if (query.status.length > 0) params.set("status", query.status.join(","));
  if (query.severity) params.set("severity", query.severity);
  if (query.agent) params.set("agent", query.agent);
  if (query.q) params.set("q", query.q);
  params.set("limit", String(query.limit));
  if (query.offset > 0) params.set("offset", String(query.offset));
  return params.toString();
}

/** Whether the server would list `alert` under `query` (its text match is case-insensitive
 * over title, summary and entity). */
export function matchesQuery(alert: Alert, query: AlertQuery): boolean {
  if (query.status.length > 0 && !query.status.includes(alert.status)) return false;
  if (!atLeast(alert.severity, query.severity)) return false;
  if (query.agent && alert.agent_id !== query.agent) return false;
  if (query.q) {
    const text = query.q.toLowerCase();
    const haystack = [alert.rule_title, alert.summary, alert.entity].join("\n").toLowerCase();
    if (!haystack.includes(text)) return false;
  }
  return true;
}

function lastSeenMs(alert: Alert): number {
  return toDate(alert.last_seen)?.getTime() ?? 0;
}

/** The list's order: newest last_seen first, then the higher id (the server's ORDER BY). */
export function compareAlerts(a: Alert, b: Alert): number {
  return lastSeenMs(b) - lastSeenMs(a) || b.id - a.id;
}

/** A list page after an alert changed, and whether its total or rows may be off so that it
 * should be asked again. */
export interface PatchResult {
  page: AlertPage;
  /** True when the stream alone cannot say what the server would answer now. */
  stale: boolean;
}

/**
 * Applies a streamed alert to a cached list page in place, so that a new alert shows at once
 * without a request. The first page can be patched with certainty in most cases; when it
 * cannot (a later page, an update that brings an alert into the list from elsewhere, a removal
 * from a full page) the result says `stale` and the caller refetches.
 */
export function patchPage(
  page: AlertPage,
  alert: Alert,
  action: "created" | "updated",
  query: AlertQuery,
): PatchResult {
  const index = page.items.findIndex((item) => item.id === alert.id);
  const present = index >= 0;
  const matches = matchesQuery(alert, query);
  if (!present && !matches) return { page, stale: false };
  if (query.offset > 0) return { page, stale: true };

  if (present && !matches) {
    const items = page.items.filter((item) => item.id !== alert.id);
    // A full page now lacks the row that followed it.
    return { page: { items, total: Math.max(0, page.total - 1) }, stale: page.total > page.items.length };
  }
  const others = present ? page.items.filter((item) => item.id !== alert.id) : page.items;
  const items = [...others, alert].sort(compareAlerts).slice(0, query.limit);
  if (present) return { page: { items, total: page.total }, stale: false };
  // A created alert is new to every list; an updated one may come from a later page (total the
  // same) or from outside the filters (a reopened alert: total + 1). Only the server knows which.
  return { page: { items, total: page.total + 1 }, stale: action === "updated" };
}
