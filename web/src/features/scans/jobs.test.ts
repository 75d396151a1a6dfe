import { describe, expect, it } from "vitest";
import {
  barPercent,
  elapsedMs,
  formatDuration,
  formatRate,
  hostsText,
  hostsTotalText,
  isNewer,
  patchScanPage,
  phaseText,
  portsLabel,
  readScanMessage,
  runsOnText,
  scannerText,
  targetsText,
  discoveryText,
  capsText,
  type ScanQuery,
} from "./jobs";
import { scanJob as job, scanProgress as progress } from "./testJobs";
import type { ScanJob, ScanPage } from "./types";

const page = (...items: ScanJob[]): ScanPage => ({ items, total: items.length });
const first: ScanQuery = { offset: 0, limit: 3 };

describe("a scan job in words", () => {
  it("names the profile's ports, a custom list, or an import", () => {
    expect(portsLabel(job(1))).toBe("Quick (top 100 ports)");
    expect(portsLabel(job(1, { profile: "full", ports: "all" }))).toBe("Full (all 65,535 ports)");
    expect(portsLabel(job(1, { profile: null, ports: "22,80,8000-8100" }))).toBe("Ports 22,80,8000-8100");
    expect(portsLabel(job(1, { profile: null, ports: "top200" }))).toBe("Top 200 ports");
    expect(portsLabel(job(1, { profile: null, source: "import", ports: "" }))).toBe("Imported from nmap");
  });

  it("names the scanner, with nmap's scripts and OS detection", () => {
    expect(scannerText(job(1))).toBe("Built-in engine");
    expect(scannerText(job(1, { backend: "nmap", nmap: { scripts: [], os_detection: false } }))).toBe("nmap");
    const nmap = { scripts: ["default", "ssl-cert"], os_detection: true };
    expect(scannerText(job(1, { backend: "nmap", nmap }))).toBe("nmap · scripts default, ssl-cert · OS detection");
    expect(scannerText(job(1, { source: "import", profile: null }))).toBe("nmap XML import");
  });

  it("says where the job runs: this server, a group's agents, agents by id, or those in the target networks", () => {
    expect(runsOnText(job(1))).toBe("This server");
    expect(runsOnText(job(1, { agents: { group: "web" } }))).toBe("Agents of group web");
    expect(runsOnText(job(1, { agents: { ids: ["agt_a", "agt_b"] } }))).toBe("Agents agt_a, agt_b");
    const ids = ["agt_a", "agt_b", "agt_c", "agt_d", "agt_e"];
    expect(runsOnText(job(1, { agents: { ids } }))).toBe("Agents agt_a, agt_b, agt_c and 2 more");
    expect(runsOnText(job(1, { agents: { networks: true } }))).toBe("Agents in the target networks");
  });

  it("shows rates, durations and hosts done", () => {
    expect(formatRate(0)).toBe("—");
    expect(formatRate(12.25)).toBe("12.3 probes/s");
    expect(formatRate(15234.4)).toBe("15,234 probes/s");
    expect(formatDuration(850)).toBe("850 ms");
    expect(formatDuration(12_400)).toBe("12.4 s");
    expect(formatDuration(185_000)).toBe("3 min 5 s");
    expect(formatDuration(7_440_000)).toBe("2 h 4 min");
    expect(hostsText(job(1, { progress: progress({ hosts_done: 3, hosts_total: 1000 }) }))).toBe("3 of 1,000 hosts");
    expect(hostsTotalText(job(1))).toBe("1 host");
  });

  it("names the first targets and counts the rest", () => {
    expect(targetsText(["127.0.0.1"])).toBe("127.0.0.1");
    expect(targetsText(["127.0.0.1", "127.0.1.0/24"])).toBe("127.0.0.1, 127.0.1.0/24");
    expect(targetsText(["127.0.0.1", "127.0.0.2", "127.0.0.3", "127.0.0.4"])).toBe("127.0.0.1, 127.0.0.2 and 2 more");
  });

  it("measures a running job until now and a finished one until it finished", () => {
    const now = Date.parse("2026-11-26T10:00:11Z");
    expect(elapsedMs(job(1), now)).toBe(10_000);
    expect(elapsedMs(job(1, { finished_at: "2026-11-26T10:00:03.5Z" }), now)).toBe(2500);
    expect(elapsedMs(job(1, { status: "queued", started_at: null }), now)).toBeNull();
  });

  it("fills the bar of a completed job and keeps others within 0 to 100", () => {
    expect(barPercent(job(1, { status: "completed", progress: progress({ percent: 99.9 }) }))).toBe(100);
    expect(barPercent(job(1, { progress: progress({ percent: 42.5 }) }))).toBe(42.5);
    expect(barPercent(job(1, { status: "cancelled", progress: progress({ percent: 120 }) }))).toBe(100);
  });

  it("says what a running job does now, and nothing once it ended", () => {
    expect(phaseText(job(1, { progress: progress({ phase: "services" }) }))).toBe("Naming services");
    expect(phaseText(job(1, { progress: progress({ phase: "os" }) }))).toBe("Guessing operating systems");
    expect(phaseText(job(1, { progress: progress({ phase: "traceroute" }) }))).toBe("traceroute");
    expect(phaseText(job(1, { progress: progress() }))).toBeNull();
    expect(phaseText(job(1, { status: "completed", progress: progress({ phase: "ports" }) }))).toBeNull();
  });
});

