import { useCallback, useEffect, useRef, useState } from "react";
import { useSearchParams } from "react-router";
import { Button } from "../../components/Button";
import { Page, Panel } from "../../components/Page";
import { Pager } from "../../components/Pager";
import { EmptyState, ErrorState, Loading } from "../../components/States";
import { useNow } from "../../lib/useNow";
import { useSettled } from "../../lib/useSettled";
import { useCan } from "../auth/session";
import { AlertFilterBar } from "./AlertFilterBar";
import { AlertTable } from "./AlertTable";
import { useAlertList, useAlertsLive } from "./api";
import { alertQuery, matchesQuery, readFilters, writeFilters, type AlertFilters } from "./filters";
import { OpenAlertCounts } from "./OpenAlertCounts";
import type { AlertChange } from "./types";

const pageSize = 50;
const highlightMs = 3000;

/** The live alert feed. Without alerts:read, a sentence instead of failing requests. */
export function AlertsPage() {
  const canRead = useCan("alerts:read");
  return (
    <Page title="Alerts">
      {canRead ? (
        <AlertFeed />
      ) : (
        <EmptyState title="Your role cannot see alerts.">It needs the permission alerts:read.</EmptyState>
      )}
    </Page>
  );
}

/** The filters live in the URL (?status=&severity=&agent=&q=&offset=), so a view can be shared
 * and the back button from an alert returns to it. Any change but paging goes back to page one. */
function useFilters(): [AlertFilters, (change: Partial<AlertFilters>) => void] {
  const [params, setParams] = useSearchParams();
  const update = useCallback(
    (change: Partial<AlertFilters>) =>
      setParams((current) => writeFilters({ ...readFilters(current), offset: 0, ...change }), { replace: true }),
    [setParams],
  );
  return [readFilters(params), update];
}

function AlertFeed() {
  const [filters, setFilters] = useFilters();
  // The text box asks the server when typing pauses; the other controls at once.
  const q = useSettled(filters.q, 300);
  const query = alertQuery({ ...filters, q }, pageSize);
  const list = useAlertList(query);
  const now = useNow(30_000);
  const fresh = useFreshRows(query);

  return (
    <>
      <OpenAlertCounts />
      <Panel>
        <AlertFilterBar filters={filters} onChange={setFilters} />
      </Panel>
      <Panel>
        {list.isPending ? (
          <Loading label="Loading alerts" />
        ) : list.isError ? (
          <ErrorState error={list.error} onRetry={() => void list.refetch()} />
        ) : list.data.items.length === 0 ? (
          query.offset > 0 ? (
            <EmptyState title="No alerts on this page">
              <Button onClick={() => setFilters({ offset: 0 })}>First page</Button>
            </EmptyState>
          ) : (
            <EmptyState title="No alerts match these filters">
              New alerts appear here as soon as a rule matches.
            </EmptyState>
          )
        ) : (
          <>
            <AlertTable alerts={list.data.items} fresh={fresh} now={now} />
            <Pager
              offset={query.offset}
              shown={list.data.items.length}
              total={list.data.total}
              pageSize={pageSize}
              onOffset={(offset) => setFilters({ offset })}
            />
          </>
        )}
      </Panel>
    </>
  );
}

/** Ids of alerts that arrived live and match the list, highlighted for a few seconds. */
function useFreshRows(query: ReturnType<typeof alertQuery>): ReadonlySet<number> {
  const [fresh, setFresh] = useState<ReadonlySet<number>>(new Set());
  const timers = useRef(new Set<ReturnType<typeof setTimeout>>());
  const queryRef = useRef(query);
  queryRef.current = query;
  useEffect(() => {
    const pending = timers.current;
    return () => pending.forEach(clearTimeout);
  }, []);
  useAlertsLive((change: AlertChange) => {
    if (change.action !== "created" || !matchesQuery(change.alert, queryRef.current)) return;
    const id = change.alert.id;
    setFresh((ids) => new Set(ids).add(id));
    const timer = setTimeout(() => {
      timers.current.delete(timer);
      setFresh((ids) => {
        const next = new Set(ids);
        next.delete(id);
        return next;
      });
    }, highlightMs);
    timers.current.add(timer);
  });
  return fresh;
}
