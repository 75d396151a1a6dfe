import { useIsMutating } from "@tanstack/react-query";
import { useState } from "react";
import { Link } from "react-router";
import { describeError } from "../../api/errors";
import { useToast } from "../../app/toasts";
import { Button, Spinner } from "../../components/Button";
import { ConfirmMutationDialog } from "../../components/ConfirmDialog";
import { Panel } from "../../components/Page";
import { EmptyState, ErrorState, Loading } from "../../components/States";
import { Table, Td, Th } from "../../components/Table";
import { When } from "../../components/When";
import { useNow } from "../../lib/useNow";
import { useCan } from "../auth/session";
import { firewallKeys, useDeleteFeed, useFeed, useFeeds, useRefreshFeed, useUpdateFeed } from "./api";
import { formatSeconds } from "./duration";
import { FeedDialog } from "./FeedDialog";
import { fetchOutcome, networksText, nextFetchText, problemText, refreshSummary, skippedText } from "./feeds";
import { FirewallPage } from "./FirewallNav";
import { ToneBadge } from "./ToneBadge";
import type { Feed } from "./types";

/**
 * Threat-intel feeds (lists of addresses that policies block by name): how each last fetch went,
 * when the next is due, and what it skipped. Adding, editing, enabling, refreshing and deleting
 * for firewall:write. The server does not publish feed changes on the stream: the list is read
 * when the page opens, after each change made here, and when the next scheduled fetch is due.
 */
export function FeedsPage() {
  const canWrite = useCan("firewall:write");
  const [adding, setAdding] = useState(false);
  return (
    <FirewallPage
      title="Firewall feeds"
      actions={
        canWrite ? (
          <Button variant="primary" onClick={() => setAdding(true)}>
            Add feed
          </Button>
        ) : undefined
      }
    >
      <FeedList canWrite={canWrite} />
      {canWrite && <FeedDialog open={adding} onClose={() => setAdding(false)} />}
    </FirewallPage>
  );
}

function FeedList({ canWrite }: { canWrite: boolean }) {
  const list = useFeeds();
  const now = useNow(30_000);
  const remove = useDeleteFeed();
  const [editing, setEditing] = useState<Feed | null>(null);
  const [deleting, setDeleting] = useState<Feed | null>(null);

  if (list.isPending) return <Loading label="Loading feeds" />;
  if (list.isError) return <ErrorState error={list.error} onRetry={() => void list.refetch()} />;
  if (list.data.length === 0) {
    return (
      <Panel>
        <EmptyState title="No feeds yet">
          {canWrite
            ? "Add a blocklist (a URL or a file in the server's feed directory); a policy's address set blocks it by naming the feed."
            : "Feeds that others add show here."}
        </EmptyState>
      </Panel>
    );
  }
  return (
    <Panel>
      <Table label="Feeds">
        <thead>
          <tr>
            <Th>Feed</Th>
            <Th>Networks</Th>
            <Th>Fetches</Th>
            <Th>Messages</Th>
            {canWrite && (
              <Th>
                <span className="sr-only">Actions</span>
              </Th>
            )}
          </tr>
        </thead>
        <tbody>
          {list.data.map((feed) => (
            <FeedRow key={feed.name} feed={feed} now={now} canWrite={canWrite} onEdit={setEditing} onDelete={setDeleting} />
          ))}
        </tbody>
      </Table>
      {canWrite && (
        <>
          <FeedDialog open={editing !== null} feed={editing ?? undefined} onClose={() => setEditing(null)} />
          <ConfirmMutationDialog
            target={deleting}
            mutation={remove}
            variables={(feed) => feed.name}
            done={(feed) => `Feed ${feed.name} deleted.`}
            onClose={() => setDeleting(null)}
            title={`Delete feed ${deleting?.name ?? ""}`}
            confirmLabel="Delete"
          >
            <DeleteFeedText feed={deleting} />
          </ConfirmMutationDialog>
        </>
      )}
    </Panel>
  );
}

/** What deleting a feed does, and the policies that keep it from being deleted. */
function DeleteFeedText({ feed }: { feed: Feed | null }) {
  const detail = useFeed(feed?.name ?? null);
  const users = detail.data?.used_by ?? [];
  return (
    <>
      <p>Its {networksText(feed?.entries ?? 0)} are forgotten.</p>
      {users.length > 0 && (
        <p className="mt-2">
          The newest version of {users.length === 1 ? "policy" : "policies"}{" "}
          {users.map((policy, index) => (
            <span key={policy.id}>
              {index > 0 && ", "}
              <Link to={`/firewall/policies/${policy.id}`} className="text-accent hover:underline">
                {policy.name}
              </Link>
            </span>
          ))}{" "}
          names it: the server refuses to delete it until {users.length === 1 ? "that policy no longer does" : "they no longer do"}.
        </p>
      )}
    </>
  );
}

