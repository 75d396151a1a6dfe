import { Link } from "react-router";
import { Badge, Panel } from "../../components/Page";
import { EmptyState, ErrorState, Loading } from "../../components/States";
import { Td, Th } from "../../components/Table";
import { When } from "../../components/When";
import { useNow } from "../../lib/useNow";
import { useScanDiff, useScanList, useScansLive } from "../scans/api";
import { hostsText, phaseText, targetsText, type ScanQuery } from "../scans/jobs";
import { ProgressBar, ScanStatusBadge } from "../scans/ScanProgress";
import type { ScanJob } from "../scans/types";
import { PanelPart } from "./PanelPart";
import { changeTiles, jobTime, openPortsText, runningJobs } from "./scanSummary";

// The newest jobs, the running ones wherever they are in the list, and the newest completed one
// for its changes. The scans feature's live hook patches all three from the stream.
const latestQuery: ScanQuery = { offset: 0, limit: 5 };
const runningQuery: ScanQuery = { status: "running", offset: 0, limit: 3 };
const completedQuery: ScanQuery = { status: "completed", offset: 0, limit: 1 };

/** Network scanning at a glance: running jobs with their progress, what the newest completed scan
 * found against the one before, and the newest jobs; live from the stream. */
export function ScansPanel({ canWrite, className = "" }: { canWrite: boolean; className?: string }) {
  useScansLive();
  const latest = useScanList(latestQuery);
  const running = useScanList(runningQuery);
  const completed = useScanList(completedQuery);
  const now = useNow(30_000);
  const newestCompleted = completed.data?.items[0];
  return (
    <Panel title="Network scans" className={className}>
      {latest.isPending ? (
        <Loading label="Loading scans" />
      ) : latest.isError ? (
        <ErrorState error={latest.error} onRetry={() => void latest.refetch()} />
      ) : latest.data.items.length === 0 ? (
        <EmptyState title="No scans yet">
          {canWrite ? (
            <>
              <Link to="/scans" className="text-accent underline">
                Start a scan
              </Link>{" "}
              to see the hosts, open ports and services of your networks here.
            </>
          ) : (
            "Scans show here live as they run."
          )}
        </EmptyState>
      ) : (
        <div className="flex flex-col gap-5">
          <RunningScans {...runningJobs(running.data)} />
          {newestCompleted && <NewestChanges job={newestCompleted} />}
          <LatestScans jobs={latest.data.items} now={now} />
          <p className="text-sm">
            <Link to="/scans" className="text-accent hover:underline">
              Open the scan list
            </Link>
          </p>
        </div>
      )}
    </Panel>
  );
}

/** Each running job's bar, phase and counters; nothing when none runs. */
function RunningScans({ jobs, more }: { jobs: ScanJob[]; more: number }) {
  if (jobs.length === 0) return null;
  return (
    <PanelPart title="Running now">
      <ul className="flex flex-col gap-3">
        {jobs.map((job) => (
          <li key={job.id} className="flex flex-col gap-1 text-sm">
            <div className="flex min-w-0 items-baseline gap-2">
              <Link to={`/scans/${job.id}`} className="shrink-0 font-medium text-accent hover:underline">
                Scan {job.id}
              </Link>
              <span className="min-w-0 truncate font-mono text-xs" title={job.targets.join(", ")}>
                {targetsText(job.targets)}
              </span>
            </div>
            <ProgressBar job={job} />
            <p className="text-xs text-muted">
              {[phaseText(job), hostsText(job), openPortsText(job)].filter(Boolean).join(" · ")}
            </p>
          </li>
        ))}
      </ul>
      {more > 0 && (
        <p className="text-xs text-muted">
          and {more.toLocaleString("en-US")} more running ·{" "}
          <Link to="/scans?status=running" className="text-accent hover:underline">
            see all running scans
          </Link>
        </p>
      )}
    </PanelPart>
  );
}

/** The newest completed scan against the previous scan of the same targets and ports, as counts. */
function NewestChanges({ job }: { job: ScanJob }) {
  const diff = useScanDiff(String(job.id), true);
  const title = `Changes found by scan ${job.id}`;
  if (diff.isError) {
    return (
      <PanelPart title={title}>
        <ErrorState error={diff.error} onRetry={() => void diff.refetch()} />
      </PanelPart>
    );
  }
  const answer = diff.data;
  if (answer && answer.previous_id === null) {
    return (
      <PanelPart title={title}>
        <p className="text-sm text-muted">
          <Link to={`/scans/${job.id}`} className="text-accent hover:underline">
            Scan {job.id}
          </Link>{" "}
          is the first completed scan of its targets and ports; the next one is compared with it.
        </p>
      </PanelPart>
    );
  }
  const tiles = changeTiles(answer?.counts);
  return (
    <PanelPart title={title}>
      <dl
        aria-label={answer ? `Changes of scan ${job.id} against scan ${answer.previous_id}` : "Changes, loading"}
        aria-busy={!answer || undefined}
        className="grid grid-cols-2 gap-2 sm:grid-cols-3 lg:grid-cols-5"
      >
        {tiles.map((tile) => (
          <div key={tile.action} className="flex flex-col gap-1 rounded-md border border-line px-3 py-2">
            <dt className="text-xs text-muted">{tile.label}</dt>
            <dd className={`text-xl font-semibold tabular-nums ${tile.tone === "warn" ? "text-warn" : "text-ink"}`}>
              {answer ? tile.count.toLocaleString("en-US") : "…"}
            </dd>
          </div>
        ))}
      </dl>
      {answer && (
        <p className="text-sm text-muted">
          Against{" "}
          <Link to={`/scans/${answer.previous_id}`} className="text-accent hover:underline">
            scan {answer.previous_id}
          </Link>{" "}
          ·{" "}
          <Link to={`/scans/${job.id}?tab=changes`} className="text-accent hover:underline">
            See the changes of scan {job.id}
          </Link>
        </p>
      )}
    </PanelPart>
  );
}

/** The newest jobs, whatever their status: targets under each job's link and its time under its
 * status, so that the table fits a phone's width. */
function LatestScans({ jobs, now }: { jobs: readonly ScanJob[]; now: number }) {
  return (
    <PanelPart title="Latest scans">
      {/* Scrolls sideways inside the panel on a phone rather than widening the page. */}
      <div className="-mx-4 overflow-x-auto px-4">
        <table aria-label="Latest scans" className="w-full min-w-max border-collapse text-left text-sm">
          <thead>
            <tr>
              <Th>Scan</Th>
              <Th>Status</Th>
              <Th className="text-right">Open ports</Th>
            </tr>
          </thead>
          <tbody>
            {jobs.map((job) => {
              const time = jobTime(job);
              return (
                <tr key={job.id}>
                  <Td className="max-w-64">
                    <Link to={`/scans/${job.id}`} className="font-medium text-accent hover:underline">
                      Scan {job.id}
                    </Link>
                    {job.backend === "nmap" && (
                      <span className="ml-2 align-middle">
                        <Badge>nmap</Badge>
                      </span>
                    )}
                    <p className="truncate font-mono text-xs text-ink" title={job.targets.join(", ")}>
                      {targetsText(job.targets)}
                    </p>
                  </Td>
                  <Td>
                    <ScanStatusBadge status={job.status} />
                    <p className="text-xs whitespace-nowrap text-muted">
                      {time.label} <When value={time.at} now={now} />
                    </p>
                  </Td>
                  <Td className="text-right tabular-nums">{job.progress.open_found.toLocaleString("en-US")}</Td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </PanelPart>
  );
}
