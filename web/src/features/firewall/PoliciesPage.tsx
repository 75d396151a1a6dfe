import { Link, useNavigate, useSearchParams } from "react-router";
import { Button } from "../../components/Button";
import { Panel } from "../../components/Page";
import { Pager } from "../../components/Pager";
import { EmptyState, ErrorState, Loading } from "../../components/States";
import { Table, Td, Th } from "../../components/Table";
import { When } from "../../components/When";
import { useNow } from "../../lib/useNow";
import { useCan } from "../auth/session";
import { policyPageSize, useFirewallLive, usePolicies } from "./api";
import { FirewallPage } from "./FirewallNav";

/** Firewall policies by name; New policy for firewall:write. */
export function PoliciesPage() {
  const canWrite = useCan("firewall:write");
  const navigate = useNavigate();
  return (
    <FirewallPage
      title="Firewall policies"
      actions={
        canWrite ? (
          <Button variant="primary" onClick={() => navigate("/firewall/policies/new")}>
            New policy
          </Button>
        ) : undefined
      }
    >
      <PolicyList canWrite={canWrite} />
    </FirewallPage>
  );
}

function PolicyList({ canWrite }: { canWrite: boolean }) {
  const [params, setParams] = useSearchParams();
  const offset = Math.max(0, Number.parseInt(params.get("offset") ?? "0", 10) || 0);
  const list = usePolicies(offset);
  useFirewallLive();
  const now = useNow(60_000);
  if (list.isPending) return <Loading label="Loading policies" />;
  if (list.isError) return <ErrorState error={list.error} onRetry={() => void list.refetch()} />;
  if (list.data.items.length === 0 && offset === 0) {
    return (
      <Panel>
        <EmptyState title="No firewall policies yet">
          {canWrite
            ? "Create one with New policy, then assign it to groups or agents."
            : "Policies that others create show here."}
        </EmptyState>
      </Panel>
    );
  }
  return (
    <Panel>
      <Table label="Firewall policies">
        <thead>
          <tr>
            <Th>Policy</Th>
            <Th>Version</Th>
            <Th>Updated</Th>
            <Th>Created</Th>
          </tr>
        </thead>
        <tbody>
          {list.data.items.map((policy) => (
            <tr key={policy.id}>
              <Td className="max-w-md">
                <Link to={`/firewall/policies/${policy.id}`} className="font-medium text-accent hover:underline">
                  {policy.name}
                </Link>
                {policy.description && <p className="truncate text-xs text-muted">{policy.description}</p>}
              </Td>
              <Td>v{policy.version}</Td>
              <Td className="whitespace-nowrap">
                <When value={policy.updated_at} now={now} />
                <span className="block text-xs text-muted">by {policy.updated_by}</span>
              </Td>
              <Td className="whitespace-nowrap">
                <When value={policy.created_at} now={now} />
                <span className="block text-xs text-muted">by {policy.created_by}</span>
              </Td>
            </tr>
          ))}
        </tbody>
      </Table>
      <Pager
        offset={offset}
        shown={list.data.items.length}
        total={list.data.total}
        pageSize={policyPageSize}
        noun="policies"
        onOffset={(next) => setParams(next > 0 ? { offset: String(next) } : {}, { replace: true })}
      />
    </Panel>
  );
}
