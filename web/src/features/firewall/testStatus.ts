// An agent's firewall state for the tests of the features that show it; not part of the app.
import type { AgentFirewallStatus } from "./types";

/** An agent holding version 3 of policy 1 ("web"), confirmed and in sync. */
export const firewallStatus = (agentId: string, overrides: Partial<AgentFirewallStatus> = {}): AgentFirewallStatus => ({
  agent_id: agentId,
  policy_id: 1,
  version: 3,
  document_hash: "h",
  listing_hash: "l",
  sets: {},
  applied_at: "2026-11-26T10:00:00Z",
  confirmed: true,
  confirmed_at: "2026-11-26T10:00:01Z",
  confirmed_policy_id: 1,
  confirmed_version: 3,
  last_error: null,
  last_error_at: null,
  drift_count: 0,
  last_drift_at: null,
  last_drift_kind: null,
  rolled_back_at: null,
  rolled_back_version: null,
  restored_version: null,
  updated_at: "2026-11-26T10:00:01Z",
  effective: { policy_id: 1, policy_name: "web", version: 3 },
  in_sync: true,
  ...overrides,
});
