-- Results are paged in address order (ADR 0005, "Scanner service"): scan_hosts.address_key sorts
-- as the addresses do ("4" and 8 hex digits for IPv4, "6" and 32 for IPv6, so IPv4 first), which
-- the text of the address does not ("127.0.0.10" < "127.0.0.9"). Rows older than this get their
-- key when their job's results are first read.
ALTER TABLE scan_hosts ADD COLUMN address_key TEXT;
CREATE INDEX IF NOT EXISTS scan_hosts_by_order ON scan_hosts (job_id, address_key)
