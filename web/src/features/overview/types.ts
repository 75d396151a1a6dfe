/** Response types of the APIs the overview reads (checked against the running server's JSON). */

export type AgentStatus = "online" | "offline" | "revoked";

/** The fields of GET /api/v1/agents/{id} (and of agent stream messages) the overview uses. */
export interface AgentRecord {
  id: string;
  hostname: string;
  os: string;
  status: AgentStatus;
  last_seen: string | null;
}

/** GET /api/v1/agents: one page and the number of every match. */
export interface AgentPage {
  items: AgentRecord[];
  total: number;
}

/** One hour of GET /api/v1/events/summary. */
export interface SummaryBucket {
  /** ISO time the bucket starts. */
  start: string;
  count: number;
}

/** GET /api/v1/events/summary?hours=N: per-hour counts (oldest first, zeros included), the most
 * frequent types and the agents with the most events. */
export interface EventSummary {
  since: string;
  bucket_s: number;
  buckets: SummaryBucket[];
  by_type: { type: string; count: number }[];
  top_agents: { agent_id: string; count: number }[];
}

/** One entry of GET /api/v1/audit (and of audit stream messages). */
export interface AuditEntry {
  seq: number;
  time: string;
  time_ms: number;
  actor: string;
  action: string;
  target: string;
  source_address: string;
  outcome: string;
}

/** GET /api/v1/audit: newest first. */
export interface AuditPage {
  items: AuditEntry[];
  next_before: number | null;
}
