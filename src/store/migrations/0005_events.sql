-- Events recorded by agents (seq = the agent's own sequence number) and derived by the server
-- (seq NULL). UNIQUE (agent_id, seq) makes ingest idempotent: a resend after a reconnect stores
-- nothing twice. NULL seqs never conflict on either backend.
CREATE TABLE events (
  id {{id}},
  agent_id TEXT NOT NULL,
  seq BIGINT,
  time_ms BIGINT NOT NULL,
  received_ms BIGINT NOT NULL,
  type TEXT NOT NULL,
  data TEXT NOT NULL,
  UNIQUE (agent_id, seq)
);

CREATE INDEX events_time ON events (time_ms);
CREATE INDEX events_agent_time ON events (agent_id, time_ms);
CREATE INDEX events_type_time ON events (type, time_ms);
