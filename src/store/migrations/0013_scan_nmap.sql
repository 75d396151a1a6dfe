-- The nmap backend (ADR 0005, "Scanner service"): a job's nmap options, and what nmap reports
-- beyond ports and services: a host's best OS guess and the NSE scripts' outputs.

-- {"scripts": [...], "os_detection": bool} for a job nmap runs; NULL for our engine's jobs.
ALTER TABLE scan_jobs ADD COLUMN nmap TEXT;

-- What a running job is doing ("ports", "services", nmap's "scripts", ...); NULL when unknown.
ALTER TABLE scan_jobs ADD COLUMN phase TEXT;

-- The best OS guess ("Linux 5.0 - 5.14") and nmap's confidence in it (0..100); NULL when none.
ALTER TABLE scan_hosts ADD COLUMN os TEXT;
ALTER TABLE scan_hosts ADD COLUMN os_accuracy INTEGER;

-- Script outputs as JSON ([{"id": "ssl-cert", "output": "..."}]); NULL when none ran.
ALTER TABLE scan_hosts ADD COLUMN scripts TEXT;
ALTER TABLE scan_ports ADD COLUMN scripts TEXT;
