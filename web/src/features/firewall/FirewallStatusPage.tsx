import { useState } from "react";
import { Link } from "react-router";
import { Button } from "../../components/Button";
import { Dialog } from "../../components/Dialog";
import { FormAlert } from "../../components/FormAlert";
import { Panel } from "../../components/Page";
import { EmptyState, ErrorState, Loading } from "../../components/States";
import { Table, Td, Th } from "../../components/Table";
import { When } from "../../components/When";
import { useNow } from "../../lib/useNow";
import { useCan } from "../auth/session";
import { useAgentChoices, useApplyPolicies, useFirewallLive, useFirewallStatus } from "./api";
import { FirewallPage } from "./FirewallNav";
import { driftText, outcomeLabel, rollbackText, syncState, versionText } from "./status";
import { ToneBadge } from "./ToneBadge";
import type { AgentFirewallStatus, ApplyResult } from "./types";

/** Per agent: the policy it should have and what it applied, confirmed, drifted and rolled back;
 * live from the stream. Apply now for firewall:write. */
export function FirewallStatusPage() {
  const canWrite = useCan("firewall:write");
  const [applyOpen, setApplyOpen] = useState(false);
  return (
    <FirewallPage
      title="Firewall"
      actions={
        canWrite ? (
          <Button variant="primary" onClick={() => setApplyOpen(true)}>
            Apply now
          </Button>
        ) : undefined
      }
    >
      <StatusList />
      {canWrite && <ApplyDialog open={applyOpen} onClose={() => setApplyOpen(false)} />}
    </FirewallPage>
  );
}

function StatusList() {
  const status = useFirewallStatus();
  const { names } = useAgentChoices();
  const now = useNow(30_000);
  useFirewallLive();

  if (status.isPending) return <Loading label="Loading agent firewall state" />;
  if (status.isError) return <ErrorState error={status.error} onRetry={() => void status.refetch()} />;
  if (status.data.length === 0) {
    return (
      <Panel>
        <EmptyState title="No agent has received a firewall policy yet">
          Assign a policy to a group or an agent under{" "}
          <Link to="/firewall/policies" className="text-accent hover:underline">
            Policies
          </Link>
          ;
          agents get it when they connect, or at once with Apply now. Their state shows here live.
        </EmptyState>
      </Panel>
    );
  }
  return (
    <Panel>
      <Table label="Agent firewall state">
        <thead>
          <tr>
            <Th>Agent</Th>
            <Th>State</Th>
            <Th>Effective policy</Th>
            <Th>Applied</Th>
            <Th>Confirmed</Th>
            <Th>Drift</Th>
            <Th>Last rollback</Th>
            <Th>Last error</Th>
          </tr>
        </thead>
        <tbody>
          {status.data.map((row) => (
            <StatusRow key={row.agent_id} row={row} hostname={names.get(row.agent_id)} now={now} />
          ))}
        </tbody>
      </Table>
    </Panel>
  );
}

function StatusRow({ row, hostname, now }: { row: AgentFirewallStatus; hostname: string | undefined; now: number }) {
  const state = syncState(row);
  const drift = driftText(row);
  const rollback = rollbackText(row);
  return (
    <tr>
      <Td>
        <Link to={`/agents/${encodeURIComponent(row.agent_id)}`} className="font-medium text-accent hover:underline">
          {hostname ?? row.agent_id}
        </Link>
        {hostname && <p className="font-mono text-xs text-muted">{row.agent_id}</p>}
      </Td>
      <Td>
        <ToneBadge tone={state.tone}>{state.label}</ToneBadge>
      </Td>
      <Td>
        {row.effective ? (
          <Link to={`/firewall/policies/${row.effective.policy_id}`} className="text-accent hover:underline">
            {row.effective.policy_name} {versionText(row.effective.version)}
          </Link>
        ) : (
          <span className="text-muted">none</span>
        )}
      </Td>
      <Td className="whitespace-nowrap">
        {versionText(row.version)}
        <span className="block text-xs text-muted">
          <When value={row.applied_at} now={now} />
        </span>
      </Td>
      <Td className="whitespace-nowrap">
        {row.confirmed ? "Yes" : "No"}
        {row.confirmed_version !== null && (
          <span className="block text-xs text-muted">
            {versionText(row.confirmed_version)}, <When value={row.confirmed_at} now={now} />
          </span>
        )}
      </Td>
      <Td>
        {drift ? (
          <>
            {drift}
            <span className="block text-xs text-muted">
              <When value={row.last_drift_at} now={now} />
            </span>
          </>
        ) : (
          <span className="text-muted">none</span>
        )}
      </Td>
      <Td>
        {rollback ? (
          <>
            {rollback}
            <span className="block text-xs text-muted">
              <When value={row.rolled_back_at} now={now} />
            </span>
          </>
        ) : (
          <span className="text-muted">none</span>
        )}
      </Td>
      <Td className="max-w-xs">
        {row.last_error ? (
          <>
            <span className="break-words text-bad">{row.last_error}</span>
            <span className="block text-xs text-muted">
              <When value={row.last_error_at} now={now} />
            </span>
          </>
        ) : (
          <span className="text-muted">none</span>
        )}
      </Td>
    </tr>
  );
}

/** Pushes every agent's effective policy now and shows each agent's outcome. */
function ApplyDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const apply = useApplyPolicies();
  const close = () => {
    onClose();
    apply.reset();
  };
  return (
    <Dialog open={open} title="Apply firewall policies" onClose={close} wide>
      <p className="text-sm text-ink">
        Every agent gets its effective policy now and must confirm it; an agent that cannot reach the server afterwards
        rolls back by itself. Agents that are offline get it when they connect.
      </p>
      {apply.data && <ApplyResults results={apply.data.results} />}
      <FormAlert error={apply.error} />
      <div className="flex justify-end gap-2">
        <Button onClick={close}>{apply.data ? "Close" : "Cancel"}</Button>
        {!apply.data && (
          <Button variant="primary" busy={apply.isPending} onClick={() => apply.mutate({})}>
            Apply to every agent
          </Button>
        )}
      </div>
    </Dialog>
  );
}

function ApplyResults({ results }: { results: readonly ApplyResult[] }) {
  if (results.length === 0) return <p className="text-sm text-muted">No agent to apply to.</p>;
  return (
    <div className="max-h-80 overflow-auto">
      <table aria-label="Apply results" className="w-full border-collapse text-left text-sm">
        <thead>
          <tr>
            <Th>Agent</Th>
            <Th>Outcome</Th>
            <Th>Version</Th>
          </tr>
        </thead>
        <tbody>
          {results.map((result) => {
            const outcome = outcomeLabel(result.outcome);
            return (
              <tr key={result.agent_id}>
                <Td className="font-mono text-xs">{result.agent_id}</Td>
                <Td>
                  <ToneBadge tone={outcome.tone}>{outcome.label}</ToneBadge>
                  {result.error && <p className="mt-1 text-xs break-words text-muted">{result.error}</p>}
                </Td>
                <Td>{versionText(result.version)}</Td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
