import { useCallback, useEffect, useRef, useState } from "react";
import { useSearchParams } from "react-router";
import type { StreamMessage } from "../../api/stream";
import { useStream } from "../../app/stream";
import { Button } from "../../components/Button";
import { Page, Panel } from "../../components/Page";
import { Pager } from "../../components/Pager";
import { EmptyState, ErrorState, Loading } from "../../components/States";
import { useCan } from "../auth/session";
import { throttle } from "../overview/throttle";
import { useEventSearch, useHostnames } from "./api";
import { EventDialog } from "./EventDialog";
import { EventTable } from "./EventTable";
import { matchesSearch, maxFieldFilters, readSearch, validFieldName, writeSearch, type EventSearch } from "./search";
import { SearchForm } from "./SearchForm";
import type { HostEvent } from "./types";

const pageSize = 50;

/** Event search. Without events:read, a sentence instead of failing requests. */
export function EventsPage() {
  const canRead = useCan("events:read");
  return (
    <Page title="Events">
      {canRead ? (
        <EventSearchView />
      ) : (
        <EmptyState title="Your role cannot search events.">It needs the permission events:read.</EmptyState>
      )}
    </Page>
  );
}

/**
 * The search in the URL and the moment it ran. Relative ranges end at that moment, so paging
 * stays on the same events; a new search, or "show" on the new-events hint, moves it to now.
 */
function useSearch() {
  const [params, setParams] = useSearchParams();
  const search = readSearch(params);
  const key = writeSearch({ ...search, offset: 0 }).toString();
  const [anchor, setAnchor] = useState(() => ({ key, at: Date.now() }));
  // Adjusting state while rendering (not in an effect) keeps the old anchor out of the new search's request.
  if (anchor.key !== key) setAnchor({ key, at: Date.now() });
  const run = useCallback(
    (next: EventSearch) => {
      const text = writeSearch(next);
      setParams(text);
      // The same search again means "again, now".
      if (writeSearch({ ...next, offset: 0 }).toString() === key) setAnchor({ key, at: Date.now() });
    },
    [setParams, key],
  );
  return { search, anchorMs: anchor.at, run };
}

function EventSearchView() {
  const { search, anchorMs, run } = useSearch();
  const results = useEventSearch(search, anchorMs, pageSize);
  const canAgents = useCan("agents:read");
  const hostnames = useHostnames(results.data?.items.map((e) => e.agent_id) ?? [], canAgents);
  const [open, setOpen] = useState<HostEvent | null>(null);
  const newCount = useNewEvents(search, anchorMs);

  const addFilter = (name: string, value: string) => {
    setOpen(null);
    if (search.fields.some((f) => f.name === name && f.value === value)) return;
    run({ ...search, fields: [...search.fields, { name, value }], offset: 0 });
  };
  const canAddFilter = search.fields.length < maxFieldFilters;

  return (
    <>
      <Panel>
        <SearchForm search={search} onSearch={run} />
      </Panel>
      <Panel>
        {newCount > 0 && (
          <div role="status" className="mb-3 flex flex-wrap items-center gap-3 rounded-md bg-accent/10 px-3 py-2 text-sm">
            <span>
              {newCount.toLocaleString()} new {newCount === 1 ? "event matches" : "events match"} this search.
            </span>
            <Button onClick={() => run({ ...search, offset: 0 })}>Show</Button>
          </div>
        )}
        {results.isPending ? (
          <Loading label="Searching events" />
        ) : results.isError ? (
          <ErrorState error={results.error} onRetry={() => void results.refetch()} />
        ) : results.data.items.length === 0 ? (
          search.offset > 0 ? (
            <EmptyState title="No events on this page">
              <Button onClick={() => run({ ...search, offset: 0 })}>First page</Button>
            </EmptyState>
          ) : (
            <EmptyState title="No events match this search">Try a longer time range or fewer filters.</EmptyState>
          )
        ) : (
          <div aria-busy={results.isFetching || undefined}>
            <EventTable events={results.data.items} hostnames={hostnames} onOpen={setOpen} />
            <Pager
              offset={search.offset}
              shown={results.data.items.length}
              total={results.data.total}
              pageSize={pageSize}
              noun={results.data.total === 1 ? "event" : "events"}
              onOffset={(offset) => run({ ...search, offset })}
            />
          </div>
        )}
      </Panel>
      <EventDialog
        event={open}
        hostname={open ? hostnames.get(open.agent_id) : undefined}
        canAgents={canAgents}
        onClose={() => setOpen(null)}
        onFilter={canAddFilter ? (name, value) => validFieldName(name) && addFilter(name, value) : undefined}
      />
    </>
  );
}

/** How many events matching the search arrived on the stream since it ran (relative ranges
 * only: a custom range is history). Counted in a ref, shown at most once a second. */
function useNewEvents(search: EventSearch, anchorMs: number): number {
  const [count, setCount] = useState(0);
  const counted = useRef(0);
  const searchRef = useRef(search);
  searchRef.current = search;
  const [show] = useState(() => throttle(() => setCount(counted.current), 1000));
  useEffect(() => {
    counted.current = 0;
    setCount(0);
  }, [anchorMs]);
  useEffect(() => () => show.cancel(), [show]);
  useStream("event", (message: StreamMessage) => {
    const event = message.event as HostEvent | undefined;
    const current = searchRef.current;
    if (!event || typeof event.type !== "string" || current.range === "custom") return;
    if (!matchesSearch(event, current)) return;
    counted.current += 1;
    show.call();
  });
  return count;
}
