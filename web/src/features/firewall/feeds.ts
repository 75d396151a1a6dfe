// The feeds page's pure parts: a feed's last fetch, next fetch and contents in words, the outcome
// of a refresh, and the add/edit form with the body it sends (POST /api/v1/firewall/feeds,
// PUT .../feeds/{name}; src/firewall/feed_routes.cpp).

import { formatSeconds, parseDuration } from "./duration";
import type { Tone } from "./status";
import type { Feed, FeedChange, FeedFormat, FeedInput, FeedProblem, FeedRefresh } from "./types";

const count = (n: number, one: string, many: string) => `${n.toLocaleString("en-US")} ${n === 1 ? one : many}`;

/** "3 networks", "1 network", "no networks". */
export function networksText(entries: number): string {
  return entries === 0 ? "no networks" : count(entries, "network", "networks");
}

/** "2 skipped" for lines the last fetch skipped and networks the allow-list left out; null for none. */
export function skippedText(badLines: number): string | null {
  return badLines > 0 ? `${badLines.toLocaleString("en-US")} skipped` : null;
}

/** How the last fetch went, in one word and a tone. */
export function fetchOutcome(feed: Feed): { label: string; tone: Tone } {
  if (feed.last_error) return { label: "Failed", tone: "bad" };
  if (!feed.last_fetch_at) return { label: "Not fetched yet", tone: "neutral" };
  // The skipped count shows beside the networks.
  if (feed.bad_lines > 0) return { label: "Fetched", tone: "warn" };
  return { label: "Fetched", tone: "ok" };
}

/** "in 9 min", "due now" once the time has come, "disabled" for a disabled feed. */
export function nextFetchText(feed: Feed, now: number): string {
  if (!feed.enabled || !feed.next_fetch_at) return "disabled";
  const due = Date.parse(feed.next_fetch_at);
  if (Number.isNaN(due)) return "—";
  const seconds = Math.ceil((due - now) / 1000);
  return seconds > 0 ? `in ${formatSeconds(seconds)}` : "due now";
}

/** "line 3: more than one entry on the line", or the message alone (allow-list left-outs). */
export function problemText(problem: FeedProblem): string {
  return problem.line ? `line ${problem.line}: ${problem.message}` : problem.message;
}

/** The sentence a refresh ends with, and whether it went well. */
export function refreshSummary(name: string, outcome: FeedRefresh): { text: string; ok: boolean } {
  if (!outcome.ok) {
    const kept = outcome.entries > 0 ? ` The previous ${networksText(outcome.entries)} stay.` : "";
    return { text: `Feed ${name} could not be fetched: ${outcome.error ?? "unknown error"}.${kept}`, ok: false };
  }
  const parts = [networksText(outcome.entries)];
  const skipped = skippedText(outcome.bad_lines);
  if (skipped) parts.push(skipped);
  let text = `Feed ${name} fetched: ${parts.join(", ")}`;
  if (outcome.changed) {
    text += outcome.agents.length > 0 ? `; applied again on ${count(outcome.agents.length, "agent", "agents")}` : "; changed";
  } else {
    text += ", unchanged";
  }
  return { text: `${text}.`, ok: true };
}

/** The earliest time an enabled feed is due, in epoch ms; null when none is. */
export function nextDue(feeds: readonly Feed[]): number | null {
  let earliest: number | null = null;
  for (const feed of feeds) {
    if (!feed.enabled || !feed.next_fetch_at) continue;
    const due = Date.parse(feed.next_fetch_at);
    if (!Number.isNaN(due) && (earliest === null || due < earliest)) earliest = due;
  }
  return earliest;
}

/** A scheduled fetch is not published on the stream: the list is fetched again a little after the
 * next one is due (the server's scheduler looks every 5 s and a fetch may take 20 s), never more
 * often than every `floorMs`. False when no feed is due. */
export function refetchDelay(feeds: readonly Feed[], now: number, floorMs = 15_000): number | false {
  const due = nextDue(feeds);
  if (due === null) return false;
  return Math.max(floorMs, due - now + 10_000);
}

/** "1h", "1h 30m", "10m", "45s", "1d": the interval as the form's field takes it back. */
export function intervalText(seconds: number): string {
  const units: [number, string][] = [
    [86_400, "d"],
    [3600, "h"],
    [60, "m"],
    [1, "s"],
  ];
  const parts: string[] = [];
  let left = Math.max(0, Math.round(seconds));
  for (const [size, unit] of units) {
    if (left >= size) {
      parts.push(`${Math.floor(left / size)}${unit}`);
      left %= size;
    }
  }
  return parts.length > 0 ? parts.join(" ") : "0";
}

export interface FeedForm {
  name: string;
  source: string;
  format: FeedFormat;
  column: string;
  refresh: string;
  enabled: boolean;
  description: string;
}

/** The form for a new feed (hourly, as the server's default) or for editing `feed`. */
export function feedForm(feed?: Feed): FeedForm {
  if (!feed) return { name: "", source: "", format: "plain", column: "", refresh: "1h", enabled: true, description: "" };
  return {
    name: feed.name,
    source: feed.source,
    format: feed.format,
    column: feed.column,
    refresh: intervalText(feed.refresh_s),
    enabled: feed.enabled,
    description: feed.description,
  };
}

/** A form problem, named with the server's field so it shows where the server's would. */
export interface FeedFieldProblem {
  field: "refresh_s";
  message: string;
}

/** The fields a form shows for `format`: the column only for csv. */
export function feedFields(format: FeedFormat): string[] {
  const fields = ["name", "source", "format", "refresh_s", "enabled", "description"];
  return format === "csv" ? [...fields, "column"] : fields;
}

/**
 * What the form sends: the whole definition for a new feed, only what changed for `original`
 * (an empty change is none to send). Everything the server checks is left to it, so that one
 * refusal names every problem; only an interval that does not read as one is refused here.
 */
export function feedBody(form: FeedForm): { body: FeedInput } | FeedFieldProblem;
export function feedBody(form: FeedForm, original: Feed): { body: FeedChange } | FeedFieldProblem;
export function feedBody(form: FeedForm, original?: Feed): { body: FeedInput | FeedChange } | FeedFieldProblem {
  const refresh = parseDuration(form.refresh);
  if (refresh === null) {
    return { field: "refresh_s", message: "Write an interval such as 3600, 30m, 6h or 1d." };
  }
  const whole: FeedInput = {
    name: form.name.trim(),
    source: form.source.trim(),
    format: form.format,
    // A plain feed has no column: one left over from csv would be refused.
    column: form.format === "csv" ? form.column.trim() : "",
    refresh_s: refresh,
    enabled: form.enabled,
    description: form.description.trim(),
  };
  if (!original) return { body: whole };
  const change: FeedChange = {};
  if (whole.source !== original.source) change.source = whole.source;
  if (whole.format !== original.format) change.format = whole.format;
  if (whole.column !== original.column) change.column = whole.column;
  if (whole.refresh_s !== original.refresh_s) change.refresh_s = whole.refresh_s;
  if (whole.enabled !== original.enabled) change.enabled = whole.enabled;
  if (whole.description !== original.description) change.description = whole.description;
  return { body: change };
}
