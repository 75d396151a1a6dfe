import { formatAgo, formatTime, toDate, type ApiTime } from "../lib/time";

/** A past time as "5 min ago", the exact time on hover; "—" for none. `now` is the time it is
 * measured from (`useNow` keeps it moving); without it, the time of rendering. */
export function When({ value, now, className }: { value: ApiTime; now?: number; className?: string }) {
  if (!value) return <span className="text-muted">—</span>;
  return (
    <time dateTime={toDate(value)?.toISOString()} title={formatTime(value)} className={className}>
      {formatAgo(value, now)}
    </time>
  );
}
