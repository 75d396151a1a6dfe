import { lazy, Suspense } from "react";
import { Panel } from "../../components/Page";
import { Loading } from "../../components/States";
import { summaryHours, useEventSummary } from "./api";
import { hourRows } from "./derive";
import { SummaryError } from "./SummaryError";

// recharts is most of this page's weight. It loads apart, so the numbers and tables need not wait
// for it, and starts loading with this module rather than when the data arrives.
const chartModule = import("./EventsChart");
chartModule.catch(() => undefined); // A failed load surfaces where the chart renders, not here.
const EventsChart = lazy(() => chartModule.then((m) => ({ default: m.EventsChart })));

/** Events per hour over the last 24 hours, live from the stream. */
export function EventsPanel({ className = "" }: { className?: string }) {
  const summary = useEventSummary(true);
  return (
    <Panel title={`Events per hour, last ${summaryHours} hours`} className={className}>
      {summary.isPending ? (
        <Loading label="Loading events" />
      ) : summary.isError ? (
        <SummaryError error={summary.error} onRetry={() => void summary.refetch()} />
      ) : (
        <Suspense fallback={<div className="h-56" />}>
          <EventsChart rows={hourRows(summary.data)} />
        </Suspense>
      )}
    </Panel>
  );
}
