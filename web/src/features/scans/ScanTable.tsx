import { Link } from "react-router";
import { Badge } from "../../components/Page";
import { Table, Td, Th } from "../../components/Table";
import { When } from "../../components/When";
import { CancelScanButton } from "./CancelScanButton";
import { elapsedMs, formatDuration, formatRate, hostsTotalText, isActive, portsLabel, targetsText } from "./jobs";
import { ProgressBar, ScanStatusBadge } from "./ScanProgress";
import type { ScanJob } from "./types";

/** Scan jobs with their live progress; Cancel on active jobs when `canCancel`. */
export function ScanTable({ jobs, now, canCancel }: { jobs: readonly ScanJob[]; now: number; canCancel: boolean }) {
  return (
    <Table label="Scans">
      <thead>
        <tr>
          <Th>Scan</Th>
          <Th>Status</Th>
          <Th className="w-44">Progress</Th>
          <Th>Hosts done</Th>
          <Th className="text-right">Open ports</Th>
          <Th className="text-right">Rate</Th>
          <Th>Started</Th>
          <Th>Finished</Th>
          {canCancel && (
            <Th>
              <span className="sr-only">Actions</span>
            </Th>
          )}
        </tr>
      </thead>
      <tbody>
        {jobs.map((job) => {
          const elapsed = elapsedMs(job, now);
          return (
            <tr key={job.id}>
              <Td className="max-w-xs">
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
              </Td>
              <Td>
                <ScanStatusBadge status={job.status} />
                {job.error && (
                  <p className="mt-1 max-w-48 truncate text-xs text-muted" title={job.error}>
                    {job.error}
                  </p>
                )}
              </Td>
              <Td>
                <ProgressBar job={job} className="pt-1" />
              </Td>
              <Td className="tabular-nums">
                {job.progress.hosts_done.toLocaleString("en-US")}
                <span className="block text-xs text-muted">of {hostsTotalText(job)}</span>
              </Td>
              <Td className="text-right tabular-nums">{job.progress.open_found.toLocaleString("en-US")}</Td>
              <Td className="text-right whitespace-nowrap tabular-nums">
                {formatRate(job.progress.rate)}
              </Td>
              <Td className="whitespace-nowrap">
                <When value={job.started_at} now={now} />
              </Td>
              <Td className="whitespace-nowrap">
                <When value={job.finished_at} now={now} />
                {job.finished_at && elapsed !== null && (
                  <span className="block text-xs text-muted">took {formatDuration(elapsed)}</span>
                )}
              </Td>
              {canCancel && (
                <Td className="text-right">{isActive(job.status) && <CancelScanButton id={job.id} />}</Td>
              )}
            </tr>
          );
        })}
      </tbody>
    </Table>
  );
}
