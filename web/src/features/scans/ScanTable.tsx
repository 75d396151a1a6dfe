import { Link } from "react-router";
import { Badge } from "../../components/Page";
import { formatAgo, formatTime, toDate } from "../../lib/time";
import { CancelScanButton } from "./CancelScanButton";
import { elapsedMs, formatDuration, formatRate, hostsTotalText, isActive, portsLabel, targetsText } from "./jobs";
import { ProgressBar, ScanStatusBadge } from "./ScanProgress";
import type { ScanJob } from "./types";

const th = "border-b border-line px-3 py-2 text-xs font-semibold tracking-wide text-muted uppercase";
const td = "border-b border-line px-3 py-2 align-top";

function When({ value, now }: { value: string | null; now: number }) {
  if (!value) return <span className="text-muted">—</span>;
  return (
    <time dateTime={toDate(value)?.toISOString()} title={formatTime(value)}>
      {formatAgo(value, now)}
    </time>
  );
}

/** Scan jobs with their live progress; Cancel on active jobs when `canCancel`. */
export function ScanTable({ jobs, now, canCancel }: { jobs: readonly ScanJob[]; now: number; canCancel: boolean }) {
  return (
    // Scrolls sideways inside its panel on a phone rather than widening the page.
    <div className="relative -mx-4 overflow-x-auto px-4">
      <table aria-label="Scans" className="w-full min-w-max border-collapse text-left text-sm">
        <thead>
          <tr>
            <th scope="col" className={th}>Scan</th>
            <th scope="col" className={th}>Status</th>
            <th scope="col" className={`${th} w-44`}>Progress</th>
            <th scope="col" className={th}>Hosts done</th>
            <th scope="col" className={`${th} text-right`}>Open ports</th>
            <th scope="col" className={`${th} text-right`}>Rate</th>
            <th scope="col" className={th}>Started</th>
            <th scope="col" className={th}>Finished</th>
            {canCancel && (
              <th scope="col" className={th}>
                <span className="sr-only">Actions</span>
              </th>
            )}
          </tr>
        </thead>
        <tbody>
          {jobs.map((job) => {
            const elapsed = elapsedMs(job, now);
            return (
              <tr key={job.id}>
                <td className={`${td} max-w-xs`}>
                  <Link to={`/scans/${job.id}`} className="font-medium text-accent hover:underline">
                    Scan {job.id}
                  </Link>
                  {job.backend === "nmap" && (
                    <span className="ml-2 align-middle" title={job.method ?? undefined}>
                      <Badge>nmap</Badge>
                    </span>
                  )}
                  <p className="truncate font-mono text-xs text-ink" title={job.targets.join(", ")}>
                    {targetsText(job.targets)}
                  </p>
                  <p className="text-xs text-muted">
                    {portsLabel(job)} · {job.requested_by}
                  </p>
                </td>
                <td className={td}>
                  <ScanStatusBadge status={job.status} />
                  {job.error && (
                    <p className="mt-1 max-w-48 truncate text-xs text-muted" title={job.error}>
                      {job.error}
                    </p>
                  )}
                </td>
                <td className={td}>
                  <ProgressBar job={job} className="pt-1" />
                </td>
                <td className={`${td} tabular-nums`}>
                  {job.progress.hosts_done.toLocaleString("en-US")}
                  <span className="block text-xs text-muted">of {hostsTotalText(job)}</span>
                </td>
                <td className={`${td} text-right tabular-nums`}>{job.progress.open_found.toLocaleString("en-US")}</td>
                <td className={`${td} text-right whitespace-nowrap tabular-nums`}>
                  {formatRate(job.progress.rate)}
                </td>
                <td className={`${td} whitespace-nowrap`}>
                  <When value={job.started_at} now={now} />
                </td>
                <td className={`${td} whitespace-nowrap`}>
                  <When value={job.finished_at} now={now} />
                  {job.finished_at && elapsed !== null && (
                    <span className="block text-xs text-muted">took {formatDuration(elapsed)}</span>
                  )}
                </td>
                {canCancel && (
                  <td className={`${td} text-right`}>{isActive(job.status) && <CancelScanButton id={job.id} />}</td>
                )}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
