import { Link, useNavigate, useSearchParams } from "react-router";
import { Button } from "../../components/Button";
import { Panel } from "../../components/Page";
import { EmptyState, ErrorState, Loading } from "../../components/States";
import { useNow } from "../agents/useNow";
import { Pager } from "../alerts/Pager";
import { useCan } from "../auth/session";
import { policyPageSize, useFirewallLive, usePolicies } from "./api";
import { FirewallPage } from "./FirewallNav";
import { td, th, When } from "./When";

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
      <div className="relative -mx-4 overflow-x-auto px-4">
        <table aria-label="Firewall policies" className="w-full min-w-max border-collapse text-left text-sm">
          <thead>
            <tr>
              <th scope="col" className={th}>Policy</th>
              <th scope="col" className={th}>Version</th>
              <th scope="col" className={th}>Updated</th>
              <th scope="col" className={th}>Created</th>
            </tr>
          </thead>
          <tbody>
            {list.data.items.map((policy) => (
              <tr key={policy.id}>
                <td className={`${td} max-w-md`}>
                  <Link to={`/firewall/policies/${policy.id}`} className="font-medium text-accent hover:underline">
                    {policy.name}
                  </Link>
                  {policy.description && <p className="truncate text-xs text-muted">{policy.description}</p>}
                </td>
                <td className={td}>v{policy.version}</td>
                <td className={`${td} whitespace-nowrap`}>
                  <When value={policy.updated_at} now={now} />
                  <span className="block text-xs text-muted">by {policy.updated_by}</span>
                </td>
                <td className={`${td} whitespace-nowrap`}>
                  <When value={policy.created_at} now={now} />
                  <span className="block text-xs text-muted">by {policy.created_by}</span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
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
