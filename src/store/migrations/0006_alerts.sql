-- Alerts (ADR 0004): detections deduplicated per (rule, agent, entity), their evidence events and
-- comments. Times are Unix milliseconds.

-- severity is Sigma's level as a number (0 informational .. 4 critical) so that "at least high"
-- is one comparison; tags is a JSON array of strings. agent_id is '' when the rule groups across
-- agents; no foreign key to agents: an alert outlives the agent it was about.
CREATE TABLE alerts (
  id {{id}},
  rule_id TEXT NOT NULL,
  rule_title TEXT NOT NULL,
  severity INTEGER NOT NULL,
  status TEXT NOT NULL,
  agent_id TEXT NOT NULL,
  entity TEXT NOT NULL,
  summary TEXT NOT NULL,
  tags TEXT NOT NULL DEFAULT '[]',
  match_count BIGINT NOT NULL,
  first_seen BIGINT NOT NULL,
  last_seen BIGINT NOT NULL,
  assignee TEXT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);

CREATE INDEX alerts_last_seen ON alerts (last_seen);
CREATE INDEX alerts_status_last_seen ON alerts (status, last_seen);
CREATE INDEX alerts_agent_last_seen ON alerts (agent_id, last_seen);
CREATE INDEX alerts_rule_last_seen ON alerts (rule_id, last_seen);

-- The newest alert of each dedup key. Recording a detection first upserts its key's row: that
-- row lock (PostgreSQL) or the write lock (SQLite) serialises concurrent recorders of one key in
-- any number of processes, so a burst of matches yields one alert, not several.
CREATE TABLE alert_keys (
  rule_id TEXT NOT NULL,
  agent_id TEXT NOT NULL,
  entity TEXT NOT NULL,
  alert_id BIGINT NOT NULL,
  PRIMARY KEY (rule_id, agent_id, entity)
);

-- The events that made an alert fire, the first ones kept (the service caps them). Not a foreign
-- key: event retention may delete events that alerts still name.
CREATE TABLE alert_evidence (
  alert_id BIGINT NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
  event_id BIGINT NOT NULL,
  PRIMARY KEY (alert_id, event_id)
);

CREATE TABLE alert_comments (
  id {{id}},
  alert_id BIGINT NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
  author TEXT NOT NULL,
  body TEXT NOT NULL,
  created_at BIGINT NOT NULL
);

CREATE INDEX alert_comments_alert ON alert_comments (alert_id, id);
