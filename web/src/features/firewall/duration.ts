// Block durations: what a person types ("600", "90s", "10m", "1h30m", "7d", as sentinelctl
// firewall block --duration takes them) and how long a block lasts or has left, in words.

/** The longest block the server accepts, escalation included: seven days. */
export const maxBlockSeconds = 7 * 24 * 3600;

const units: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };
const part = /(\d+)\s*([smhd]?)/gy;

/**
 * Seconds from "600" (plain seconds), "90s", "10m", "2h", "7d" or combinations such as
 * "1h 30m"; null for anything else (no unit is used twice, larger units come first).
 */
export function parseDuration(text: string): number | null {
  const input = text.trim().toLowerCase();
  if (!input) return null;
  part.lastIndex = 0;
  let total = 0;
  let previousUnit = Number.POSITIVE_INFINITY;
  let parts = 0;
  while (part.lastIndex < input.length) {
    const match = part.exec(input);
    if (!match) return null;
    const unit = units[match[2] || "s"] ?? 1;
    // A bare number is only allowed alone: "1h 30" is ambiguous.
    if (!match[2] && (parts > 0 || part.lastIndex < input.length)) return null;
    if (unit >= previousUnit) return null;
    previousUnit = unit;
    total += Number(match[1]) * unit;
    parts += 1;
    while (input[part.lastIndex] === " ") part.lastIndex += 1;
  }
  return Number.isSafeInteger(total) ? total : null;
}

/** "7 d", "1 h 30 min", "10 min", "45 s": the two largest units, for lengths and remaining time. */
export function formatSeconds(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const parts: [number, string][] = [
    [Math.floor(s / 86_400), "d"],
    [Math.floor((s % 86_400) / 3600), "h"],
    [Math.floor((s % 3600) / 60), "min"],
    [s % 60, "s"],
  ];
  const first = parts.findIndex(([value]) => value > 0);
  if (first < 0) return "0 s";
  return parts
    .slice(first, first + 2)
    .filter(([value]) => value > 0)
    .map(([value, unit]) => `${value} ${unit}`)
    .join(" ");
}

/**
 * Seconds from now until `expiresAt` (ISO time), never negative, and never more than `cap` (the
 * block's length): a clock a moment behind the server's must not show more time than was given.
 */
export function remainingSeconds(expiresAt: string, now: number, cap = Number.POSITIVE_INFINITY): number {
  const end = Date.parse(expiresAt);
  if (Number.isNaN(end)) return 0;
  return Math.min(cap, Math.max(0, Math.ceil((end - now) / 1000)));
}

/** "in 9 min 58 s" while time is left, "expired" after. */
export function formatExpiry(expiresAt: string, now: number, cap?: number): string {
  const left = remainingSeconds(expiresAt, now, cap);
  return left > 0 ? `in ${formatSeconds(left)}` : "expired";
}
