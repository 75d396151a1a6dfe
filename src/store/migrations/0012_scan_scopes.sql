-- Scan scopes stored through the API, and scheduled scans (ADR 0005, "Scanner service").
-- Times are Unix milliseconds.

-- A network scans may target, added by an admin (POST /api/v1/scan-scopes) beside the scopes of
-- the configuration (scanner.scopes, --scan-scope), which are never stored. cidr is canonical
-- (host bits zero, "10.0.0.7" for one address), so that a duplicate is a unique violation.
CREATE TABLE scan_scopes (
  id {{id}},
  cidr TEXT NOT NULL UNIQUE,
  comment TEXT NOT NULL DEFAULT '',
  created_by TEXT NOT NULL,
  created_at BIGINT NOT NULL
);

-- A scan that runs by itself: scan holds a POST /api/v1/scans body (JSON), checked and started
-- exactly as that route would at each run. It recurs every interval_s seconds or daily at
-- daily_minute (minutes after 00:00 UTC); exactly one of the two is set. next_run_at is when
-- it is due next (a scheduler claims a run by moving it); last_job_id is the job of the latest
-- run, last_error why the latest run did not start (NULL when it did).
CREATE TABLE scan_schedules (
  id {{id}},
  name TEXT NOT NULL UNIQUE,
  scan TEXT NOT NULL,
  interval_s BIGINT,
  daily_minute INTEGER,
  enabled INTEGER NOT NULL,
  next_run_at BIGINT NOT NULL,
  last_run_at BIGINT,
  last_job_id BIGINT,
  last_error TEXT,
  created_by TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);

CREATE INDEX scan_schedules_due ON scan_schedules (enabled, next_run_at);
