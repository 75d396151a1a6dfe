// Scan jobs as the list and detail show them, and how a "scan" stream message changes a cached
// page of jobs. Pure: no React, no requests.

import type { StreamMessage } from "../../api/stream";
import type { ScanJob, ScanPage, ScanProfile, ScanStatus } from "./types";

export const scanStatuses: readonly ScanStatus[] = ["queued", "running", "completed", "cancelled", "failed"];

const statusLabels: Record<ScanStatus, string> = {
  queued: "Queued",
  running: "Running",
  completed: "Completed",
  cancelled: "Cancelled",
  failed: "Failed",
};

export function statusLabel(status: string): string {
  return statusLabels[status as ScanStatus] ?? status;
}

export function statusTone(status: string): "ok" | "warn" | "bad" | "neutral" {
  if (status === "completed") return "ok";
  if (status === "running" || status === "queued") return "warn";
  if (status === "failed") return "bad";
  return "neutral";
}

/** Queued or running: the job can still change, and be cancelled. */
export function isActive(status: string): boolean {
  return status === "queued" || status === "running";
}

export const profiles: readonly { id: ScanProfile; label: string; ports: string }[] = [
  { id: "quick", label: "Quick", ports: "top 100 ports" },
  { id: "standard", label: "Standard", ports: "top 1,000 ports" },
  { id: "full", label: "Full", ports: "all 65,535 ports" },
];

/** "Quick (top 100 ports)", "Ports 22,80,443", "Imported from nmap". */
export function portsLabel(job: Pick<ScanJob, "profile" | "ports" | "source">): string {
  const profile = profiles.find((p) => p.id === job.profile);
  if (profile) return `${profile.label} (${profile.ports})`;
  if (job.source === "import") return "Imported from nmap";
  if (job.ports === "all") return "All 65,535 ports";
  const top = /^top(\d+)$/.exec(job.ports);
  if (top) return `Top ${Number(top[1]).toLocaleString("en-US")} ports`;
  return `Ports ${job.ports}`;
}

/** "Built-in engine", "nmap · scripts default, ssl-cert · OS detection", "nmap XML import". */
export function scannerText(job: Pick<ScanJob, "source" | "backend" | "nmap">): string {
  if (job.source === "import") return "nmap XML import";
  if (job.backend !== "nmap") return "Built-in engine";
  const scripts = job.nmap?.scripts ?? [];
  return [
    "nmap",
    scripts.length > 0 ? `scripts ${scripts.join(", ")}` : "",
    job.nmap?.os_detection ? "OS detection" : "",
  ]
    .filter((part) => part)
    .join(" · ");
}

/** "This server", "Agents of group web", "Agents agt_a, agt_b, agt_c and 2 more", "Agents in the
 * target networks". */
export function runsOnText(job: Pick<ScanJob, "agents">): string {
  const agents = job.agents;
  if (!agents) return "This server";
  if ("group" in agents) return `Agents of group ${agents.group}`;
  if ("networks" in agents) return "Agents in the target networks";
  const shown = 3;
  const more = agents.ids.length > shown ? ` and ${agents.ids.length - shown} more` : "";
  return `Agents ${agents.ids.slice(0, shown).join(", ")}${more}`;
}

/** A job's own caps ("at most 20 probes/s, 8 in flight"); null when it set none (the engine's
 * own pace). */
export function capsText(job: Pick<ScanJob, "max_rate" | "max_concurrency">): string | null {
  const parts: string[] = [];
  if (job.max_rate !== null && job.max_rate !== undefined) {
    parts.push(`${job.max_rate.toLocaleString("en-US")} probes/s`);
  }
  if (job.max_concurrency !== null && job.max_concurrency !== undefined) {
    parts.push(`${job.max_concurrency.toLocaleString("en-US")} in flight`);
  }
  return parts.length > 0 ? `At most ${parts.join(", ")}` : null;
}

/** How a job looked for hosts: live hosts first, or every address (nmap -Pn); null for imports
 * and jobs that predate host discovery. */
export function discoveryText(job: Pick<ScanJob, "discovery">): string | null {
  if (job.discovery === null || job.discovery === undefined) return null;
  return job.discovery ? "Live hosts found first" : "Every address scanned (like nmap -Pn)";
}

/** "1,234 probes/s", or "—" when the job sends nothing (yet). */
export function formatRate(rate: number): string {
  if (!(rate > 0)) return "—";
  const shown = rate >= 100 ? Math.round(rate).toLocaleString("en-US") : rate.toFixed(1);
  return `${shown} probes/s`;
}

