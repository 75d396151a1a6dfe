// Answers of GET /api/v1/audit and /api/v1/audit/verify (checked against a running server).

/** One audit entry; the stream's {"type":"audit","entry":{...}} carries the same object. */
export interface AuditEntry {
  /** Position in the hash chain: 1 is the oldest entry. */
  seq: number;
  /** ISO 8601 UTC. */
  time: string;
  time_ms: number;
  /** Username, "system" or "anonymous". */
  actor: string;
  /** Dotted name, e.g. "user.create", "auth.login". */
  action: string;
  /** What was acted on, e.g. "user:2", "role:ops". */
  target: string;
  source_address: string;
  /** "success", "failure", "denied", ... */
  outcome: string;
  /** Facts of the action: an object, or the stored text when it was not JSON. */
  details: Record<string, unknown> | string;
}

/** A page of entries, newest first; `next_before` asks for the next older page (null: no more). */
export interface AuditPage {
  items: AuditEntry[];
  next_before: number | null;
}

/** The hash chain check: intact, or the first entry where it breaks and why. */
export interface AuditVerification {
  intact: boolean;
  checked: number;
  first_broken_seq: number | null;
  problem: string;
}
