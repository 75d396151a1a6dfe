import type { Severity } from "./types";

/** Every severity, lowest first: the order of the rule's `level`. */
export const severities: readonly Severity[] = ["informational", "low", "medium", "high", "critical"];

const labels: Record<Severity, string> = {
  informational: "Informational",
  low: "Low",
  medium: "Medium",
  high: "High",
  critical: "Critical",
};

/** "Critical"; an unknown name (a newer server) is shown as it came. */
export function severityLabel(severity: string): string {
  return labels[severity as Severity] ?? severity;
}

/** 0 (informational) to 4 (critical); -1 for a name this portal does not know. */
export function severityRank(severity: string): number {
  return severities.indexOf(severity as Severity);
}

/** Whether `severity` is `minimum` or above (an empty minimum admits all). */
export function atLeast(severity: string, minimum: Severity | ""): boolean {
  return minimum === "" || severityRank(severity) >= severityRank(minimum);
}

/** Badge colours: semantic classes only, so both themes work. The text always says the severity
 * too, so colour is never the only cue. */
export function severityClasses(severity: string): string {
  switch (severity) {
    case "critical":
      return "bg-bad text-white";
    case "high":
      return "bg-bad/15 text-bad";
    case "medium":
      return "bg-warn/15 text-warn";
    case "low":
      return "bg-accent/15 text-accent";
    default:
      return "bg-raised text-muted";
  }
}

/**
 * Open alerts per severity from the totals of "at least S" queries (the API filters by minimum
 * severity): exactly S = at least S − at least the next one up.
 */
export function countsBySeverity(atLeastTotals: readonly number[]): Record<Severity, number> {
  const counts = {} as Record<Severity, number>;
  severities.forEach((severity, index) => {
    const here = atLeastTotals[index] ?? 0;
    const above = atLeastTotals[index + 1] ?? 0;
    counts[severity] = Math.max(0, here - above);
  });
  return counts;
}
