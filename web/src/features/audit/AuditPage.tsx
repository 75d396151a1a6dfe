import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { useSearchParams } from "react-router";
import { Button } from "../../components/Button";
import { Page, Panel } from "../../components/Page";
import { EmptyState, ErrorState, Loading } from "../../components/States";
import { useSettled } from "../../lib/useSettled";
import { useCan } from "../auth/session";
import { useAuditEntries, useLiveAuditEntries } from "./api";
import { AuditFilters } from "./AuditFilters";
import { AuditTable } from "./AuditTable";
import { hasClientFilter, matchesClient, matchesServer, serverFilter, type AuditFilter } from "./filter";
import type { AuditEntry } from "./types";
import { VerifyPanel } from "./VerifyPanel";

const highlightMs = 3000;
const typingPauseMs = 300;

/** The filters live in the address (?actor=&action=&q=&from=&to=), so a filtered view can be shared. */
function useFilterParams(): [AuditFilter, (filter: AuditFilter) => void] {
  const [params, setParams] = useSearchParams();
  const filter: AuditFilter = {
    actor: params.get("actor") ?? "",
    action: params.get("action") ?? "",
    text: params.get("q") ?? "",
    from: params.get("from") ?? "",
    to: params.get("to") ?? "",
  };
  const set = (next: AuditFilter) => {
    const entries = Object.entries({ actor: next.actor, action: next.action, q: next.text, from: next.from, to: next.to });
    setParams(Object.fromEntries(entries.filter(([, v]) => v !== "")), { replace: true });
  };
  return [filter, set];
}

/** The audit log: chain verification on top, filters, entries newest first with "Load older", and
 * new entries arriving live at the top. Without audit:read, a sentence instead of failing requests. */
export function AuditPage() {
  const canRead = useCan("audit:read");
  return (
    <Page title="Audit log">
      {canRead ? (
        <AuditLog />
      ) : (
        <EmptyState title="Your role cannot see the audit log.">It needs the permission audit:read.</EmptyState>
      )}
    </Page>
  );
}

function AuditLog() {
  const [filter, setFilter] = useFilterParams();
  const server = useSettled(serverFilter(filter), typingPauseMs);
  const entries = useAuditEntries(server);
  const [fresh, setFresh] = useState<ReadonlySet<number>>(new Set());
  const timers = useRef(new Set<ReturnType<typeof setTimeout>>());
  useEffect(() => {
    const pending = timers.current;
    return () => pending.forEach(clearTimeout);
  }, []);

  const filterRef = useRef(filter);
  filterRef.current = filter;
  const serverRef = useRef(server);
  serverRef.current = server;
  const onLiveEntry = useCallback((entry: AuditEntry) => {
    if (!matchesServer(entry, serverRef.current) || !matchesClient(entry, filterRef.current)) return;
    setFresh((seqs) => new Set(seqs).add(entry.seq));
    const timer = setTimeout(() => {
      timers.current.delete(timer);
      setFresh((seqs) => {
        const next = new Set(seqs);
        next.delete(entry.seq);
        return next;
      });
    }, highlightMs);
    timers.current.add(timer);
  }, []);
  useLiveAuditEntries(onLiveEntry);

  const loaded = useMemo(() => entries.data?.pages.flatMap((page) => page.items) ?? [], [entries.data]);
  const shown = useMemo(() => loaded.filter((entry) => matchesClient(entry, filter)), [loaded, filter]);
  const clientFiltered = hasClientFilter(filter);
  const anyFilter = Object.values(filter).some((v) => v !== "");

  return (
    <>
      <VerifyPanel />
      <Panel>
        <AuditFilters filter={filter} onChange={setFilter} />
      </Panel>
      <Panel>
        {entries.isPending ? (
          <Loading label="Loading audit entries" />
        ) : entries.isError ? (
          <ErrorState error={entries.error} onRetry={() => void entries.refetch()} />
        ) : (
          <div className="flex flex-col gap-3">
            <p role="status" className="text-sm text-muted">
              {clientFiltered
                ? `${shown.length} of ${loaded.length} loaded entries match.`
                : `${loaded.length} ${loaded.length === 1 ? "entry" : "entries"}${entries.hasNextPage ? " loaded" : ""}.`}{" "}
              New entries appear at the top as they happen.
            </p>
            {shown.length === 0 ? (
              <EmptyState title={anyFilter ? "No audit entries match these filters." : "No audit entries yet."}>
                {anyFilter && entries.hasNextPage && "Older entries are not loaded yet; load them to search further."}
              </EmptyState>
            ) : (
              <AuditTable entries={shown} fresh={fresh} />
            )}
            {entries.hasNextPage && (
              <div className="flex justify-center">
                <Button busy={entries.isFetchingNextPage} onClick={() => void entries.fetchNextPage()}>
                  Load older
                </Button>
              </div>
            )}
            {entries.isFetchNextPageError && (
              <p role="alert" className="text-center text-sm text-bad">
                Older entries could not be loaded. Try again.
              </p>
            )}
          </div>
        )}
      </Panel>
    </>
  );
}
