import { Panel } from "../../components/Page";
import { EmptyState } from "../../components/States";

/** Alerts of the last 24 hours. There is no alerts API before detection exists, so this says so
 * rather than asking a route that is not there or drawing a chart of nothing. */
export function AlertsPanel({ className = "" }: { className?: string }) {
  return (
    <Panel title="Alerts, last 24 hours" className={className}>
      <EmptyState title="No alerts yet">Alerts appear here once detection rules are enabled.</EmptyState>
    </Panel>
  );
}
