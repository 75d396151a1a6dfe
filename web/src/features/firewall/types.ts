// Answers of /api/v1/firewall (src/firewall/firewall_json.cpp, block_json.cpp, block_routes.cpp,
// policy_routes.cpp) and the stream's "firewall" messages, checked against a running server.
// Times are ISO 8601 UTC.

export type Severity = "error" | "warning";

/** One problem of a policy document (include/sentinel/firewall/policy_problem.h). `path` is a
 * JSON path such as "chains.input.rules[3].ports[0]"; rule problems also name the rule. */
export interface Problem {
  severity: Severity;
  code: string;
  path?: string;
  rule_id?: string;
  rule_index?: number;
  message: string;
}

/** One item of GET /api/v1/firewall/policies. `version` is the newest version. */
export interface PolicySummary {
  id: number;
  name: string;
  description: string;
  version: number;
  created_at: string;
  created_by: string;
  updated_at: string;
  updated_by: string;
}

export interface PolicyPage {
  items: PolicySummary[];
  total: number;
}

/** GET /api/v1/firewall/policies/{id}: the summary with the newest version's document. */
export interface PolicyDetail extends PolicySummary {
  sha256: string;
  comment: string;
  author: string;
  /** The canonical document as the server stored it. */
  document: unknown;
}

/** POST and PUT answers: the saved version, with the warnings it was saved with. */
export interface SavedPolicy extends PolicyDetail {
  warnings: Problem[];
}

/** One item of GET .../versions (newest first); GET .../versions/{n} adds `document`. */
export interface PolicyVersion {
  policy_id: number;
  version: number;
  author: string;
  created_at: string;
  comment: string;
  sha256: string;
  document?: unknown;
}

/** POST /api/v1/firewall/validate. */
export interface ValidationResult {
  valid: boolean;
  errors: number;
  warnings: number;
  problems: Problem[];
}

/** GET .../preview: `nft` is null when the version has errors for that agent. */
export interface PolicyPreview {
  policy_id: number;
  version: number;
  agent_id: string | null;
  nft: string | null;
  problems: Problem[];
}

export type ChainName = "input" | "output" | "forward";

export interface RulePosition {
  chain: ChainName;
  index: number;
}

export type ChangeKind = "added" | "removed" | "moved" | "changed";

/** GET .../diff: per rule id, per object, default policies (src/firewall/policy/policy_diff.cpp). */
export interface PolicyDiff {
  description_changed: boolean;
  default_policies: { chain: ChainName; before: string; after: string }[];
  objects: {
    change: Exclude<ChangeKind, "moved">;
    type: string;
    name: string;
    fields?: string[];
    added_entries?: string[];
    removed_entries?: string[];
  }[];
  rules: {
    change: ChangeKind;
    id: string;
    before: RulePosition | null;
    after: RulePosition | null;
    fields?: string[];
  }[];
}

export interface PolicyDiffAnswer {
  policy_id: number;
  from: number;
  to: number;
  diff: PolicyDiff;
}

/** One assignment: a group or one agent, with a priority (higher wins). */
export interface Assignment {
  policy_id: number;
  group?: string;
  agent_id?: string;
  priority: number;
  created_at: string;
  created_by: string;
}

/** PUT .../assignments body entry. */
export type AssignmentInput = { group: string; priority: number } | { agent_id: string; priority: number };

/** One item of GET /api/v1/firewall/status: an agent's applied state plus its effective policy. */
export interface AgentFirewallStatus {
  agent_id: string;
  policy_id: number | null;
  version: number | null;
  document_hash: string | null;
  listing_hash: string | null;
  sets: Record<string, number>;
  applied_at: string | null;
  confirmed: boolean;
  confirmed_at: string | null;
  confirmed_policy_id: number | null;
  confirmed_version: number | null;
  last_error: string | null;
  last_error_at: string | null;
  drift_count: number;
  last_drift_at: string | null;
  last_drift_kind: string | null;
  rolled_back_at: string | null;
  rolled_back_version: number | null;
  restored_version: number | null;
  updated_at: string;
  effective: { policy_id: number; policy_name: string; version: number } | null;
  in_sync: boolean;
}

