-- Active-response blocks and the allow-list (ADR 0006 "Active response and blocks"). Times are
-- Unix milliseconds.

-- One block of one address. scope is 'agent', 'group' or 'all'; scope_value the agent id or the
-- group name ('' for all). requested_by is the username, or 'rule:' and the rule id for active
-- response (then rule_id and alert_id say which). offence is the nth block of the address within
-- 24 hours; duration_s the escalated duration. A block is active while removed_at is NULL and
-- expires_at is in the future; agents drop the address in the kernel until then even when they
-- lose the server. No foreign keys: a block outlives the agent, rule or alert it names.
CREATE TABLE firewall_blocks (
  id {{id}},
  address TEXT NOT NULL,
  scope TEXT NOT NULL,
  scope_value TEXT NOT NULL DEFAULT '',
  reason TEXT NOT NULL DEFAULT '',
  requested_by TEXT NOT NULL,
  rule_id TEXT,
  alert_id BIGINT,
  offence INTEGER NOT NULL,
  requested_duration_s BIGINT NOT NULL,
  duration_s BIGINT NOT NULL,
  started_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  removed_at BIGINT,
  removed_by TEXT
);

CREATE INDEX firewall_blocks_address ON firewall_blocks (address, started_at);
CREATE INDEX firewall_blocks_expiry ON firewall_blocks (expires_at);

-- One row per address ever blocked. Storing a block first upserts its address's row: that row
-- lock (PostgreSQL) or the write lock (SQLite) serialises concurrent blocks of one address in any
-- number of processes, so that two of them never get the same offence number.
CREATE TABLE firewall_block_offenders (
  address TEXT PRIMARY KEY,
  last_block_at BIGINT NOT NULL
);

-- Networks admins say are never blocked (the built-in entries are not stored: loopback and the
-- server's own addresses are found at each check). cidr is canonical text.
CREATE TABLE firewall_allow_list (
  id {{id}},
  cidr TEXT NOT NULL UNIQUE,
  comment TEXT NOT NULL DEFAULT '',
  created_by TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
