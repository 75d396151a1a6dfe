// The assignments editor's rows and the PUT .../assignments body they make.

import type { Assignment, AssignmentInput } from "./types";

export interface AssignmentRow {
  kind: "group" | "agent";
  value: string;
  /** As typed; an integer, higher wins. */
  priority: string;
}

export function rowsOf(assignments: readonly Assignment[]): AssignmentRow[] {
  return assignments.map((a) =>
    a.agent_id !== undefined
      ? { kind: "agent", value: a.agent_id, priority: String(a.priority) }
      : { kind: "group", value: a.group ?? "", priority: String(a.priority) },
  );
}

export const newAssignmentRow = (): AssignmentRow => ({ kind: "group", value: "", priority: "0" });

/** The body, or the first row at fault (0-based) with what is wrong. */
export function assignmentsBody(
  rows: readonly AssignmentRow[],
): { body: { assignments: AssignmentInput[] } } | { row: number; message: string } {
  const seen = new Set<string>();
  const assignments: AssignmentInput[] = [];
  for (const [row, entry] of rows.entries()) {
    const value = entry.value.trim();
    const noun = entry.kind === "group" ? "group" : "agent";
    if (!value) return { row, message: `Name the ${noun}.` };
    const priorityText = entry.priority.trim() || "0";
    if (!/^-?\d{1,15}$/.test(priorityText)) return { row, message: "The priority is a whole number." };
    const key = `${entry.kind}:${value}`;
    if (seen.has(key)) return { row, message: `The ${noun} ${value} is listed twice.` };
    seen.add(key);
    const priority = Number(priorityText);
    assignments.push(entry.kind === "group" ? { group: value, priority } : { agent_id: value, priority });
  }
  return { body: { assignments } };
}

/** "group web (priority 5)", "agent 0f3c… (priority 0)". */
export function assignmentText(assignment: Pick<Assignment, "group" | "agent_id" | "priority">): string {
  const target = assignment.agent_id !== undefined ? `agent ${assignment.agent_id}` : `group ${assignment.group ?? ""}`;
  return `${target} (priority ${assignment.priority})`;
}