export type ApplyOutcome = "confirmed" | "unconfirmed" | "failed" | "refused" | "offline" | "no_policy" | "pending";

/** POST /api/v1/firewall/apply: one outcome per agent. */
export interface ApplyResult {
  agent_id: string;
  outcome: ApplyOutcome | string;
  policy_id: number | null;
  version: number | null;
  error: string | null;
  problems?: Problem[];
}

export type BlockScope = "agent" | "group" | "all";

/** One block (src/firewall/block_json.cpp). `remaining_s` is as of the answer. */
export interface Block {
  id: number;
  address: string;
  scope: BlockScope;
  agent_id: string | null;
  group: string | null;
  reason: string;
  /** The username, or "rule:" + the rule id. */
  requested_by: string;
  rule_id: string | null;
  alert_id: number | null;
  offence: number;
  requested_duration_s: number;
  duration_s: number;
  started_at: string;
  expires_at: string;
  active: boolean;
  remaining_s: number;
  removed_at: string | null;
  removed_by: string | null;
}

export interface BlockPage {
  items: Block[];
  total: number;
}

/** POST /api/v1/firewall/blocks body: neither agent_id nor group means every agent. */
export interface NewBlock {
  address: string;
  duration_s: number;
  agent_id?: string;
  group?: string;
  reason?: string;
}

/** One item of GET /api/v1/firewall/allow-list; built-in entries have no id. */
export interface AllowListEntry {
  id: number | null;
  cidr: string;
  comment: string;
  builtin: boolean;
  created_by: string | null;
  created_at: string | null;
}

/** POST /api/v1/firewall/allow-list answer: the entry and the blocks it lifted. */
export interface AddedAllowListEntry extends AllowListEntry {
  lifted_blocks: number[];
}

export type FeedFormat = "plain" | "csv";

/** A skipped line of a feed's last fetch (the first ones), or a network the allow-list left out
 * (no line). */
export interface FeedProblem {
  line?: number;
  message: string;
}

/** One item of GET /api/v1/firewall/feeds (src/firewall/feed_json.cpp). Readers without
 * firewall:write see the source with its query values hidden. */
export interface Feed {
  name: string;
  source: string;
  format: FeedFormat;
  /** csv: the header name or 1-based number of the address column; "" for plain. */
  column: string;
  refresh_s: number;
  enabled: boolean;
  description: string;
  created_at: string;
  created_by: string;
  updated_at: string;
  updated_by: string;
  /** Null while disabled. */
  next_fetch_at: string | null;
  last_fetch_at: string | null;
  last_success_at: string | null;
  /** Networks stored by the last successful fetch. */
  entries: number;
  /** Lines that fetch skipped, and networks the allow-list left out. */
  bad_lines: number;
  problems: FeedProblem[];
  /** The last failed fetch; null once one succeeded. */
  last_error: string | null;
}

/** GET /api/v1/firewall/feeds/{name}: the feed and the policies whose newest version names it. */
export interface FeedDetail extends Feed {
  used_by: { id: number; name: string }[];
}

/** POST /api/v1/firewall/feeds body; PUT .../feeds/{name} takes any of it but the name. */
export interface FeedInput {
  name: string;
  source: string;
  format: FeedFormat;
  column: string;
  refresh_s: number;
  enabled: boolean;
  description: string;
}

export type FeedChange = Partial<Omit<FeedInput, "name">>;

/** POST .../feeds/{name}/refresh: how the fetch went; a failed fetch keeps the stored networks. */
export interface FeedRefresh {
  ok: boolean;
  error?: string;
  entries: number;
  bad_lines: number;
  problems: FeedProblem[];
  changed: boolean;
  /** Agents whose policy was applied again because the networks changed. */
  agents: string[];
  feed: Feed;
}
