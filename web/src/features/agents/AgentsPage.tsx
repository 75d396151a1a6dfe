import { useDeferredValue, useMemo, useState } from "react";
import { Link } from "react-router";
import { Button } from "../../components/Button";
import { Page } from "../../components/Page";
import { EmptyState, ErrorState, Loading } from "../../components/States";
import { formatAgo, formatTime } from "../../lib/time";
import { useNow } from "../../lib/useNow";
import { useCan } from "../auth/session";
import { AgentFilterBar } from "./AgentFilterBar";
import { useAgentListLive, useAgents, useListProgress } from "./api";
import { EnrolDialog } from "./EnrolDialog";
import { filterAgents, filterChoices, hasFilters, labelText, sortAgents, type SortKey } from "./filterAgents";
import { formatCount, formatNumber } from "./formatCount";
import { LabelChips } from "./LabelChips";
import { StatusBadge } from "./StatusBadge";
import type { Agent } from "./types";
import { useAgentFilters } from "./useAgentFilters";
import { VirtualGrid, nextSort, type GridColumn } from "./VirtualGrid";

/** /agents: every agent in one fast table, filtered in the browser, kept live by the stream. */
export function AgentsPage() {
  const agents = useAgents();
  useAgentListLive();
  const canWrite = useCan("agents:write");
  const [enrolling, setEnrolling] = useState(false);
  const enrol = canWrite ? (
    <Button variant="primary" onClick={() => setEnrolling(true)}>
      Enrol agent
    </Button>
  ) : null;

  return (
    <Page title="Agents" actions={enrol}>
      {agents.isPending ? (
        <ListLoading />
      ) : agents.isError ? (
        <ErrorState error={agents.error} onRetry={() => void agents.refetch()} />
      ) : agents.data.length === 0 ? (
        <EmptyState title="No agents yet">
          <div className="flex max-w-md flex-col items-center gap-3">
            <p>
              An agent runs on each host you want to watch and reports its inventory and events here. Create an
              enrolment token, run the command it comes with on the host, and the agent appears here as soon as it
              connects.
            </p>
            {canWrite ? (
              <Button variant="primary" onClick={() => setEnrolling(true)}>
                Enrol agent
              </Button>
            ) : (
              <p>Ask someone with permission to manage agents to enrol one.</p>
            )}
          </div>
        </EmptyState>
      ) : (
        <AgentTable agents={agents.data} />
      )}
      {canWrite && <EnrolDialog open={enrolling} onClose={() => setEnrolling(false)} />}
    </Page>
  );
}

/** The list's loading state; with many agents it says how far it has got. */
function ListLoading() {
  const progress = useListProgress();
  const label =
    progress && progress.total > progress.loaded
      ? `Loading agents: ${formatNumber(progress.loaded)} of ${formatNumber(progress.total)}`
      : "Loading agents";
  return <Loading label={label} />;
}

function LastSeen({ agent, now }: { agent: Agent; now: number }) {
  if (agent.status === "online") {
    return <span title={agent.last_seen ? `Connected; last recorded ${formatTime(agent.last_seen)}` : "Connected"}>now</span>;
  }
  return <span title={formatTime(agent.last_seen)}>{formatAgo(agent.last_seen, now)}</span>;
}

function columns(now: number): GridColumn<Agent, SortKey>[] {
  return [
    {
      id: "hostname",
      title: "Hostname",
      width: "minmax(12rem, 2fr)",
      sortable: true,
      cell: (agent) => (
        <Link
          to={`/agents/${encodeURIComponent(agent.id)}`}
          title={agent.hostname}
          className="font-medium text-accent hover:underline"
        >
          {agent.hostname}
        </Link>
      ),
    },
    { id: "status", title: "Status", width: "7rem", sortable: true, cell: (agent) => <StatusBadge status={agent.status} /> },
    {
      id: "os",
      title: "OS",
      width: "minmax(10rem, 1.5fr)",
      sortable: true,
      cell: (agent) => <span title={agent.os}>{agent.os}</span>,
    },
    { id: "agent_version", title: "Version", width: "6.5rem", sortable: true, cell: (agent) => agent.agent_version },
    { id: "group", title: "Group", width: "minmax(6rem, 1fr)", sortable: true, cell: (agent) => agent.group ?? "" },
    {
      id: "labels",
      title: "Labels",
      width: "minmax(10rem, 2fr)",
      sortable: true,
      cell: (agent) => (
        <span title={labelText(agent.labels)} className="block overflow-hidden whitespace-nowrap">
          <LabelChips labels={agent.labels} nowrap />
        </span>
      ),
    },
    {
      id: "last_seen",
      title: "Last seen",
      width: "7.5rem",
      sortable: true,
      cell: (agent) => <LastSeen agent={agent} now={now} />,
    },
  ];
}

function AgentTable({ agents }: { agents: readonly Agent[] }) {
  const now = useNow();
  const { filters, sort, setFilters, setSort, clearFilters } = useAgentFilters();
  // Typing stays responsive: the input updates at once, the table in the render after.
  const deferredFilters = useDeferredValue(filters);
  const sortNow = sort.key === "last_seen" ? now : 0;
  const sorted = useMemo(() => sortAgents(agents, sort, sortNow), [agents, sort, sortNow]);
  const shown = useMemo(() => filterAgents(sorted, deferredFilters, now), [sorted, deferredFilters, now]);
  const choices = useMemo(() => filterChoices(agents), [agents]);
  const byStatus = useMemo(() => {
    const counts = { online: 0, offline: 0, revoked: 0 };
    for (const agent of agents) counts[agent.status] = (counts[agent.status] ?? 0) + 1;
    return counts;
  }, [agents]);
  const gridColumns = useMemo(() => columns(now), [now]);

  return (
    <div className="flex flex-col gap-4">
      <AgentFilterBar filters={filters} choices={choices} onChange={setFilters} onClear={clearFilters} />
      <div className="flex flex-wrap items-baseline gap-x-3 gap-y-1">
        <p role="status" aria-live="polite" className="text-sm font-medium text-ink">
          {formatCount(shown.length, agents.length, "agent")}
        </p>
        <p className="text-sm text-muted">
          {formatNumber(byStatus.online)} online · {formatNumber(byStatus.offline)} offline ·{" "}
          {formatNumber(byStatus.revoked)} revoked
        </p>
      </div>
      <VirtualGrid
        label="Agents"
        columns={gridColumns}
        rows={shown}
        rowKey={(agent) => agent.id}
        sort={sort}
        onSort={(key) => setSort(nextSort(sort, key))}
        minWidth="62rem"
        empty={
          <span className="inline-flex flex-wrap items-center justify-center gap-2">
            No agents match these filters.
            {hasFilters(filters) && (
              <Button variant="ghost" onClick={clearFilters}>
                Clear filters
              </Button>
            )}
          </span>
        }
        resetScrollKey={deferredFilters}
      />
    </div>
  );
}
