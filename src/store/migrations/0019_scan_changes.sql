-- A completed job's changes against the previous completed job of its scope (ADR 0005, "Scanner
-- service"), stored when it completes, with its scan.change events, so that
-- GET /api/v1/scans/{id}/diff pages them in SQL instead of comparing both jobs' results on every
-- request. scan_diffs holds one row per job whose diff is stored (no changes too);
-- scan_changes.seq is a change's place in the diff's order (by address, host changes first, then
-- protocol and port); before_service and after_service are the API's service objects as JSON.
CREATE TABLE scan_diffs (
  job_id BIGINT PRIMARY KEY REFERENCES scan_jobs (id) ON DELETE CASCADE,
  previous_id BIGINT NOT NULL,
  total BIGINT NOT NULL
);
CREATE TABLE scan_changes (
  job_id BIGINT NOT NULL REFERENCES scan_jobs (id) ON DELETE CASCADE,
  seq BIGINT NOT NULL,
  action TEXT NOT NULL,
  address TEXT NOT NULL,
  port INTEGER,
  protocol TEXT,
  before_service TEXT,
  after_service TEXT,
  PRIMARY KEY (job_id, seq)
)
