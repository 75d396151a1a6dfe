import type { UseQueryResult } from "@tanstack/react-query";
import { Link } from "react-router";
import { ApiError } from "../../api/errors";
import { Panel } from "../../components/Page";
import { EmptyState, Loading } from "../../components/States";
import { summaryHours, useAgents, useEventSummary } from "./api";
import { SummaryError } from "./SummaryError";
import type { Agent } from "../agents/types";

/** The agents that sent the most events in the summary's window, by hostname, linked to each. */
export function TopHostsPanel({ canAgents, className = "" }: { canAgents: boolean; className?: string }) {
  const summary = useEventSummary(true);
  const top = summary.data?.top_agents ?? [];
  const agents = useAgents(
    top.map((row) => row.agent_id),
    canAgents,
  );
  const most = Math.max(1, ...top.map((row) => row.count));
  return (
    <Panel title="Most active hosts" className={className}>
      {summary.isPending ? (
        <Loading label="Loading hosts" />
      ) : summary.isError ? (
        <SummaryError error={summary.error} onRetry={() => void summary.refetch()} />
      ) : top.length === 0 ? (
        <EmptyState title="No activity">No host has sent events in the last {summaryHours} hours.</EmptyState>
      ) : (
        <ol className="flex flex-col gap-3">
          {top.map((row, index) => (
            <li key={row.agent_id} className="flex flex-col gap-1">
              <div className="flex items-baseline justify-between gap-3 text-sm">
                <HostName id={row.agent_id} agent={agents[index]} linked={canAgents} />
                <span className="shrink-0 text-muted tabular-nums">
                  {row.count.toLocaleString()} {row.count === 1 ? "event" : "events"}
                </span>
              </div>
              {/* Length relative to the busiest host; the number above is what it says. */}
              <div aria-hidden="true" className="h-1.5 rounded-full bg-raised">
                <div className="h-full rounded-full bg-accent" style={{ width: `${(row.count / most) * 100}%` }} />
              </div>
            </li>
          ))}
        </ol>
      )}
    </Panel>
  );
}

/** The agent's hostname (its id until that loads, or without agents:read), linked to its page. */
function HostName({ id, agent, linked }: { id: string; agent?: UseQueryResult<Agent>; linked: boolean }) {
  const deleted = agent?.error instanceof ApiError && agent.error.status === 404;
  if (deleted) {
    return (
      <span className="min-w-0 truncate text-muted" title={id}>
        Deleted agent <span className="font-mono text-xs">{id}</span>
      </span>
    );
  }
  const name = agent?.data?.hostname || id;
  const className = `min-w-0 truncate ${agent?.data ? "" : "font-mono text-xs"}`;
  if (!linked) return <span className={className} title={id}>{name}</span>;
  return (
    <Link to={`/agents/${encodeURIComponent(id)}`} className={`${className} text-accent hover:underline`} title={id}>
      {name}
    </Link>
  );
}
