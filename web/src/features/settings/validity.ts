import { toDate } from "../../lib/time";

/** Whether a certificate is usable now and for how long, for a badge beside it. */
export interface Validity {
  tone: "ok" | "warn" | "bad";
  text: string;
}

const dayMs = 86_400_000;
/** Renewal is due this close to the end; agents and browsers start failing at the end itself. */
export const renewWarningDays = 30;

/** "Valid for 364 more days", "Expires in 12 days" (warn), "Expired 3 days ago", "Not valid before …". */
export function certificateValidity(notBefore: string, notAfter: string, now: number = Date.now()): Validity {
  const start = toDate(notBefore);
  const end = toDate(notAfter);
  if (!start || !end) return { tone: "bad", text: "Validity unknown" };
  if (now < start.getTime()) return { tone: "bad", text: "Not valid yet" };
  const left = end.getTime() - now;
  if (left <= 0) {
    const ago = Math.floor(-left / dayMs);
    return { tone: "bad", text: ago === 0 ? "Expired today" : `Expired ${ago} ${ago === 1 ? "day" : "days"} ago` };
  }
  const days = Math.floor(left / dayMs);
  if (days < renewWarningDays) {
    return { tone: "warn", text: days === 0 ? "Expires today" : `Expires in ${days} ${days === 1 ? "day" : "days"}` };
  }
  return { tone: "ok", text: `Valid for ${days} more days` };
}
