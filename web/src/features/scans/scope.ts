// The new-scan dialog's scope check. The server owns the target grammar: the dialog asks
// POST /api/v1/scan-scopes/check about the entries as they are typed and shows its answers. What
// stays here is how the textarea becomes entries, what to ask, and how the answers read. Pure.

import type { ScopeCheckItem } from "./types";

/** The longest entry the server takes (src/scanner: kMaxTargetLength). */
const maxEntryLength = 256;

/** Splits a list on commas and whitespace, as the server does. */
export function splitTargets(text: string): string[] {
  return text.split(/[\s,]+/).filter((token) => token.length > 0);
}

/** What to ask the server about a target list. */
export interface ScopeCheckPlan {
  /** The entries as typed, '!' exclusions included. */
  entries: string[];
  /**
   * The request's targets: one per entry, in order (an exclusion without its '!', so that it is
   * checked as a target of its own; a lone '!' as it is, for the server to say what is wrong),
   * then the whole list when `list` is not one of them.
   */
  targets: string[];
  /**
   * The target that stands for the whole list: the only entry, or the entries joined by spaces,
   * which the server reads as one list with the exclusions applied, as it reads a scan's targets.
   * Null when the joined list is longer than one target may be.
   */
  list: string | null;
}

export function planScopeCheck(entries: readonly string[]): ScopeCheckPlan {
  const targets = entries.map((entry) => (entry.startsWith("!") && entry.length > 1 ? entry.slice(1) : entry));
  const [only] = entries;
  if (entries.length === 1 && only !== undefined && !only.startsWith("!")) {
    return { entries: [...entries], targets, list: only };
  }
  const joined = entries.join(" ");
  if (entries.length === 0 || joined.length > maxEntryLength) return { entries: [...entries], targets, list: null };
  return { entries: [...entries], targets: [...targets, joined], list: joined };
}

/** Whether two plans ask the same. */
export function sameTargets(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((target, i) => target === b[i]);
}

/** What the server said of one entry. */
export type EntryState =
  | { kind: "checking" }
  | { kind: "invalid"; message: string }
  | { kind: "excluded"; addresses: number }
  | { kind: "inside"; addresses: number; scopes: string[] }
  | { kind: "outside"; addresses: number; scopes: string[]; outside: string[] };

/** The answers to a plan, as the dialog shows them. */
export interface TargetsCheck {
  entries: { entry: string; state: EntryState }[];
  /** Every entry, and the whole list when it is asked about, has its answer. */
  complete: boolean;
  /** Entries that do not parse (or name a host that does not resolve). */
  invalid: number;
  /**
   * Addresses the scan covers: exact when the server counted the whole list; otherwise (a list
   * too long to send as one target) the sum of the entries, which overlaps and exclusions can
   * only lower. Null until known.
   */
  addresses: { count: number; exact: boolean } | null;
  /** What the server refuses in the whole list when every entry parses ("the exclusions remove every target"). */
  listError: string | null;
  /** What lies outside every scope: the whole list's ranges, else "entry (ranges)" per entry. */
  outside: string[];
}

function entryState(entry: string, item: ScopeCheckItem | undefined): EntryState {
  if (!item) return { kind: "checking" };
  if (!item.parses) return { kind: "invalid", message: item.error ?? "not a valid target" };
  if (entry.startsWith("!")) return { kind: "excluded", addresses: item.addresses };
  if (item.in_scope) return { kind: "inside", addresses: item.addresses, scopes: item.scopes };
  return { kind: "outside", addresses: item.addresses, scopes: item.scopes, outside: item.outside };
}

/**
 * Reads the server's answers for `plan`. Answers are matched by the target text, so that the
 * reply to an earlier list still answers the entries that have not changed since, and never
 * answers one that has.
 */
