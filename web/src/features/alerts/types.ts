// Answers of /api/v1/alerts (src/alerts/alert_json.cpp) and the stream's "alert" messages.
import type { HostEvent } from "../events/types";

export type Severity = "informational" | "low" | "medium" | "high" | "critical";
export type AlertStatus = "new" | "acknowledged" | "resolved" | "false_positive";

/** One alert: a (rule, agent, entity) deduplicated within the rule's window. */
export interface Alert {
  id: number;
  rule_id: string;
  rule_title: string;
  severity: Severity;
  status: AlertStatus;
  /** Null for alerts about no single agent. */
  agent_id: string | null;
  hostname: string | null;
  /** What the alert is about, "source.ip=203.0.113.9". */
  entity: string;
  summary: string;
  /** Sigma tags: "attack.t1110.001", "attack.credential_access", ... */
  tags: string[];
  /** Matches folded into this alert. */
  count: number;
  /** ISO 8601 (or Unix ms; lib/time accepts both). */
  first_seen: string | number;
  last_seen: string | number;
  assignee: string | null;
  comment_count: number;
}

/** GET /api/v1/alerts: newest last_seen first; `total` counts every match. */
export interface AlertPage {
  items: Alert[];
  total: number;
}

export interface AlertComment {
  id: number;
  author: string;
  text: string;
  created_at: string | number;
}

/** GET /api/v1/alerts/{id}: the alert with its evidence (oldest first, up to 100) and comments. */
export interface AlertDetail extends Alert {
  evidence: HostEvent[];
  comments: AlertComment[];
}

/** PATCH /api/v1/alerts/{id}: a null assignee unassigns. */
export interface AlertUpdate {
  status?: AlertStatus;
  assignee?: string | null;
}

/** What a stream message of type "alert" carries. */
export interface AlertChange {
  action: "created" | "updated";
  alert: Alert;
}