describe("stream messages", () => {
  it("reads a scan message and refuses what is not one", () => {
    expect(readScanMessage({ type: "scan", scan: job(4) })?.id).toBe(4);
    expect(readScanMessage({ type: "scan", scan: { id: "4", status: "running", progress: {} } })).toBeNull();
    expect(readScanMessage({ type: "scan", scan: { id: 4, status: "running" } })).toBeNull();
    expect(readScanMessage({ type: "scan" })).toBeNull();
  });

  it("never takes a job back: an ended job stays ended, counters do not shrink", () => {
    const running = job(1, { progress: progress({ pairs_done: 50 }) });
    expect(isNewer(running, job(1, { status: "completed" }))).toBe(true);
    expect(isNewer(job(1, { status: "completed" }), running)).toBe(false);
    expect(isNewer(running, job(1, { progress: progress({ pairs_done: 40 }) }))).toBe(false);
    expect(isNewer(running, job(1, { progress: progress({ pairs_done: 60 }) }))).toBe(true);
    expect(isNewer(job(1, { status: "queued" }), running)).toBe(true);
  });
});

describe("patching a cached page of jobs", () => {
  it("replaces a job in place with its newer state", () => {
    const result = patchScanPage(page(job(3), job(2)), job(2, { progress: progress({ pairs_done: 10 }) }), first);
    expect(result.page.items.map((j) => j.progress.pairs_done)).toEqual([0, 10]);
    expect(result.stale).toBe(false);
  });

  it("keeps the page when the message is older than what it shows", () => {
    const cached = page(job(2, { status: "completed" }));
    expect(patchScanPage(cached, job(2), first).page).toBe(cached);
  });

  it("puts a new job on top of the first page and keeps the page size", () => {
    const result = patchScanPage(page(job(3), job(2), job(1)), job(4, { status: "queued" }), first);
    expect(result.page.items.map((j) => j.id)).toEqual([4, 3, 2]);
    expect(result.page.total).toBe(4);
    expect(result.stale).toBe(false);
  });

  it("asks the server when a new job shifts a later page", () => {
    const cached = page(job(3), job(2));
    const result = patchScanPage(cached, job(9), { offset: 3, limit: 3 });
    expect(result.page).toBe(cached);
    expect(result.stale).toBe(true);
  });

  it("takes out a job that left the filtered status, and asks for the one that entered it", () => {
    const running: ScanQuery = { status: "running", offset: 0, limit: 3 };
    const left = patchScanPage(page(job(3), job(2)), job(2, { status: "completed" }), running);
    expect(left.page.items.map((j) => j.id)).toEqual([3]);
    expect(left.page.total).toBe(1);
    expect(left.stale).toBe(true);

    const completed: ScanQuery = { status: "completed", offset: 0, limit: 3 };
    const entered = patchScanPage(page(job(5, { status: "completed" })), job(2, { status: "completed" }), completed);
    expect(entered.stale).toBe(true);
  });

  it("ignores a job of another page that does not match the filter", () => {
    const completed: ScanQuery = { status: "completed", offset: 0, limit: 3 };
    const cached = page(job(5, { status: "completed" }));
    const result = patchScanPage(cached, job(2), completed);
    expect(result).toEqual({ page: cached, stale: false });
  });
});

describe("a job's own caps", () => {
  it("names the rate and the probes in flight a job set, and nothing when it set none", () => {
    expect(capsText(job(1, { max_rate: 20, max_concurrency: 8 }))).toBe("At most 20 probes/s, 8 in flight");
    expect(capsText(job(1, { max_rate: 1500 }))).toBe("At most 1,500 probes/s");
    expect(capsText(job(1, { max_rate: null, max_concurrency: null }))).toBeNull();
    expect(capsText(job(1))).toBeNull();
  });
});

describe("how a job looked for hosts", () => {
  it("says whether live hosts were found first or every address was scanned", () => {
    expect(discoveryText(job(1))).toBe("Live hosts found first");
    expect(discoveryText(job(1, { discovery: false }))).toBe("Every address scanned (like nmap -Pn)");
    expect(discoveryText(job(1, { discovery: null }))).toBeNull();
  });
});
