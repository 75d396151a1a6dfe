-- Network scans (ADR 0005, "Scanner service"): jobs, the hosts that answered and their open
-- ports. Times are Unix milliseconds.

-- One scan job. targets and exclude are JSON arrays of the strings the caller sent; ports is the
-- port spec as sent ("top1000", "1-1024,8080"); scope_key identifies "the same targets and
-- ports" (SHA-256 of the canonical address ranges and port list), so that a diff finds the
-- previous job of the same scope. source is "scan" or "nmap-import"; method is the probe method
-- the engine chose ("connect", "syn"), NULL for imports. The counters are the last progress
-- written; closed and filtered ports are only counted, never stored.
CREATE TABLE scan_jobs (
  id {{id}},
  source TEXT NOT NULL,
  status TEXT NOT NULL,
  targets TEXT NOT NULL,
  exclude TEXT NOT NULL DEFAULT '[]',
  ports TEXT NOT NULL,
  profile TEXT,
  scope_key TEXT,
  method TEXT,
  requested_by TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  started_at BIGINT,
  finished_at BIGINT,
  pairs_total BIGINT NOT NULL DEFAULT 0,
  pairs_done BIGINT NOT NULL DEFAULT 0,
  open_found BIGINT NOT NULL DEFAULT 0,
  hosts_total BIGINT NOT NULL DEFAULT 0,
  hosts_done BIGINT NOT NULL DEFAULT 0,
  rate DOUBLE PRECISION NOT NULL DEFAULT 0,
  error TEXT
);

CREATE INDEX scan_jobs_scope ON scan_jobs (scope_key, status, id);
CREATE INDEX scan_jobs_status ON scan_jobs (status, id);

-- Hosts that answered (an open or a closed port). Keyed by (job, address): a repeated report
-- stores nothing twice.
CREATE TABLE scan_hosts (
  job_id BIGINT NOT NULL REFERENCES scan_jobs (id) ON DELETE CASCADE,
  address TEXT NOT NULL,
  hostnames TEXT NOT NULL DEFAULT '[]',
  first_seen BIGINT NOT NULL,
  PRIMARY KEY (job_id, address)
);

-- Open ports. The service columns stay NULL until service detection names the service; tls is
-- what a TLS port showed (certificate facts, accepted versions) as a JSON object.
CREATE TABLE scan_ports (
  job_id BIGINT NOT NULL REFERENCES scan_jobs (id) ON DELETE CASCADE,
  address TEXT NOT NULL,
  port INTEGER NOT NULL,
  protocol TEXT NOT NULL,
  state TEXT NOT NULL,
  service TEXT,
  product TEXT,
  version TEXT,
  extra_info TEXT,
  cpe TEXT,
  tunnel TEXT,
  tls TEXT,
  first_seen BIGINT NOT NULL,
  PRIMARY KEY (job_id, address, port, protocol)
);
