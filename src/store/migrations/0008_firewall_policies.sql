-- Firewall policies (ADR 0006, "Policy model", "Commit-confirm"): policies, their immutable
-- versions, their assignments to agent groups and single agents, and what each agent last
-- applied, confirmed, drifted from or rolled back. Times are Unix milliseconds.

-- One policy. version is the number of its newest version: an edit based on an older number is
-- refused (409), so two admins editing the same policy conflict instead of overwriting.
CREATE TABLE firewall_policies (
  id {{id}},
  name TEXT NOT NULL UNIQUE,
  description TEXT NOT NULL DEFAULT '',
  version BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  created_by TEXT NOT NULL,
  updated_at BIGINT NOT NULL,
  updated_by TEXT NOT NULL
);

-- Every save of a policy, never changed afterwards (a rollback saves an old document as a new
-- version). document is the canonical JSON of the parsed document; sha256 its hex SHA-256, which
-- the agent reports back after an apply.
CREATE TABLE firewall_policy_versions (
  policy_id BIGINT NOT NULL REFERENCES firewall_policies (id) ON DELETE CASCADE,
  version BIGINT NOT NULL,
  author TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  comment TEXT NOT NULL DEFAULT '',
  document TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  PRIMARY KEY (policy_id, version)
);

-- A policy assigned to an agent group (group_name) or to one agent (agent_id), exactly one of
-- them. An agent's effective policy: its own assignments before its group's, then the highest
-- priority, then the lowest policy id.
CREATE TABLE firewall_assignments (
  id {{id}},
  policy_id BIGINT NOT NULL REFERENCES firewall_policies (id) ON DELETE CASCADE,
  group_name TEXT,
  agent_id TEXT REFERENCES agents (id) ON DELETE CASCADE,
  priority BIGINT NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL,
  created_by TEXT NOT NULL,
  CHECK ((group_name IS NULL AND agent_id IS NOT NULL) OR
         (group_name IS NOT NULL AND agent_id IS NULL))
);

CREATE UNIQUE INDEX firewall_assignments_policy_group ON firewall_assignments (policy_id, group_name);
CREATE UNIQUE INDEX firewall_assignments_policy_agent ON firewall_assignments (policy_id, agent_id);
CREATE INDEX firewall_assignments_group ON firewall_assignments (group_name);
CREATE INDEX firewall_assignments_agent ON firewall_assignments (agent_id);

-- What one agent's firewall is, as far as the server knows. policy_id, version and
-- document_hash: the release last applied (confirmed says whether the agent confirmed it);
-- confirmed_*: the release the agent falls back to. listing_hash and sets (JSON object: set name
-- -> element count) are what the agent reported after its last apply. last_error: the last
-- apply, confirm or status that failed (cleared by a successful apply). Drift and rollback come
-- from the agent's firewall.drift and firewall.rolled_back events. policy_id is no foreign key:
-- the row describes the agent even after its policy was deleted.
CREATE TABLE firewall_agent_state (
  agent_id TEXT PRIMARY KEY REFERENCES agents (id) ON DELETE CASCADE,
  policy_id BIGINT,
  version BIGINT,
  document_hash TEXT,
  listing_hash TEXT,
  sets TEXT NOT NULL DEFAULT '{}',
  applied_at BIGINT,
  confirmed INTEGER NOT NULL DEFAULT 0,
  confirmed_at BIGINT,
  confirmed_policy_id BIGINT,
  confirmed_version BIGINT,
  confirmed_document_hash TEXT,
  last_error TEXT,
  last_error_at BIGINT,
  drift_count BIGINT NOT NULL DEFAULT 0,
  last_drift_at BIGINT,
  last_drift_kind TEXT,
  rolled_back_at BIGINT,
  rolled_back_version BIGINT,
  restored_version BIGINT,
  updated_at BIGINT NOT NULL
);

CREATE INDEX firewall_agent_state_policy ON firewall_agent_state (policy_id);
