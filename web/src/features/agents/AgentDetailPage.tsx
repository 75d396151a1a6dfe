import { Link, useParams } from "react-router";
import { Page } from "../../components/Page";
import { EmptyState, ErrorState, Loading } from "../../components/States";
import { useCan } from "../auth/session";
import { AgentActions } from "./AgentActions";
import { AgentFacts } from "./AgentFacts";
import { isNotFound, useAgent, useAgentListLive, useAgentLive, useInventoryLive } from "./api";
import { InventoryTabs } from "./InventoryTabs";

const backLink = (
  <Link to="/agents" className="text-accent hover:underline">
    Back to all agents
  </Link>
);

/** /agents/:id: one agent's facts, the actions on it, and its inventory. Live from the stream. */
export function AgentDetailPage() {
  const { id = "" } = useParams();
  const agent = useAgent(id);
  const deleted = useAgentLive(id);
  useAgentListLive();
  useInventoryLive(id);
  const canWrite = useCan("agents:write");

  if (deleted) {
    return (
      <Page title="Agent deleted">
        <EmptyState title="This agent was deleted">{backLink}</EmptyState>
      </Page>
    );
  }
  if (agent.isPending) return <Loading label="Loading agent" />;
  if (agent.isError && !agent.data) {
    return isNotFound(agent.error) ? (
      <Page title="No such agent">
        <EmptyState title="There is no agent with this ID">
          It may have been deleted. {backLink}
        </EmptyState>
      </Page>
    ) : (
      <Page title="Agent">
        <ErrorState error={agent.error} onRetry={() => void agent.refetch()} />
      </Page>
    );
  }
  const data = agent.data;
  if (!data) return <Loading label="Loading agent" />;
  return (
    <Page title={data.hostname} actions={canWrite ? <AgentActions agent={data} /> : null}>
      <nav aria-label="Breadcrumb" className="-mt-2 text-sm">
        <Link to="/agents" className="text-muted hover:text-ink hover:underline">
          Agents
        </Link>
        <span className="text-muted"> / {data.hostname}</span>
      </nav>
      <AgentFacts agent={data} />
      <InventoryTabs agentId={data.id} />
    </Page>
  );
}
