import { formatAgo, formatTime, toDate } from "../../lib/time";
import { Badge } from "../../components/Page";
import type { Tone } from "./status";

/** A past time as "5 min ago", the exact time on hover; "—" for none. */
export function When({ value, now }: { value: string | null | undefined; now: number }) {
  if (!value) return <span className="text-muted">—</span>;
  return (
    <time dateTime={toDate(value)?.toISOString()} title={formatTime(value)}>
      {formatAgo(value, now)}
    </time>
  );
}

/** A badge in one of the feature's tones. */
export function ToneBadge({ tone, children }: { tone: Tone; children: string }) {
  return <Badge tone={tone}>{children}</Badge>;
}

export const th = "border-b border-line px-3 py-2 text-xs font-semibold tracking-wide text-muted uppercase";
export const td = "border-b border-line px-3 py-2 align-top";
