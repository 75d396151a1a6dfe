import type { ReactNode } from "react";
import { Link, useParams, useSearchParams } from "react-router";
import { ApiError } from "../../api/errors";
import { Page, Panel } from "../../components/Page";
import { EmptyState, ErrorState, Loading } from "../../components/States";
import { Tabs } from "../../components/Tabs";
import { formatTime } from "../../lib/time";
import { useNow } from "../../lib/useNow";
import { useCan } from "../auth/session";
import { useScan, useScansLive } from "./api";
import { CancelScanButton } from "./CancelScanButton";
import {
  elapsedMs,
  formatDuration,
  formatRate,
  hostsText,
  isActive,
  phaseText,
  portsLabel,
  runsOnText,
  discoveryText,
  capsText,
  scannerText,
} from "./jobs";
import { ScanDiffView } from "./ScanDiffView";
import { ProgressBar, ScanStatusBadge } from "./ScanProgress";
import { ScanResultsView } from "./ScanResultsView";
import type { ScanJob } from "./types";

type Tab = "results" | "changes";
const tabs: readonly { id: Tab; title: string }[] = [
  { id: "results", title: "Results" },
  { id: "changes", title: "Changes" },
];

/** One scan: its progress live, then its hosts, ports and services, and what changed since the
 * previous scan of the same targets and ports. */
export function ScanDetailPage() {
  const canRead = useCan("scans:read");
  if (!canRead) {
    return (
      <Page title="Scan">
        <EmptyState title="Your role cannot see scans.">It needs the permission scans:read.</EmptyState>
      </Page>
    );
  }
  return <ScanDetail />;
}

function ScanDetail() {
  const { id = "" } = useParams();
  const scan = useScan(id);
  const canWrite = useCan("scans:write");
  const [params, setParams] = useSearchParams();
  const tab: Tab = params.get("tab") === "changes" ? "changes" : "results";
  useScansLive();

  const back = (
    <Link to="/scans" className="text-sm text-accent hover:underline">
      Back to scans
    </Link>
  );
  if (scan.isPending) {
    return (
      <Page title="Scan">
        <Loading label="Loading scan" />
      </Page>
    );
  }
  if (scan.isError) {
    const missing = scan.error instanceof ApiError && scan.error.status === 404;
    return (
      <Page title={missing ? "No such scan" : "Scan"} actions={back}>
        {missing ? (
          <EmptyState title="This scan does not exist.">The link may be wrong.</EmptyState>
        ) : (
          <ErrorState error={scan.error} onRetry={() => void scan.refetch()} />
        )}
      </Page>
    );
  }
  const job = scan.data;
  return (
    <Page
      title={`Scan ${job.id}`}
      actions={
        <>
          {canWrite && isActive(job.status) && <CancelScanButton id={job.id} />}
          {back}
        </>
      }
    >
      <ScanSummary job={job} />
      <Panel>
        <div className="flex flex-col gap-4">
          <Tabs
            label="Scan views"
            tabs={tabs}
            selected={tab}
            onSelect={(next) => setParams(next === "results" ? {} : { tab: next }, { replace: true })}
          />
          {tab === "results" ? <ScanResultsView key={job.id} job={job} /> : <ScanDiffView key={job.id} job={job} />}
        </div>
      </Panel>
    </Page>
  );
}

function methodLabel(method: string | null): string {
  if (method === "syn") return "TCP SYN";
  if (method === "connect") return "TCP connect()";
  if (method === "agents") return "Chosen by each agent (SYN or connect())";
  return method ?? "—";
}

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="min-w-0">
      <dt className="text-xs text-muted">{label}</dt>
      <dd className="text-sm break-words text-ink">{children}</dd>
    </div>
  );
}

function ScanSummary({ job }: { job: ScanJob }) {
  // A running job's duration moves on every second; the clock asks the server nothing.
  const now = useNow(isActive(job.status) ? 1000 : 60_000);
  const elapsed = elapsedMs(job, now);
  return (
    <Panel>
      <div className="flex flex-col gap-4">
        <div className="flex flex-wrap items-center gap-3">
          <ScanStatusBadge status={job.status} />
          <ProgressBar job={job} className="min-w-48 flex-1" />
          {phaseText(job) && <span className="text-sm text-muted">{phaseText(job)}…</span>}
        </div>
        {job.error && (
          <p className="rounded-md bg-raised px-3 py-2 text-sm text-ink">
            {job.status === "failed" ? "Failed: " : ""}
            {job.error}
          </p>
        )}
        <dl className="grid grid-cols-2 gap-x-6 gap-y-3 md:grid-cols-4">
          <Fact label="Targets">
            <span className="font-mono text-xs">{job.targets.join(", ") || "—"}</span>
          </Fact>
          {job.exclude.length > 0 && (
            <Fact label="Excluded">
              <span className="font-mono text-xs">{job.exclude.join(", ")}</span>
            </Fact>
          )}
          <Fact label="Ports">{portsLabel(job)}</Fact>
          <Fact label="Hosts done">{hostsText(job)}</Fact>
          <Fact label="Open ports found">{job.progress.open_found.toLocaleString("en-US")}</Fact>
          <Fact label="Rate">{formatRate(job.progress.rate)}</Fact>
          <Fact label="Scanner">{scannerText(job)}</Fact>
          <Fact label="Runs on">{runsOnText(job)}</Fact>
          {discoveryText(job) && <Fact label="Hosts">{discoveryText(job)}</Fact>}
          {capsText(job) && <Fact label="Caps">{capsText(job)}</Fact>}
          <Fact label="Method">{methodLabel(job.method)}</Fact>
          <Fact label="Requested by">{job.requested_by}</Fact>
          <Fact label="Created">{formatTime(job.created_at)}</Fact>
          <Fact label="Started">{formatTime(job.started_at)}</Fact>
          <Fact label="Finished">{formatTime(job.finished_at)}</Fact>
          <Fact label={job.finished_at ? "Took" : "Running for"}>{elapsed === null ? "—" : formatDuration(elapsed)}</Fact>
        </dl>
      </div>
    </Panel>
  );
}