function FeedRow({
  feed,
  now,
  canWrite,
  onEdit,
  onDelete,
}: {
  feed: Feed;
  now: number;
  canWrite: boolean;
  onEdit: (feed: Feed) => void;
  onDelete: (feed: Feed) => void;
}) {
  const outcome = fetchOutcome(feed);
  const skipped = skippedText(feed.bad_lines);
  // A fetch started before this row mounted (the page was left and opened again) still shows.
  const fetching = useIsMutating({ mutationKey: firewallKeys.feedRefresh(feed.name) }) > 0;
  return (
    <tr>
      <Td className="max-w-64">
        <span className="mr-2 font-medium text-ink">{feed.name}</span>
        <ToneBadge tone={feed.enabled ? "ok" : "neutral"}>{feed.enabled ? "Enabled" : "Disabled"}</ToneBadge>
        {feed.description && <p className="text-xs break-words text-muted">{feed.description}</p>}
        <p className="mt-1 text-xs text-muted">
          <span className="font-mono break-all text-ink">{feed.source}</span>
          {feed.format === "csv" ? ` · csv, column ${feed.column}` : " · plain"}
        </p>
      </Td>
      <Td className="whitespace-nowrap">
        {networksText(feed.entries)}
        {skipped && <span className="block text-xs text-warn">{skipped}</span>}
      </Td>
      <Td className="whitespace-nowrap">
        {fetching ? (
          <span role="status" className="inline-flex items-center gap-2 text-sm text-muted">
            <Spinner small />
            Fetching…
          </span>
        ) : (
          <ToneBadge tone={outcome.tone}>{outcome.label}</ToneBadge>
        )}
        <span className="block text-xs text-muted">
          last: <When value={feed.last_fetch_at} now={now} />
        </span>
        <span className="block text-xs text-muted">
          next: {nextFetchText(feed, now)} · every {formatSeconds(feed.refresh_s)}
        </span>
      </Td>
      <Td className="max-w-60 text-xs">
        <FeedMessages feed={feed} />
      </Td>
      {canWrite && (
        <Td>
          <FeedActions feed={feed} fetching={fetching} onEdit={onEdit} onDelete={onDelete} />
        </Td>
      )}
    </tr>
  );
}

/** The last error, then the messages of the skipped lines (the server keeps the first ones). */
function FeedMessages({ feed }: { feed: Feed }) {
  if (!feed.last_error && feed.problems.length === 0) return <span className="text-muted">—</span>;
  return (
    <div className="flex flex-col gap-1">
      {feed.last_error && (
        <p className="break-words text-bad">
          <span className="font-semibold">Last error:</span> {feed.last_error}
          {feed.last_success_at && (
            <span className="text-muted">
              {" "}
              (the networks of <When value={feed.last_success_at} /> stay)
            </span>
          )}
        </p>
      )}
      {feed.problems.length > 0 && (
        <details>
          <summary className="cursor-pointer text-muted">
            {feed.problems.length === 1 ? "1 skipped line" : `${feed.problems.length} skipped lines`}
            {feed.bad_lines > feed.problems.length ? ` (first of ${feed.bad_lines.toLocaleString("en-US")})` : ""}
          </summary>
          <ul aria-label={`Skipped lines of ${feed.name}`} className="mt-1 list-disc pl-4 break-words">
            {feed.problems.map((problem, index) => (
              <li key={`${problem.line ?? 0}-${index}`}>{problemText(problem)}</li>
            ))}
          </ul>
        </details>
      )}
    </div>
  );
}

function FeedActions({
  feed,
  fetching,
  onEdit,
  onDelete,
}: {
  feed: Feed;
  fetching: boolean;
  onEdit: (feed: Feed) => void;
  onDelete: (feed: Feed) => void;
}) {
  const toast = useToast();
  const refresh = useRefreshFeed(feed.name);
  const toggle = useUpdateFeed();
  const runRefresh = () =>
    refresh.mutate(undefined, {
      onSuccess: (outcome) => {
        const summary = refreshSummary(feed.name, outcome);
        toast(summary.text, summary.ok ? "success" : "error");
      },
      onError: (error) => toast(`Feed ${feed.name} was not fetched: ${describeError(error)}`, "error"),
    });
  const runToggle = () =>
    toggle.mutate(
      { name: feed.name, change: { enabled: !feed.enabled } },
      {
        onSuccess: (saved) => toast(`Feed ${saved.name} ${saved.enabled ? "enabled" : "disabled"}.`, "success"),
        onError: (error) => toast(describeError(error), "error"),
      },
    );
  return (
    <div className="grid grid-cols-2 gap-1">
      <Button aria-label={`Refresh feed ${feed.name}`} busy={fetching} onClick={runRefresh}>
        Refresh now
      </Button>
      <Button aria-label={`Edit feed ${feed.name}`} onClick={() => onEdit(feed)}>
        Edit
      </Button>
      <Button aria-label={`${feed.enabled ? "Disable" : "Enable"} feed ${feed.name}`} busy={toggle.isPending} onClick={runToggle}>
        {feed.enabled ? "Disable" : "Enable"}
      </Button>
      <Button aria-label={`Delete feed ${feed.name}`} variant="danger" onClick={() => onDelete(feed)}>
        Delete
      </Button>
    </div>
  );
}
