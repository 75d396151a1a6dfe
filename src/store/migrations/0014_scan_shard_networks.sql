-- Jobs on the agents in the target networks (ADR 0005, "Scanner service"): each shard lies in
-- one network (CIDR) that an agent's inventory put it in, and only agents in that network may
-- hold it. NULL for shards any agent of the job's selection may hold.
ALTER TABLE scan_shards ADD COLUMN network TEXT;
