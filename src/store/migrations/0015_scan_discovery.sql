-- Host discovery before the port scan (ADR 0005, "Scanner service"). scan_jobs.discovery: 1 when
-- the job found live hosts first, 0 when it scanned every address (nmap -Pn, agents' shards),
-- NULL for imports and jobs older than this. scan_hosts.reason says how a host was found up
-- ("echo-reply", "syn-ack", "rst", "arp-response", "ndp-response", ...) and scan_hosts.mac holds
-- its link-layer address when ARP or NDP found it; both NULL when unknown.
ALTER TABLE scan_jobs ADD COLUMN discovery INTEGER;
ALTER TABLE scan_hosts ADD COLUMN reason TEXT;
ALTER TABLE scan_hosts ADD COLUMN mac TEXT
