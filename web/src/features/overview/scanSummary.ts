// The scans panel's pure parts: the newest completed scan's changes as counts, the time a job row
// shows, the running jobs and what they found so far. The words for and counting of changes come
// from the scans feature (scans/diff.ts).

import { changeActions, changeCounts, changeNoun, changeTone } from "../scans/diff";
import type { ChangeAction, ScanJob, ScanPage } from "../scans/types";

/** One kind of change against the previous scan, with how often it happened. */
export interface ChangeTile {
  action: ChangeAction;
  count: number;
  /** "New open ports", "Closed port". */
  label: string;
  /** New exposure that happened is a warning; everything else, and kinds that did not happen, neutral. */
  tone: "warn" | "neutral";
}

/** Every kind of change in the diff's order, zeros included: "no new hosts" is news too. `counts`
 * are the server's, over the whole diff (not the page of changes that came with them). */
export function changeTiles(counts: Readonly<Partial<Record<string, number>>> | undefined): ChangeTile[] {
  const all = changeCounts(counts);
  return changeActions.map((action) => {
    const count = all[action];
    const noun = changeNoun(action, count);
    return {
      action,
      count,
      label: noun.charAt(0).toUpperCase() + noun.slice(1),
      tone: count > 0 ? changeTone(action) : "neutral",
    };
  });
}

/** What a job's row dates: when it ended, else when it started, else when it was queued. */
export function jobTime(job: Pick<ScanJob, "created_at" | "started_at" | "finished_at">): {
  label: "Ended" | "Started" | "Queued";
  at: string;
} {
  if (job.finished_at) return { label: "Ended", at: job.finished_at };
  if (job.started_at) return { label: "Started", at: job.started_at };
  return { label: "Queued", at: job.created_at };
}

/** "1 open port found", "12 open ports found" (so far, while a job runs). */
export function openPortsText(job: Pick<ScanJob, "progress">): string {
  const open = job.progress.open_found;
  return `${open.toLocaleString("en-US")} open ${open === 1 ? "port" : "ports"} found`;
}

/** The running jobs a page of them shows and how many more run beyond it. */
export function runningJobs(page: ScanPage | undefined): { jobs: ScanJob[]; more: number } {
  if (!page) return { jobs: [], more: 0 };
  const jobs = page.items.filter((job) => job.status === "running");
  return { jobs, more: Math.max(0, page.total - page.items.length) };
}
