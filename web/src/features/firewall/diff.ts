// The version diff in words (GET .../diff, src/firewall/policy/policy_diff.cpp): each rule's
// change with where it was and went, each object's, and a summary line.

import type { ChangeKind, PolicyDiff, RulePosition } from "./types";
import type { Tone } from "./status";

const changeLabels: Record<ChangeKind, string> = {
  added: "Added",
  removed: "Removed",
  moved: "Moved",
  changed: "Changed",
};

export function changeLabel(change: string): string {
  return changeLabels[change as ChangeKind] ?? change;
}

/** Added reads as good news, removed as a warning, the rest neutral. */
export function changeTone(change: string): Tone {
  if (change === "added") return "ok";
  if (change === "removed") return "bad";
  return change === "changed" ? "warn" : "neutral";
}

/** "input #1" (1-based, as people count rules). */
export function positionText(position: RulePosition | null): string {
  return position ? `${position.chain} #${position.index + 1}` : "";
}

/** "input #1 → input #3", "output #2" (added), "input #4" (removed or unchanged place). */
export function whereText(before: RulePosition | null, after: RulePosition | null): string {
  if (before && after) {
    const from = positionText(before);
    const to = positionText(after);
    return from === to ? to : `${from} → ${to}`;
  }
  return positionText(after ?? before);
}

/** The changed fields of a rule, with "position" and "chain" spelled for people. */
export function fieldsText(fields: readonly string[] | undefined): string {
  if (!fields || fields.length === 0) return "";
  return fields
    .map((field) => (field === "position" ? "order" : field === "chain" ? "chain" : field.replaceAll("_", " ")))
    .join(", ");
}

const objectTypes: Record<string, string> = {
  address_set: "Address set",
  port_set: "Port set",
  service: "Service",
};

export function objectTypeLabel(type: string): string {
  return objectTypes[type] ?? type.replaceAll("_", " ");
}

/** "+10.0.0.0/8 +192.0.2.7 −172.16.0.0/12": entries that came and went. */
export function entriesText(added: readonly string[] = [], removed: readonly string[] = []): string {
  return [...added.map((entry) => `+${entry}`), ...removed.map((entry) => `−${entry}`)].join(" ");
}

/** "2 rules added, 1 changed, 1 object changed, default policy of input"; "" when nothing differs. */
export function diffSummary(diff: PolicyDiff): string {
  const parts: string[] = [];
  const counts = new Map<string, number>();
  for (const rule of diff.rules) counts.set(rule.change, (counts.get(rule.change) ?? 0) + 1);
  const ruleParts = (["added", "removed", "moved", "changed"] as const)
    .filter((change) => counts.has(change))
    .map((change) => `${counts.get(change)} ${change}`);
  if (ruleParts.length > 0) {
    const total = diff.rules.length;
    parts.push(`${total === 1 ? "1 rule" : `${total} rules`}: ${ruleParts.join(", ")}`);
  }
  if (diff.objects.length > 0) {
    parts.push(`${diff.objects.length} ${diff.objects.length === 1 ? "object" : "objects"} changed`);
  }
  if (diff.default_policies.length > 0) {
    parts.push(`default policy of ${diff.default_policies.map((change) => change.chain).join(", ")}`);
  }
  if (diff.description_changed) parts.push("description");
  return parts.join("; ");
}

/** True when the two versions hold the same policy. */
export function isEmptyDiff(diff: PolicyDiff): boolean {
  return !diff.description_changed && diff.default_policies.length === 0 && diff.objects.length === 0 && diff.rules.length === 0;
}
