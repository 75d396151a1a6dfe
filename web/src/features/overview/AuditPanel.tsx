import { Link } from "react-router";
import { Badge, Panel } from "../../components/Page";
import { EmptyState, ErrorState, Loading } from "../../components/States";
import { Td, Th } from "../../components/Table";
import { formatTime } from "../../lib/time";
import { auditLimit, useLatestAudit } from "./api";

/** The newest audit entries, newest first; new ones arrive over the stream. */
export function AuditPanel({ className = "" }: { className?: string }) {
  const audit = useLatestAudit(true);
  return (
    <Panel title="Latest audit activity" className={className}>
      {audit.isPending ? (
        <Loading label="Loading audit entries" />
      ) : audit.isError ? (
        <ErrorState error={audit.error} onRetry={() => void audit.refetch()} />
      ) : audit.data.length === 0 ? (
        <EmptyState title="No audit entries yet." />
      ) : (
        <>
          {/* Scrolls sideways inside the panel on a phone rather than widening the page. */}
          <div className="-mx-4 overflow-x-auto px-4">
            <table
              aria-label={`The ${auditLimit} newest audit entries`}
              className="w-full min-w-max border-collapse text-left text-sm"
            >
              <thead>
                <tr>
                  <Th>Time</Th>
                  <Th>Actor</Th>
                  <Th>Action</Th>
                  <Th>Target</Th>
                </tr>
              </thead>
              <tbody>
                {audit.data.map((entry) => (
                  <tr key={entry.seq}>
                    <Td className="whitespace-nowrap text-muted tabular-nums">{formatTime(entry.time_ms)}</Td>
                    <Td>{entry.actor}</Td>
                    <Td>
                      <span className="font-mono text-xs">{entry.action}</span>
                      {entry.outcome !== "success" && (
                        <span className="ml-2">
                          <Badge tone="bad">{entry.outcome}</Badge>
                        </span>
                      )}
                    </Td>
                    <Td className="font-mono text-xs">{entry.target || "—"}</Td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <p className="mt-3 text-sm">
            <Link to="/audit" className="text-accent hover:underline">
              Open the audit log
            </Link>
          </p>
        </>
      )}
    </Panel>
  );
}
