// The timeline folds what one inventory pass changed in one section into one line when it is
// much: process churn, or the first packages of a new host, would otherwise bury everything else.

import type { InventoryChange } from "./types";

export interface TimelineGroup {
  /** Stable across re-renders and pages: the id of the group's first (newest) change. */
  key: number;
  time: string;
  section: string;
  changes: InventoryChange[];
  /** Shown folded, with `summary` as its line. */
  folded: boolean;
  summary: string;
}

/** More changes than this from one pass in one section are folded; processes always are. */
export const FOLD_OVER = 5;

const words: Record<string, { one: string; many: string; added: string; removed: string }> = {
  packages: { one: "package", many: "packages", added: "installed", removed: "removed" },
  processes: { one: "process", many: "processes", added: "started", removed: "exited" },
  listening: { one: "port", many: "ports", added: "opened", removed: "closed" },
  users: { one: "user", many: "users", added: "created", removed: "deleted" },
  groups: { one: "group", many: "groups", added: "created", removed: "deleted" },
  sessions: { one: "session", many: "sessions", added: "started", removed: "ended" },
  disks: { one: "disk", many: "disks", added: "mounted", removed: "unmounted" },
  interfaces: { one: "network interface", many: "network interfaces", added: "added", removed: "removed" },
};

/** "12 processes started, 9 exited, 1 changed". */
export function summarise(section: string, changes: readonly InventoryChange[]): string {
  const word = words[section] ?? { one: `${section} item`, many: `${section} items`, added: "added", removed: "removed" };
  const count = (kind: InventoryChange["kind"]) => changes.filter((change) => change.kind === kind).length;
  const parts = [
    [count("added"), word.added],
    [count("removed"), word.removed],
    [count("changed"), "changed"],
  ].filter(([n]) => Number(n) > 0);
  // The noun goes with the first count: "1 port closed, 2 changed".
  return parts
    .map(([n, verb], i) => (i === 0 ? `${n} ${n === 1 ? word.one : word.many} ${verb}` : `${n} ${verb}`))
    .join(", ");
}

/** Consecutive changes (newest first) of the same time and section, grouped. */
export function groupChanges(changes: readonly InventoryChange[]): TimelineGroup[] {
  const groups: TimelineGroup[] = [];
  for (const change of changes) {
    const last = groups[groups.length - 1];
    if (last && last.time === change.time && last.section === change.section) last.changes.push(change);
    else {
      const { id: key, time, section } = change;
      groups.push({ key, time, section, changes: [change], folded: false, summary: "" });
    }
  }
  for (const group of groups) {
    const many = group.changes.length > FOLD_OVER;
    group.folded = group.changes.length > 1 && (many || group.section === "processes");
    group.summary = group.folded ? summarise(group.section, group.changes) : "";
  }
  return groups;
}
