-- Distributed scans (ADR 0005, "Scanner service"): the agents a job runs on, and its shards.
-- Times are Unix milliseconds.

-- The agent selection of a job split across agents, as JSON ({"group": NAME} or
-- {"ids": [...]}); NULL for a job the server runs with its own engine.
ALTER TABLE scan_jobs ADD COLUMN agents TEXT;

-- One shard of a distributed job: a slice of its addresses (targets: address ranges in the
-- target syntax) that one agent at a time holds. status is queued, leased or done; a leased
-- shard names its agent and when its lease runs out (renewed by every poll answer); an expired
-- lease puts the shard back in the queue and counts an attempt. The counters are the holder's
-- last report (a requeued shard starts again from zero); error is the last failure seen.
CREATE TABLE scan_shards (
  job_id BIGINT NOT NULL REFERENCES scan_jobs (id) ON DELETE CASCADE,
  shard_index INTEGER NOT NULL,
  targets TEXT NOT NULL,
  address_count BIGINT NOT NULL,
  status TEXT NOT NULL,
  agent_id TEXT,
  lease_expires_at BIGINT,
  attempts INTEGER NOT NULL DEFAULT 0,
  pairs_total BIGINT NOT NULL DEFAULT 0,
  pairs_done BIGINT NOT NULL DEFAULT 0,
  open_found BIGINT NOT NULL DEFAULT 0,
  rate DOUBLE PRECISION NOT NULL DEFAULT 0,
  error TEXT,
  PRIMARY KEY (job_id, shard_index)
);

CREATE INDEX scan_shards_status ON scan_shards (job_id, status, shard_index);
