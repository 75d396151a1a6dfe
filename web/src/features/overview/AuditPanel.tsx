import { Link } from "react-router";
import { Badge, Panel } from "../../components/Page";
import { EmptyState, ErrorState, Loading } from "../../components/States";
import { formatTime } from "../../lib/time";
import { auditLimit, useLatestAudit } from "./api";

const th = "border-b border-line px-3 py-2 text-xs font-semibold tracking-wide text-muted uppercase";
const td = "border-b border-line px-3 py-2 align-top";

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
                  <th scope="col" className={th}>Time</th>
                  <th scope="col" className={th}>Actor</th>
                  <th scope="col" className={th}>Action</th>
                  <th scope="col" className={th}>Target</th>
                </tr>
              </thead>
              <tbody>
                {audit.data.map((entry) => (
                  <tr key={entry.seq}>
                    <td className={`${td} whitespace-nowrap text-muted tabular-nums`}>{formatTime(entry.time_ms)}</td>
                    <td className={td}>{entry.actor}</td>
                    <td className={td}>
                      <span className="font-mono text-xs">{entry.action}</span>
                      {entry.outcome !== "success" && (
                        <span className="ml-2">
                          <Badge tone="bad">{entry.outcome}</Badge>
                        </span>
                      )}
                    </td>
                    <td className={`${td} font-mono text-xs`}>{entry.target || "—"}</td>
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
