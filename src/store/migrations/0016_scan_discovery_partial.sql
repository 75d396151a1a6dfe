-- A job split across agents that found live hosts first in only some of its shards (ADR 0005,
-- "Scanner service"): agents built before host discovery refuse "discovery" and scan their shards
-- every address instead. scan_jobs.discovery_partial: 1 for such a job, NULL otherwise; the diff
-- then counts a host on one side only when it has open ports there.
ALTER TABLE scan_jobs ADD COLUMN discovery_partial INTEGER
