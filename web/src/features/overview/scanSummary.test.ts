import { describe, expect, it } from "vitest";
import { scanJob, scanProgress } from "../scans/testJobs";
import type { ScanJob, ScanPage } from "../scans/types";
import { changeTiles, jobTime, openPortsText, runningJobs } from "./scanSummary";


// A scan 40 % through its ports, one open port found so far.
const job = (id: number, overrides: Partial<ScanJob> = {}): ScanJob =>
  scanJob(id, {
    progress: scanProgress({ percent: 40, pairs_done: 40, open_found: 1, rate: 10, phase: "ports" }),
    ...overrides,
  });

describe("the newest completed scan's changes as counts", () => {
  it("counts each kind in the diff's order, zeros included, new exposure as a warning", () => {
    // The server's counts over the whole diff, however few changes its first page holds.
    const tiles = changeTiles({ port_closed: 1, port_opened: 2, host_new: 1, service_changed: 1, host_gone: 0 });
    expect(tiles.map((t) => [t.label, t.count, t.tone])).toEqual([
      ["New host", 1, "warn"],
      ["New open ports", 2, "warn"],
      ["Changed service", 1, "warn"],
      ["Closed port", 1, "neutral"],
      ["Hosts gone", 0, "neutral"],
    ]);
  });

  it("shows every kind at 0, none a warning, when nothing changed", () => {
    const tiles = changeTiles({});
    expect(tiles.map((t) => t.count)).toEqual([0, 0, 0, 0, 0]);
    expect(tiles.every((t) => t.tone === "neutral")).toBe(true);
    expect(tiles.map((t) => t.label)).toContain("New open ports");
  });
});

describe("a job row's time", () => {
  it("dates an ended job by its end, a running one by its start and a queued one by its creation", () => {
    expect(jobTime(job(1, { status: "completed", finished_at: "2026-11-26T10:00:09Z" }))).toEqual({
      label: "Ended",
      at: "2026-11-26T10:00:09Z",
    });
    expect(jobTime(job(1))).toEqual({ label: "Started", at: "2026-11-26T10:00:01Z" });
    expect(jobTime(job(1, { status: "queued", started_at: null }))).toEqual({
      label: "Queued",
      at: "2026-11-26T10:00:00Z",
    });
  });
});

describe("the running jobs", () => {
  it("shows the page's running jobs and counts those beyond it", () => {
    const page: ScanPage = { items: [job(9), job(7), job(4)], total: 5 };
    const running = runningJobs(page);
    expect(running.jobs.map((j) => j.id)).toEqual([9, 7, 4]);
    expect(running.more).toBe(2);
  });

  it("leaves out a job the stream already saw end, and shows nothing before the answer", () => {
    const page: ScanPage = { items: [job(9, { status: "completed" }), job(7)], total: 2 };
    expect(runningJobs(page).jobs.map((j) => j.id)).toEqual([7]);
    expect(runningJobs(undefined)).toEqual({ jobs: [], more: 0 });
  });

  it("says how many open ports a job found so far", () => {
    expect(openPortsText(job(1))).toBe("1 open port found");
    expect(openPortsText(job(1, { progress: { ...job(1).progress, open_found: 1200 } }))).toBe("1,200 open ports found");
  });
});