export function readScopeCheck(
  plan: ScopeCheckPlan,
  items: readonly ScopeCheckItem[] | undefined,
): TargetsCheck {
  const byTarget = new Map((items ?? []).map((item) => [item.target, item]));
  const entries = plan.entries.map((entry, i) => ({
    entry,
    state: entryState(entry, byTarget.get(plan.targets[i] ?? "")),
  }));
  const entriesDone = entries.every(({ state }) => state.kind !== "checking");
  const listItem = plan.list === null ? undefined : byTarget.get(plan.list);
  const invalid = entries.filter(({ state }) => state.kind === "invalid").length;
  const whole = listItem?.parses ? listItem : null;

  let addresses: TargetsCheck["addresses"] = null;
  if (whole) addresses = { count: whole.addresses, exact: true };
  else if (plan.list === null && entriesDone && invalid === 0) {
    const counted = ({ state }: { state: EntryState }) =>
      state.kind === "inside" || state.kind === "outside" ? state.addresses : 0;
    const count = entries.reduce((sum, entry) => sum + counted(entry), 0);
    addresses = { count, exact: false };
  }

  let outside: string[] = [];
  if (whole) outside = whole.in_scope ? [] : whole.outside;
  else if (entriesDone) {
    outside = entries.flatMap(({ entry, state }) => {
      if (state.kind !== "outside") return [];
      const ranges = state.outside;
      return [ranges.length === 1 && ranges[0] === entry ? entry : `${entry} (${ranges.join(", ")})`];
    });
  }

  return {
    entries,
    complete: entriesDone && (plan.list === null || listItem !== undefined),
    invalid,
    addresses,
    listError:
      invalid === 0 && listItem && !listItem.parses ? (listItem.error ?? "not a valid list").replace(/\.$/, "") : null,
    outside,
  };
}

export type Tone = "ok" | "bad" | "muted";

/** One entry's verdict in a few words. `failed`: the check could not be made. */
export function entryVerdict(state: EntryState, failed: boolean): { tone: Tone; text: string } {
  switch (state.kind) {
    case "checking":
      return { tone: "muted", text: failed ? "not checked" : "checking…" };
    case "invalid":
      return { tone: "bad", text: state.message };
    case "excluded":
      return { tone: "muted", text: "excluded" };
    case "inside":
      return { tone: "ok", text: `in ${state.scopes.join(", ")}` };
    case "outside": {
      const part = state.scopes.length > 0 ? `; the rest in ${state.scopes.join(", ")}` : "";
      return { tone: "bad", text: `outside: ${state.outside.join(", ")}${part}` };
    }
  }
}

/** "1 address", "4,194,304 addresses". */
export function addressesText(count: number): string {
  return `${count.toLocaleString("en-US")} ${count === 1 ? "address" : "addresses"}`;
}

/** The sentences under the targets: what the server will make of the list as a whole. */
export function summaryLines(check: TargetsCheck, scopesConfigured: boolean): { tone: Tone; text: string }[] {
  const lines: { tone: Tone; text: string }[] = [];
  if (check.invalid > 0) {
    const noun = check.invalid === 1 ? "entry is not a valid target" : "entries are not valid targets";
    lines.push({ tone: "bad", text: `${check.invalid} ${noun}; the server will refuse this scan.` });
  }
  if (check.listError) lines.push({ tone: "bad", text: `The list as a whole: ${check.listError}.` });
  if (!scopesConfigured) {
    lines.push({ tone: "bad", text: "No scan scopes are configured, so the server refuses every scan." });
  } else if (check.outside.length > 0) {
    const text = `Outside the scan scopes: ${check.outside.join(", ")}. The server will refuse this scan.`;
    lines.push({ tone: "bad", text });
  } else if (check.complete && check.invalid === 0 && !check.listError && check.addresses) {
    const { count, exact } = check.addresses;
    lines.push(
      exact
        ? { tone: "ok", text: `All ${addressesText(count)} ${count === 1 ? "is" : "are"} inside the scan scopes.` }
        : {
            tone: "ok",
            text:
              `Every entry is inside the scan scopes: at most ${addressesText(count)} in all ` +
              "(overlaps and exclusions are taken off when the scan starts).",
          },
    );
  }
  return lines;
}
