import { Page } from "../../components/Page";
import { EmptyState } from "../../components/States";
import { useCan } from "../auth/session";
import { AgentsPanel } from "./AgentsPanel";
import { AlertsPanel } from "./AlertsPanel";
import { useOverviewLive } from "./api";
import { AuditPanel } from "./AuditPanel";
import { EventsPanel } from "./EventsPanel";
import { FirewallPanel } from "./FirewallPanel";
import { ScansPanel } from "./ScansPanel";
import { StatCards } from "./StatCards";
import { TopHostsPanel } from "./TopHostsPanel";

/** The landing page: open alerts, the fleet, events, network scans, the firewall and audit activity at
 * a glance, kept live by the stream. Each part shows only to users who may read its data. */
export function OverviewPage() {
  const canAgents = useCan("agents:read");
  const canEvents = useCan("events:read");
  const canAudit = useCan("audit:read");
  const canAlerts = useCan("alerts:read");
  const canScans = useCan("scans:read");
  const canStartScans = useCan("scans:write");
  const canFirewall = useCan("firewall:read");
  useOverviewLive();

  return (
    <Page title="Overview">
      {(canAgents || canEvents) && <StatCards canAgents={canAgents} canEvents={canEvents} />}
      <div className="grid grid-cols-1 gap-4 lg:grid-cols-3">
        {canEvents && <EventsPanel className="lg:col-span-2" />}
        {canAgents && <AgentsPanel />}
        {canAlerts && <AlertsPanel />}
        {canEvents && <TopHostsPanel canAgents={canAgents} className="lg:col-span-2" />}
        {canScans && <ScansPanel canWrite={canStartScans} className="lg:col-span-2" />}
        {canFirewall && <FirewallPanel />}
        {canAudit && <AuditPanel className="lg:col-span-3" />}
      </div>
      {!canAgents && !canEvents && !canAudit && !canAlerts && !canScans && !canFirewall && (
        <EmptyState title="Nothing to show for your role">
          Ask an administrator for access to agents or events.
        </EmptyState>
      )}
    </Page>
  );
}
