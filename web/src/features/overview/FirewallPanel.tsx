import { Link } from "react-router";
import { Panel } from "../../components/Page";
import { ErrorState, Loading } from "../../components/States";
import { formatTime, toDate } from "../../lib/time";
import { useNow } from "../../lib/useNow";
import { useBlocks, useFirewallLive, useFirewallStatus } from "../firewall/api";
import { scopeText } from "../firewall/blocks";
import { formatExpiry } from "../firewall/duration";
import type { BlockPage } from "../firewall/types";
import { ToneBadge } from "../firewall/ToneBadge";
import { activeBlocks, syncCounts } from "./firewallSummary";
import { PanelPart } from "./PanelPart";

const newestShown = 3;

/** Active blocks and the fleet's policy state at a glance; the firewall feature's live hook keeps
 * both current from the stream. */
export function FirewallPanel({ className = "" }: { className?: string }) {
  useFirewallLive();
  // The blocks page's own first page of active blocks: one cache entry for both.
  const blocks = useBlocks(true, 0);
  return (
    <Panel title="Firewall" className={className}>
      <div className="flex flex-col gap-5">
        <PanelPart title="Active blocks">
          {blocks.isPending ? (
            <Loading label="Loading blocks" />
          ) : blocks.isError ? (
            <ErrorState error={blocks.error} onRetry={() => void blocks.refetch()} />
          ) : (
            <ActiveBlocks page={blocks.data} />
          )}
          <p className="text-sm">
            <Link to="/firewall/blocks" className="text-accent hover:underline">
              Open the blocks
            </Link>
          </p>
        </PanelPart>
        <PolicyState />
      </div>
    </Panel>
  );
}

/** The count and the newest blocks with a countdown to each expiry; the clock asks the server nothing. */
function ActiveBlocks({ page }: { page: BlockPage }) {
  const now = useNow(1000);
  const { count, newest: shown } = activeBlocks(page, now, newestShown);
  return (
    <>
      <p className="flex items-baseline gap-2">
        <span className="text-3xl font-semibold tabular-nums">{count.toLocaleString("en-US")}</span>{" "}
        <span className="text-sm text-muted">{count === 1 ? "address blocked" : "addresses blocked"}</span>
      </p>
      {shown.length > 0 && (
        <ol aria-label="Newest active blocks" className="flex flex-col divide-y divide-line">
          {shown.map((block) => (
            <li key={block.id} className="flex flex-col gap-0.5 py-2 text-sm">
              <div className="flex min-w-0 items-baseline justify-between gap-3">
                <span className="min-w-0 truncate font-mono">{block.address}</span>
                <time
                  dateTime={toDate(block.expires_at)?.toISOString()}
                  title={`Expires ${formatTime(block.expires_at)}`}
                  className="shrink-0 text-xs whitespace-nowrap text-muted tabular-nums"
                >
                  expires {formatExpiry(block.expires_at, now, block.duration_s)}
                </time>
              </div>
              <p className="flex min-w-0 gap-2 text-xs text-muted">
                <span className="min-w-0 truncate" title={block.reason || undefined}>
                  {block.reason || "No reason given"}
                </span>
                <span aria-hidden="true">·</span>
                <span className="shrink-0 whitespace-nowrap">{scopeText(block)}</span>
              </p>
            </li>
          ))}
        </ol>
      )}
    </>
  );
}

/** How many agents hold their effective policy, wait for a confirmation, or are out of sync. */
function PolicyState() {
  const status = useFirewallStatus();
  const counts = status.data ? syncCounts(status.data) : [];
  return (
    <PanelPart title="Agent policies">
      {status.isPending ? (
        <Loading label="Loading agent firewall state" />
      ) : status.isError ? (
        <ErrorState error={status.error} onRetry={() => void status.refetch()} />
      ) : counts.length === 0 ? (
        <p className="text-sm text-muted">No agent has received a firewall policy yet.</p>
      ) : (
        <dl aria-label="Agents by firewall policy state" className="flex flex-wrap gap-x-4 gap-y-2">
          {counts.map((state) => (
            <div key={state.label} className="flex items-center gap-1.5">
              <dt>
                <ToneBadge tone={state.tone}>{state.label}</ToneBadge>
              </dt>
              <dd className="font-semibold tabular-nums">{state.count.toLocaleString("en-US")}</dd>
            </div>
          ))}
        </dl>
      )}
      <p className="text-sm">
        <Link to="/firewall" className="text-accent hover:underline">
          Open the firewall status
        </Link>
      </p>
    </PanelPart>
  );
}