/** "850 ms", "12.4 s", "3 min 5 s", "2 h 4 min". */
export function formatDuration(ms: number): string {
  if (!(ms >= 0)) return "—";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const whole = Math.round(seconds);
  const minutes = Math.floor(whole / 60);
  if (minutes < 60) return `${minutes} min ${whole % 60} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** How long a job ran (or has run until `now`); null before it started. */
export function elapsedMs(job: Pick<ScanJob, "started_at" | "finished_at">, now: number): number | null {
  if (!job.started_at) return null;
  const start = Date.parse(job.started_at);
  const end = job.finished_at ? Date.parse(job.finished_at) : now;
  if (Number.isNaN(start) || Number.isNaN(end)) return null;
  return Math.max(0, end - start);
}

/** The bar's width in percent: a finished job's bar is full whatever its counters say. */
export function barPercent(job: Pick<ScanJob, "status" | "progress">): number {
  if (job.status === "completed") return 100;
  return Math.min(100, Math.max(0, job.progress.percent));
}

const phaseLabels: Record<string, string> = {
  discovery: "Finding live hosts",
  ports: "Probing ports",
  services: "Naming services",
  scripts: "Running scripts",
  os: "Guessing operating systems",
};

/** What a running job does now, in words; null when it does not say (or no longer runs). */
export function phaseText(job: Pick<ScanJob, "status" | "progress">): string | null {
  const phase = job.progress.phase;
  if (job.status !== "running" || !phase) return null;
  return phaseLabels[phase] ?? phase;
}

/** "127.0.0.1, 10.0.0.0/24 and 3 more". */
export function targetsText(targets: readonly string[], shown = 2): string {
  if (targets.length <= shown) return targets.join(", ");
  return `${targets.slice(0, shown).join(", ")} and ${targets.length - shown} more`;
}

/** "10 hosts", "1 host": a job's target count. */
export function hostsTotalText(job: Pick<ScanJob, "progress">): string {
  const total = job.progress.hosts_total;
  return `${total.toLocaleString("en-US")} ${total === 1 ? "host" : "hosts"}`;
}

/** "3 of 10 hosts" (hosts whose every port has a final state). */
export function hostsText(job: Pick<ScanJob, "progress">): string {
  return `${job.progress.hosts_done.toLocaleString("en-US")} of ${hostsTotalText(job)}`;
}

/** A "scan" stream message's job, or null when it is not one this portal understands. */
export function readScanMessage(message: StreamMessage): ScanJob | null {
  const job = message.scan as ScanJob | undefined;
  if (!job || typeof job !== "object" || typeof job.id !== "number" || typeof job.status !== "string") return null;
  if (!job.progress || typeof job.progress !== "object") return null;
  return job;
}

const stage = (status: string) => (status === "queued" ? 0 : status === "running" ? 1 : 2);

/**
 * Whether `incoming` is at least as recent as `current` (the same job). A job only moves forward
 * (queued, running, ended; counters grow), so a message that was in flight while a newer answer
 * arrived must not take a finished job back to running.
 */
export function isNewer(current: ScanJob, incoming: ScanJob): boolean {
  if (stage(incoming.status) !== stage(current.status)) return stage(incoming.status) > stage(current.status);
  if (stage(incoming.status) === 2) return true;
  return incoming.progress.pairs_done >= current.progress.pairs_done;
}

/** What a cached list page asks for. */
export interface ScanQuery {
  status?: ScanStatus | undefined;
  offset: number;
  limit: number;
}

/**
 * `page` with `job` put in: replaced in place when it is there (unless older), added on top when
 * it is a new job of the first page, taken out when it no longer matches the status filter.
 * `stale` says that the page cannot be settled without the server (a total or a page boundary
 * moved), for the caller to refetch.
 */
export function patchScanPage(page: ScanPage, job: ScanJob, query: ScanQuery): { page: ScanPage; stale: boolean } {
  const matches = !query.status || query.status === job.status;
  const index = page.items.findIndex((item) => item.id === job.id);
  if (index >= 0) {
    const current = page.items[index];
    if (current && !isNewer(current, job)) return { page, stale: false };
    if (!matches) {
      return { page: { items: page.items.filter((item) => item.id !== job.id), total: page.total - 1 }, stale: true };
    }
    const items = [...page.items];
    items[index] = job;
    return { page: { ...page, items }, stale: false };
  }
  if (!matches) return { page, stale: false };
  // Newest first (by id): a job above the page's newest is new, unless older pages exist above.
  const newest = page.items[0]?.id ?? 0;
  if (job.id > newest && query.offset === 0) {
    const items = [job, ...page.items].slice(0, query.limit);
    return { page: { items, total: page.total + 1 }, stale: false };
  }
  // A job that moved into the filtered status, or one of another page: only the server knows where.
  return { page, stale: query.status !== undefined || job.id > newest };
}
