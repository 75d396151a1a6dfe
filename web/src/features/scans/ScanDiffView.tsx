import { useState } from "react";
import { Link } from "react-router";
import { Badge } from "../../components/Page";
import { Pager } from "../../components/Pager";
import { EmptyState, ErrorState, Loading } from "../../components/States";
import { Table, Td, Th } from "../../components/Table";
import { useScanDiff } from "./api";
import { changeCounts, changeDetail, changeLabel, changeSummary, changeTone, changeWhere } from "./diff";
import { offsetWithin, scanPageSize } from "./paging";
import type { ScanJob } from "./types";

/** What changed against the previous completed scan of the same targets and ports: new hosts,
 * new open ports, changed services, closed ports and hosts gone, a page at a time by address;
 * the summary counts the whole diff. */
export function ScanDiffView({ job }: { job: ScanJob }) {
  const completed = job.status === "completed";
  const [offset, setOffset] = useState(0);
  const diff = useScanDiff(String(job.id), completed, { offset, limit: scanPageSize });

  if (!completed) {
    return (
      <EmptyState title="No comparison yet">
        {job.status === "queued" || job.status === "running"
          ? "The comparison with the previous scan is made when this scan completes."
          : "Only completed scans are compared with the previous scan."}
      </EmptyState>
    );
  }
  if (diff.isPending) return <Loading label="Loading changes" />;
  if (diff.isError) return <ErrorState error={diff.error} onRetry={() => void diff.refetch()} />;
  const { previous_id: previous, changes, total } = diff.data;
  if (previous === null) {
    return (
      <EmptyState title="Nothing to compare with">
        This is the first completed scan of these targets and ports; the next one is compared with it.
      </EmptyState>
    );
  }
  const against = (
    <Link to={`/scans/${previous}`} className="text-accent hover:underline">
      scan {previous}
    </Link>
  );
  if (total === 0) {
    return <EmptyState title="No changes">The same hosts, open ports and services as {against}.</EmptyState>;
  }
  return (
    <div className="flex flex-col gap-3">
      <p className="text-sm text-ink">
        Compared with {against}: {changeSummary(changeCounts(diff.data.counts))}.
      </p>
      <Table label="Changes">
        <thead>
          <tr>
            <Th>Change</Th>
            <Th>Where</Th>
            <Th>Service</Th>
          </tr>
        </thead>
        <tbody>
          {changes.map((change) => (
            <tr key={`${change.action} ${change.address} ${change.protocol ?? ""}/${change.port ?? ""}`}>
              <Td>
                <Badge tone={changeTone(change.action)}>{changeLabel(change.action)}</Badge>
              </Td>
              <Td className="font-mono">{changeWhere(change)}</Td>
              <Td>{changeDetail(change) || <span className="text-muted">—</span>}</Td>
            </tr>
          ))}
        </tbody>
      </Table>
      {total > changes.length || offset > 0 ? (
        <Pager
          offset={offset}
          shown={changes.length}
          total={total}
          pageSize={scanPageSize}
          noun="changes"
          onOffset={(next) => setOffset(offsetWithin(next, total, scanPageSize))}
        />
      ) : null}
    </div>
  );
}
