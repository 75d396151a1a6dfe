import type { ReactNode } from "react";
import { useAgentCounts, useEventSummary } from "./api";
import { totalEvents } from "./derive";

/** The headline numbers: agents per status and events of the last 24 hours, 4-up on wide screens. */
export function StatCards({ canAgents, canEvents }: { canAgents: boolean; canEvents: boolean }) {
  const agents = useAgentCounts(canAgents);
  const summary = useEventSummary(canEvents);
  const agentValue = (count: number) => (agents.isPending ? null : agents.error ? undefined : count);
  return (
    <dl className="grid grid-cols-1 gap-4 sm:grid-cols-2 lg:grid-cols-4">
      {canAgents && (
        <>
          <Stat label="Agents online" value={agentValue(agents.counts.online)} tone="text-ok" />
          <Stat label="Agents offline" value={agentValue(agents.counts.offline)} tone="text-warn" />
          <Stat label="Agents revoked" value={agentValue(agents.counts.revoked)} tone="text-muted" />
        </>
      )}
      {canEvents && (
        <Stat
          label="Events, last 24 h"
          value={summary.isPending ? null : summary.data ? totalEvents(summary.data) : undefined}
          tone="text-accent"
        />
      )}
    </dl>
  );
}

/** One number; `null` while loading, `undefined` when it could not be loaded (the panel below says why). */
function Stat({ label, value, tone }: { label: string; value: number | null | undefined; tone: string }): ReactNode {
  return (
    <div className="rounded-lg border border-line bg-panel p-4">
      <dt className="text-sm text-muted">{label}</dt>
      <dd aria-busy={value === null || undefined} className={`mt-1 text-3xl font-semibold tabular-nums ${tone}`}>
        {value === null ? (
          <span className="text-muted">…</span>
        ) : value === undefined ? (
          "—"
        ) : (
          value.toLocaleString()
        )}
      </dd>
    </div>
  );
}
