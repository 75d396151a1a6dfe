/** GET /api/v1/events/summary; agents and audit entries use the agents and audit features' types. */

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
