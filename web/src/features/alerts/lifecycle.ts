import type { AlertStatus } from "./types";

/** A button of the alert page and the status it moves the alert to. */
export interface LifecycleAction {
  label: string;
  to: AlertStatus;
}

const acknowledge: LifecycleAction = { label: "Acknowledge", to: "acknowledged" };
const resolve: LifecycleAction = { label: "Resolve", to: "resolved" };
const falsePositive: LifecycleAction = { label: "False positive", to: "false_positive" };
const reopen: LifecycleAction = { label: "Reopen", to: "new" };

/**
 * The moves the server allows from `status` (src/alerts/alert_status.cpp): new → acknowledged,
 * resolved or false positive; acknowledged → resolved or false positive (no way back: it is a
 * claim that someone is on it); resolved ↔ false positive; a closed alert reopens as new.
 */
export function allowedActions(status: AlertStatus): LifecycleAction[] {
  switch (status) {
    case "new":
      return [acknowledge, resolve, falsePositive];
    case "acknowledged":
      return [resolve, falsePositive];
    case "resolved":
      return [falsePositive, reopen];
    case "false_positive":
      return [resolve, reopen];
    default:
      return [];
  }
}

export const statuses: readonly AlertStatus[] = ["new", "acknowledged", "resolved", "false_positive"];

/** Open alerts still need someone: the list's default. */
export const openStatuses: readonly AlertStatus[] = ["new", "acknowledged"];

const statusLabels: Record<AlertStatus, string> = {
  new: "New",
  acknowledged: "Acknowledged",
  resolved: "Resolved",
  false_positive: "False positive",
};

/** "False positive"; an unknown name is shown as it came. */
export function statusLabel(status: string): string {
  return statusLabels[status as AlertStatus] ?? status;
}

/** Badge tone of a status: open ones stand out, closed ones recede. */
export function statusTone(status: string): "ok" | "warn" | "bad" | "neutral" {
  if (status === "new") return "bad";
  if (status === "acknowledged") return "warn";
  if (status === "resolved") return "ok";
  return "neutral";
}
