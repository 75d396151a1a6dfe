// The diff view's pure parts: each change against the previous scan as words and a tone.

import { serviceText } from "./results";
import type { ChangeAction, ScanChange } from "./types";

const labels: Record<ChangeAction, string> = {
  host_new: "New host",
  host_gone: "Host gone",
  port_opened: "New open port",
  port_closed: "Closed port",
  service_changed: "Changed service",
};

/** The diff's order of kinds, for the summary line. */
export const changeActions: readonly ChangeAction[] = [
  "host_new",
  "port_opened",
  "service_changed",
  "port_closed",
  "host_gone",
];

export function changeLabel(action: string): string {
  return labels[action as ChangeAction] ?? action;
}

/** New exposure reads as a warning, things going away as neutral. */
export function changeTone(action: string): "warn" | "neutral" {
  return action === "host_new" || action === "port_opened" || action === "service_changed" ? "warn" : "neutral";
}

/** "127.0.0.1", or "127.0.0.1 port 22/tcp" for a port change. */
export function changeWhere(change: ScanChange): string {
  if (change.port === null) return change.address;
  return `${change.address} port ${change.port}/${change.protocol ?? "tcp"}`;
}

/** What the change was about: "ssh OpenSSH 9.2 → http nginx", the service opened or closed, or "". */
export function changeDetail(change: ScanChange): string {
  switch (change.action) {
    case "service_changed":
      return `${serviceText(change.before)} → ${serviceText(change.after)}`;
    case "port_opened":
      return change.after ? serviceText(change.after) : "";
    case "port_closed":
      return change.before ? `was ${serviceText(change.before)}` : "";
    default:
      return "";
  }
}

const nouns: Record<ChangeAction, [string, string]> = {
  host_new: ["new host", "new hosts"],
  host_gone: ["host gone", "hosts gone"],
  port_opened: ["new open port", "new open ports"],
  port_closed: ["closed port", "closed ports"],
  service_changed: ["changed service", "changed services"],
};

/** "new open port" for 1, "new open ports" for any other count. */
export function changeNoun(action: ChangeAction, count: number): string {
  return nouns[action][count === 1 ? 0 : 1];
}

/** How many changes of each kind the whole diff holds, every kind present (0 when none): the
 * server counts them over every page (`counts`), so they stay right whichever page shows. */
export function changeCounts(
  counts: Readonly<Partial<Record<string, number>>> | undefined,
): Record<ChangeAction, number> {
  const entries = changeActions.map((action) => [action, counts?.[action] ?? 0]);
  return Object.fromEntries(entries) as Record<ChangeAction, number>;
}

/** "2 new hosts, 5 new open ports, 1 closed port", in `changeActions` order; "" for none. */
export function changeSummary(counts: Readonly<Record<ChangeAction, number>>): string {
  return changeActions
    .filter((action) => counts[action] > 0)
    .map((action) => `${counts[action].toLocaleString("en-US")} ${changeNoun(action, counts[action])}`)
    .join(", ");
}
