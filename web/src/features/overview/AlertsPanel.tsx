import { Link } from "react-router";
import { Panel } from "../../components/Page";
import { EmptyState, ErrorState, Loading } from "../../components/States";
import { When } from "../../components/When";
import { useAlertList, useAlertsLive } from "../alerts/api";
import { SeverityBadge } from "../alerts/badges";
import { alertQuery, defaultFilters } from "../alerts/filters";
import { OpenAlertCounts } from "../alerts/OpenAlertCounts";
import { useNow } from "../../lib/useNow";

const newest = 5;
const newestQuery = alertQuery(defaultFilters, newest);

/** Open alerts by severity and the newest open ones, live from the stream. */
export function AlertsPanel({ className = "" }: { className?: string }) {
  useAlertsLive();
  const list = useAlertList(newestQuery);
  const now = useNow(30_000);
  return (
    <Panel title="Open alerts" className={className}>
      <div className="flex flex-col gap-4">
        <OpenAlertCounts compact />
        {list.isPending ? (
          <Loading label="Loading alerts" />
        ) : list.isError ? (
          <ErrorState error={list.error} onRetry={() => void list.refetch()} />
        ) : list.data.items.length === 0 ? (
          <EmptyState title="No open alerts">New alerts appear here as soon as a rule matches.</EmptyState>
        ) : (
          <ol aria-label="Newest open alerts" className="flex flex-col divide-y divide-line">
            {list.data.items.map((alert) => (
              <li key={alert.id} className="flex flex-col gap-0.5 py-2 text-sm">
                <div className="flex min-w-0 items-center gap-2">
                  <SeverityBadge severity={alert.severity} />
                  <Link to={`/alerts/${alert.id}`} className="min-w-0 truncate text-accent hover:underline" title={alert.rule_title}>
                    {alert.rule_title}
                  </Link>
                </div>
                <p className="flex min-w-0 gap-2 text-xs text-muted">
                  <span className="min-w-0 truncate">{alert.hostname || alert.agent_id || alert.entity}</span>
                  <span aria-hidden="true">·</span>
                  <When value={alert.last_seen} now={now} className="whitespace-nowrap" />
                </p>
              </li>
            ))}
          </ol>
        )}
        <p className="text-sm">
          <Link to="/alerts" className="text-accent hover:underline">
            Open the alert list
          </Link>
        </p>
      </div>
    </Panel>
  );
}
