-- Per-job probe caps (ADR 0005, "Scanner service"): scan_jobs.max_rate is the probes per second
-- the whole job may send (split across the agents of a distributed job), scan_jobs.max_concurrency
-- the probes in flight per engine; NULL for no cap of the job's own (the engine's limits), for
-- imports and for jobs older than this.
ALTER TABLE scan_jobs ADD COLUMN max_rate DOUBLE PRECISION;
ALTER TABLE scan_jobs ADD COLUMN max_concurrency BIGINT
