-- Agents: one-time enrolment tokens, the agent registry and the certificates the agent CA issued.
-- Times are Unix milliseconds; booleans 0/1.

-- Only the SHA-256 of a token is kept: the token itself is shown once, at creation. A token is
-- used by one UPDATE ... WHERE used_at IS NULL, so two racing enrolments cannot both win.
CREATE TABLE enrollment_tokens (
  id {{id}},
  token_hash TEXT NOT NULL UNIQUE,
  group_name TEXT NOT NULL DEFAULT '',
  labels TEXT NOT NULL DEFAULT '{}',
  created_at BIGINT NOT NULL,
  created_by TEXT NOT NULL,
  expires_at BIGINT NOT NULL,
  used_at BIGINT,
  used_by_agent TEXT,
  revoked_at BIGINT
);

-- labels is the agent's labels as a JSON object (keys sorted); agent_labels below repeats them
-- one row per label so that both backends can filter on a label exactly and by index.
-- last_seq is the highest event sequence number ingest has committed for the agent.
CREATE TABLE agents (
  id TEXT PRIMARY KEY,
  hostname TEXT NOT NULL,
  os TEXT NOT NULL DEFAULT '',
  kernel TEXT NOT NULL DEFAULT '',
  arch TEXT NOT NULL DEFAULT '',
  agent_version TEXT NOT NULL DEFAULT '',
  group_name TEXT NOT NULL DEFAULT '',
  labels TEXT NOT NULL DEFAULT '{}',
  enrolled_at BIGINT NOT NULL,
  first_seen BIGINT,
  last_seen BIGINT,
  last_address TEXT NOT NULL DEFAULT '',
  connected INTEGER NOT NULL DEFAULT 0,
  revoked_at BIGINT,
  last_seq BIGINT NOT NULL DEFAULT 0
);

CREATE INDEX agents_hostname ON agents (hostname);
CREATE INDEX agents_group_name ON agents (group_name);

CREATE TABLE agent_labels (
  agent_id TEXT NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
  label_key TEXT NOT NULL,
  label_value TEXT NOT NULL,
  PRIMARY KEY (agent_id, label_key)
);

CREATE INDEX agent_labels_key_value ON agent_labels (label_key, label_value);

-- Every certificate issued to an agent. serial is lower-case hex without leading zeros, as the
-- TLS layer reports it; an agent may hold several unexpired ones while it renews.
CREATE TABLE agent_certificates (
  serial TEXT PRIMARY KEY,
  agent_id TEXT NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
  fingerprint TEXT NOT NULL,
  not_after BIGINT NOT NULL,
  issued_at BIGINT NOT NULL,
  revoked_at BIGINT
);

CREATE INDEX agent_certificates_agent ON agent_certificates (agent_id, issued_at);
