import { lazy, Suspense } from "react";
import { Link } from "react-router";
import { Panel } from "../../components/Page";
import { EmptyState, ErrorState, Loading } from "../../components/States";
import { useAgentCounts } from "./api";

// Loaded apart and early, like the events chart: see EventsPanel.
const donutModule = import("./AgentDonut");
donutModule.catch(() => undefined);
const AgentDonut = lazy(() => donutModule.then((m) => ({ default: m.AgentDonut })));

/** The fleet by status: a donut and a legend that carries the numbers. */
export function AgentsPanel({ className = "" }: { className?: string }) {
  const agents = useAgentCounts(true);
  const { online, offline, revoked } = agents.counts;
  const legend = [
    { name: "Online", value: online, dot: "bg-ok" },
    { name: "Offline", value: offline, dot: "bg-warn" },
    { name: "Revoked", value: revoked, dot: "bg-muted" },
  ];
  return (
    <Panel title="Agents by status" className={className}>
      {agents.isPending ? (
        <Loading label="Loading agents" />
      ) : agents.error ? (
        <ErrorState error={agents.error} onRetry={agents.refetch} />
      ) : online + offline + revoked === 0 ? (
        <EmptyState title="No agents enrolled yet">
          <Link to="/agents" className="text-accent underline">
            Enrol an agent
          </Link>{" "}
          to see its host here.
        </EmptyState>
      ) : (
        <div className="flex items-center gap-6">
          <Suspense fallback={<div className="h-36 w-36 shrink-0" />}>
            <AgentDonut online={online} offline={offline} revoked={revoked} />
          </Suspense>
          <ul className="flex flex-col gap-2 text-sm">
            {legend.map((item) => (
              <li key={item.name} className="flex items-center gap-2">
                <span aria-hidden="true" className={`h-2.5 w-2.5 rounded-full ${item.dot}`} />
                <span className="text-muted">{item.name}</span>
                <span className="font-medium tabular-nums">{item.value.toLocaleString()}</span>
              </li>
            ))}
          </ul>
        </div>
      )}
    </Panel>
  );
}
