/** Dates from the API come as epoch milliseconds or ISO strings; both render the same way. */
export type ApiTime = number | string | null | undefined;

export function toDate(value: ApiTime): Date | null {
  if (value === null || value === undefined || value === "" || value === 0) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** "2026-11-25 21:59:17" in the viewer's time zone, or "—". */
export function formatTime(value: ApiTime): string {
  const date = toDate(value);
  if (!date) return "—";
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(
    date.getMinutes(),
  )}:${pad(date.getSeconds())}`;
}

/** Epoch ms of an `<input type="datetime-local">` value ("2026-11-25T21:00", the viewer's time
 * zone), or null when it is empty or not a time. */
export function localTimeMs(value: string): number | null {
  if (!value) return null;
  const ms = new Date(value).getTime();
  return Number.isNaN(ms) ? null : ms;
}

/** "just now", "5 min ago", "3 h ago", "2 d ago", relative to `now`. */
export function formatAgo(value: ApiTime, now: number = Date.now()): string {
  const date = toDate(value);
  if (!date) return "never";
  const seconds = Math.max(0, Math.round((now - date.getTime()) / 1000));
  if (seconds < 45) return "just now";
  if (seconds < 3600) return `${Math.round(seconds / 60)} min ago`;
  if (seconds < 86_400) return `${Math.round(seconds / 3600)} h ago`;
  return `${Math.round(seconds / 86_400)} d ago`;
}
