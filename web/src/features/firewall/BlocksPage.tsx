import { useState } from "react";
import { Link, useSearchParams } from "react-router";
import { Button } from "../../components/Button";
import { ConfirmMutationDialog } from "../../components/ConfirmDialog";
import { SelectField } from "../../components/Field";
import { Panel } from "../../components/Page";
import { Pager } from "../../components/Pager";
import { EmptyState, ErrorState, Loading } from "../../components/States";
import { Table, Td, Th } from "../../components/Table";
import { When } from "../../components/When";
import { formatTime, toDate } from "../../lib/time";
import { useNow } from "../../lib/useNow";
import { useCan } from "../auth/session";
import { AllowListPanel } from "./AllowListPanel";
import { blockPageSize, useBlocks, useFirewallLive, useUnblock } from "./api";
import { BlockDialog } from "./BlockDialog";
import { endText, isActiveAt, lengthText, scopeText, sourceOf, visibleBlocks, type BlockFilter } from "./blocks";
import { formatExpiry } from "./duration";
import { FirewallPage } from "./FirewallNav";
import { ToneBadge } from "./ToneBadge";
import type { Block } from "./types";

/** Blocks (active by default, or all) with a live countdown to each expiry; Block and Unblock and
 * the allow-list for firewall:write. New and lifted blocks arrive by the stream. */
export function BlocksPage() {
  const canWrite = useCan("firewall:write");
  const [dialogOpen, setDialogOpen] = useState(false);
  return (
    <FirewallPage
      title="Firewall blocks"
      actions={
        canWrite ? (
          <Button variant="primary" onClick={() => setDialogOpen(true)}>
            Block address
          </Button>
        ) : undefined
      }
    >
      <BlockList canWrite={canWrite} />
      <AllowListPanel canWrite={canWrite} />
      {canWrite && <BlockDialog open={dialogOpen} onClose={() => setDialogOpen(false)} />}
    </FirewallPage>
  );
}

function BlockList({ canWrite }: { canWrite: boolean }) {
  const [params, setParams] = useSearchParams();
  const filter: BlockFilter = params.get("show") === "all" ? "all" : "active";
  const offset = Math.max(0, Number.parseInt(params.get("offset") ?? "0", 10) || 0);
  const list = useBlocks(filter === "active", offset);
  // The countdowns move every second; the clock asks the server nothing.
  const now = useNow(1000);
  const unblock = useUnblock();
  const [target, setTarget] = useState<Block | null>(null);
  useFirewallLive();

  const setFilter = (next: string) => setParams(next === "all" ? { show: "all" } : {}, { replace: true });
  const rows = list.data ? visibleBlocks(list.data.items, filter, now) : [];

  return (
    <Panel title="Blocks">
      <div className="flex flex-col gap-3">
        <div className="max-w-xs">
          <SelectField label="Show" value={filter} onChange={(event) => setFilter(event.target.value)}>
            <option value="active">Active blocks</option>
            <option value="all">All blocks, also ended</option>
          </SelectField>
        </div>
        {list.isPending ? (
          <Loading label="Loading blocks" />
        ) : list.isError ? (
          <ErrorState error={list.error} onRetry={() => void list.refetch()} />
        ) : rows.length === 0 && offset === 0 ? (
          <EmptyState title={filter === "active" ? "No active blocks" : "No blocks yet"}>
            {canWrite
              ? "Block an address by hand, or let a detection rule's response block attackers."
              : "Blocks show here live as they are made."}
          </EmptyState>
        ) : (
          <>
            <Table label="Blocks">
              <thead>
                <tr>
                  <Th>Address</Th>
                  <Th>Scope</Th>
                  <Th>Reason</Th>
                  <Th>Source</Th>
                  <Th>Created</Th>
                  <Th>Expires</Th>
                  {canWrite && (
                    <Th>
                      <span className="sr-only">Actions</span>
                    </Th>
                  )}
                </tr>
              </thead>
              <tbody>
                {rows.map((block) => (
                  <BlockRow key={block.id} block={block} now={now} canWrite={canWrite} onUnblock={setTarget} />
                ))}
              </tbody>
            </Table>
            <Pager
              offset={offset}
              shown={list.data.items.length}
              total={list.data.total}
              pageSize={blockPageSize}
              noun="blocks"
              onOffset={(next) => {
                const search: Record<string, string> = filter === "all" ? { show: "all" } : {};
                if (next > 0) search.offset = String(next);
                setParams(search, { replace: true });
              }}
            />
          </>
        )}
      </div>
      {canWrite && (
        <ConfirmMutationDialog
          target={target}
          mutation={unblock}
          variables={(block) => block.id}
          done={(block) => `${block.address} unblocked.`}
          onClose={() => setTarget(null)}
          title={`Unblock ${target?.address ?? ""}`}
          confirmLabel="Unblock"
        >
          The agents in the block’s scope ({target ? scopeText(target).toLowerCase() : ""}) stop dropping{" "}
          {target?.address} now, unless another active block covers them.
        </ConfirmMutationDialog>
      )}
    </Panel>
  );
}

function BlockRow({
  block,
  now,
  canWrite,
  onUnblock,
}: {
  block: Block;
  now: number;
  canWrite: boolean;
  onUnblock: (block: Block) => void;
}) {
  const active = isActiveAt(block, now);
  const source = sourceOf(block);
  return (
    <tr>
      <Td className="font-mono">
        {block.address}
        {!active && (
          <span className="ml-2">
            <ToneBadge tone="neutral">Ended</ToneBadge>
          </span>
        )}
      </Td>
      <Td>{scopeText(block)}</Td>
      <Td className="max-w-xs break-words">{block.reason || <span className="text-muted">—</span>}</Td>
      <Td>
        <ToneBadge tone={source.kind === "rule" ? "warn" : "neutral"}>{source.kind === "rule" ? "Rule" : "Manual"}</ToneBadge>
        <span className="block text-xs text-muted">
          {source.kind === "rule" ? block.rule_id : `by ${block.requested_by}`}
          {block.alert_id !== null && (
            <>
              {" · "}
              <Link to={`/alerts/${block.alert_id}`} className="text-accent hover:underline">
                alert {block.alert_id}
              </Link>
            </>
          )}
        </span>
      </Td>
      <Td className="whitespace-nowrap">
        <When value={block.started_at} now={now} />
        <span className="block text-xs text-muted">{lengthText(block)}</span>
      </Td>
      <Td className="whitespace-nowrap">
        {active ? (
          <time dateTime={toDate(block.expires_at)?.toISOString()} title={formatTime(block.expires_at)}>
            {formatExpiry(block.expires_at, now, block.duration_s)}
          </time>
        ) : (
          <>
            <span className="text-muted">{endText(block)}</span>
            <span className="block text-xs text-muted">{formatTime(block.removed_at ?? block.expires_at)}</span>
          </>
        )}
      </Td>
      {canWrite && (
        <Td className="text-right">
          {active && (
            <Button aria-label={`Unblock ${block.address}`} onClick={() => onUnblock(block)}>
              Unblock
            </Button>
          )}
        </Td>
      )}
    </tr>
  );
}
