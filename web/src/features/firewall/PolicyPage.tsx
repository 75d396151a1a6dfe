import { useState } from "react";
import { Link, useNavigate, useParams, useSearchParams } from "react-router";
import { ApiError } from "../../api/errors";
import { useToast } from "../../app/toasts";
import { Button } from "../../components/Button";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { EmptyState, ErrorState, Loading } from "../../components/States";
import { Tabs } from "../../components/Tabs";
import { formatTime } from "../../lib/time";
import { useCan } from "../auth/session";
import { useDeletePolicy, useFirewallLive, usePolicy } from "./api";
import { AssignmentsPanel } from "./AssignmentsPanel";
import { FirewallPage } from "./FirewallNav";
import { HistoryPanel } from "./HistoryPanel";
import { PolicyEditor } from "./PolicyEditor";
import { PreviewPanel } from "./PreviewPanel";

type Tab = "editor" | "preview" | "history" | "assignments";
const tabs: readonly { id: Tab; title: string }[] = [
  { id: "editor", title: "Editor" },
  { id: "preview", title: "Preview" },
  { id: "history", title: "History" },
  { id: "assignments", title: "Assignments" },
];

const back = (
  <Link to="/firewall/policies" className="text-sm text-accent hover:underline">
    Back to policies
  </Link>
);

/** /firewall/policies/new and /firewall/policies/:id. */
export function PolicyPage() {
  const { id = "" } = useParams();
  const canWrite = useCan("firewall:write");
  if (id === "new") {
    return (
      <FirewallPage title="New firewall policy" actions={back}>
        {canWrite ? (
          <PolicyEditor canWrite />
        ) : (
          <EmptyState title="Your role cannot create policies.">It needs the permission firewall:write.</EmptyState>
        )}
      </FirewallPage>
    );
  }
  const number = /^[1-9]\d*$/.test(id) ? Number(id) : null;
  if (number === null) {
    return (
      <FirewallPage title="No such policy" actions={back}>
        <EmptyState title="This policy does not exist.">The link may be wrong.</EmptyState>
      </FirewallPage>
    );
  }
  return <PolicyDetailView id={number} canWrite={canWrite} />;
}

function PolicyDetailView({ id, canWrite }: { id: number; canWrite: boolean }) {
  const policy = usePolicy(id);
  useFirewallLive();
  const [params, setParams] = useSearchParams();
  const tabParam = params.get("tab");
  const tab: Tab = tabs.some((t) => t.id === tabParam) ? (tabParam as Tab) : "editor";
  const [confirmDelete, setConfirmDelete] = useState(false);

  if (policy.isPending) {
    return (
      <FirewallPage title="Firewall policy" actions={back}>
        <Loading label="Loading policy" />
      </FirewallPage>
    );
  }
  if (policy.isError) {
    const missing = policy.error instanceof ApiError && policy.error.status === 404;
    return (
      <FirewallPage title={missing ? "No such policy" : "Firewall policy"} actions={back}>
        {missing ? (
          <EmptyState title="This policy does not exist.">It may have been deleted.</EmptyState>
        ) : (
          <ErrorState error={policy.error} onRetry={() => void policy.refetch()} />
        )}
      </FirewallPage>
    );
  }
  const detail = policy.data;
  return (
    <FirewallPage
      title={`Policy ${detail.name}`}
      actions={
        <>
          {canWrite && (
            <Button variant="danger" onClick={() => setConfirmDelete(true)}>
              Delete
            </Button>
          )}
          {back}
        </>
      }
    >
      <p className="text-sm text-muted">
        Version {detail.version}, saved {formatTime(detail.updated_at)} by {detail.updated_by}
        {detail.comment && <>: “{detail.comment}”</>}
      </p>
      <Tabs
        label="Policy views"
        tabs={tabs}
        selected={tab}
        onSelect={(next) => setParams(next === "editor" ? {} : { tab: next }, { replace: true })}
      />
      {/* The editor stays mounted under the other tabs, so that a draft survives a look at them. */}
      <div hidden={tab !== "editor"}>
        <PolicyEditor
          key={detail.id}
          policy={detail}
          canWrite={canWrite}
          onReload={async () => (await policy.refetch()).data}
        />
      </div>
      {tab === "preview" && <PreviewPanel policy={detail} />}
      {tab === "history" && <HistoryPanel policy={detail} canWrite={canWrite} />}
      {tab === "assignments" && <AssignmentsPanel policyId={detail.id} canWrite={canWrite} />}
      {canWrite && (
        <DeletePolicyDialog
          open={confirmDelete}
          id={detail.id}
          name={detail.name}
          onClose={() => setConfirmDelete(false)}
        />
      )}
    </FirewallPage>
  );
}

function DeletePolicyDialog({ open, id, name, onClose }: { open: boolean; id: number; name: string; onClose: () => void }) {
  const remove = useDeletePolicy();
  const toast = useToast();
  const navigate = useNavigate();
  const close = () => {
    onClose();
    remove.reset();
  };
  return (
    <ConfirmDialog
      open={open}
      title={`Delete policy ${name}`}
      confirmLabel="Delete policy"
      busy={remove.isPending}
      error={remove.error}
      onClose={close}
      onConfirm={() =>
        remove.mutate(id, {
          onSuccess: () => {
            toast(`Policy ${name} deleted.`, "success");
            navigate("/firewall/policies", { replace: true });
          },
        })
      }
    >
      The policy, every version of it and its assignments are deleted. This cannot be undone.
    </ConfirmDialog>
  );
}
