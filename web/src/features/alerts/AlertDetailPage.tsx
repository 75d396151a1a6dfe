import { Link, useParams } from "react-router";
import { ApiError } from "../../api/errors";
import { Page, Panel } from "../../components/Page";
import { EmptyState, ErrorState, Loading } from "../../components/States";
import { useNow } from "../../lib/useNow";
import { useCan } from "../auth/session";
import { AlertHeader } from "./AlertHeader";
import { useAlert, useAlertsLive } from "./api";
import { CommentForm, CommentList } from "./Comments";
import { EvidenceTimeline } from "./EvidenceTimeline";
import { TriagePanel } from "./TriagePanel";

/** One alert: what it is, its triage (alerts:write), the evidence and the comments. Changes by
 * others arrive over the stream. */
export function AlertDetailPage() {
  const canRead = useCan("alerts:read");
  if (!canRead) {
    return (
      <Page title="Alert">
        <EmptyState title="Your role cannot see alerts.">It needs the permission alerts:read.</EmptyState>
      </Page>
    );
  }
  return <AlertDetail />;
}

function AlertDetail() {
  const { id = "" } = useParams();
  const alert = useAlert(id);
  const canWrite = useCan("alerts:write");
  const now = useNow(30_000);
  useAlertsLive();

  const back = (
    <Link to="/alerts" className="text-sm text-accent hover:underline">
      Back to alerts
    </Link>
  );
  if (alert.isPending) {
    return (
      <Page title="Alert">
        <Loading label="Loading alert" />
      </Page>
    );
  }
  if (alert.isError) {
    const missing = alert.error instanceof ApiError && alert.error.status === 404;
    return (
      <Page title={missing ? "No such alert" : "Alert"} actions={back}>
        {missing ? (
          <EmptyState title="This alert does not exist.">It may have been removed, or the link is wrong.</EmptyState>
        ) : (
          <ErrorState error={alert.error} onRetry={() => void alert.refetch()} />
        )}
      </Page>
    );
  }
  const data = alert.data;
  // The list's row shows while the evidence and comments load.
  const loadingDetail = alert.isPlaceholderData;
  return (
    <Page title={data.rule_title} actions={back}>
      <AlertHeader alert={data} now={now} />
      {/* Triage first on a phone; on a wide screen the evidence takes the left two thirds. */}
      <div className="grid grid-cols-1 gap-4 lg:grid-cols-3 lg:grid-rows-[auto_1fr]">
        {canWrite && !loadingDetail && (
          <div className="min-w-0 lg:col-start-3 lg:row-start-1">
            <TriagePanel alert={data} />
          </div>
        )}
        <div className="min-w-0 lg:col-span-2 lg:col-start-1 lg:row-span-2 lg:row-start-1">
          <Panel title={`Evidence (${data.evidence.length.toLocaleString()} ${data.evidence.length === 1 ? "event" : "events"})`}>
            {loadingDetail ? (
              <Loading label="Loading evidence" />
            ) : data.evidence.length === 0 ? (
              <EmptyState title="No evidence kept">The events behind this alert are no longer stored.</EmptyState>
            ) : (
              <EvidenceTimeline events={data.evidence} count={data.count} />
            )}
          </Panel>
        </div>
        <div className="min-w-0 self-start lg:col-start-3 lg:row-start-2">
          <Panel title={`Comments (${data.comment_count.toLocaleString()})`}>
            <div className="flex flex-col gap-4">
              {loadingDetail ? <Loading label="Loading comments" /> : <CommentList comments={data.comments} />}
              {canWrite && !loadingDetail && <CommentForm alertId={id} />}
            </div>
          </Panel>
        </div>
      </div>
    </Page>
  );
}
