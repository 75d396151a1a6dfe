// Scan jobs for the tests of the features that show them; not part of the app.
import type { ScanJob, ScanProgress } from "./types";

export const scanProgress = (overrides: Partial<ScanProgress> = {}): ScanProgress => ({
  percent: 0,
  pairs_done: 0,
  pairs_total: 100,
  hosts_done: 0,
  hosts_total: 1,
  open_found: 0,
  rate: 0,
  phase: null,
  ...overrides,
});

/** A running engine scan of 127.0.0.1 with no progress yet. */
export const scanJob = (id: number, overrides: Partial<ScanJob> = {}): ScanJob => ({
  id,
  source: "scan",
  status: "running",
  targets: ["127.0.0.1"],
  exclude: [],
  ports: "top100",
  profile: "quick",
  backend: "engine",
  nmap: null,
  agents: null,
  method: "connect",
  discovery: true,
  requested_by: "admin",
  created_at: "2026-11-26T10:00:00Z",
  started_at: "2026-11-26T10:00:01Z",
  finished_at: null,
  error: null,
  progress: scanProgress(),
  ...overrides,
});
