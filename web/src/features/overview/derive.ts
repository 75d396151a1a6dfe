import type { AuditEntry } from "../audit/types";
import type { EventSummary } from "./types";

/** One bar of the events chart: the hour as the viewer reads it, and its count. */
export interface HourRow {
  start: string;
  label: string;
  count: number;
}

/** "14:00" in the viewer's time zone. */
export function hourLabel(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "—";
  return `${String(date.getHours()).padStart(2, "0")}:${String(date.getMinutes()).padStart(2, "0")}`;
}

/** The summary's buckets as chart rows, oldest first. */
export function hourRows(summary: EventSummary): HourRow[] {
  return summary.buckets.map((bucket) => ({
    start: bucket.start,
    label: hourLabel(bucket.start),
    count: bucket.count,
  }));
}

/** Every event the summary counted. */
export function totalEvents(summary: EventSummary): number {
  return summary.buckets.reduce((sum, bucket) => sum + bucket.count, 0);
}

/** A sentence saying what the events chart shows, for people who cannot see it. */
export function describeHours(rows: HourRow[]): string {
  const total = rows.reduce((sum, row) => sum + row.count, 0);
  const hours = rows.length;
  if (total === 0) return `No events in the last ${hours} hours.`;
  const busiest = rows.reduce((best, row) => (row.count > best.count ? row : best));
  const events = `${total.toLocaleString()} ${total === 1 ? "event" : "events"}`;
  const peak = `the busiest hour began at ${busiest.label} with ${busiest.count.toLocaleString()}`;
  return `${events} in the last ${hours} hours; ${peak}.`;
}

/** The latest-audit list with `entry` added: newest first, no entry twice, at most `limit`. */
export function withAuditEntry(list: AuditEntry[], entry: AuditEntry, limit: number): AuditEntry[] {
  if (list.some((existing) => existing.seq === entry.seq)) return list;
  return [entry, ...list].sort((a, b) => b.seq - a.seq).slice(0, limit);
}
