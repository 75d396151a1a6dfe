import { ErrorState } from "../../components/States";
import { useOpenAlertCounts } from "./api";
import { SeverityBadge } from "./badges";
import { severities } from "./severity";

/** Open alerts (new and acknowledged) per severity, highest first, with their total: tiles, or
 * `compact` a wrapping row of badges for a narrow panel. Kept current by whoever runs
 * useAlertsLive on the page. */
export function OpenAlertCounts({ compact = false }: { compact?: boolean }) {
  const counts = useOpenAlertCounts();
  if (counts.error) return <ErrorState error={counts.error} onRetry={counts.refetch} />;
  const ordered = [...severities].reverse();
  const number = (value: number) => (counts.isPending ? "…" : value.toLocaleString());
  if (compact) {
    return (
      <dl aria-label="Open alerts by severity" aria-busy={counts.isPending || undefined} className="flex flex-col gap-2">
        <div className="flex items-baseline gap-2">
          <dt className="text-sm text-muted">Total</dt>
          <dd className="text-3xl font-semibold tabular-nums">{number(counts.total)}</dd>
        </div>
        <div className="flex flex-wrap gap-x-4 gap-y-2">
          {ordered.map((severity) => (
            <div key={severity} className="flex items-center gap-1.5">
              <dt>
                <SeverityBadge severity={severity} />
              </dt>
              <dd className="font-semibold tabular-nums">{number(counts.counts[severity])}</dd>
            </div>
          ))}
        </div>
      </dl>
    );
  }
  return (
    <dl
      aria-label="Open alerts by severity"
      aria-busy={counts.isPending || undefined}
      className="grid grid-cols-2 gap-2 sm:grid-cols-3 lg:grid-cols-6"
    >
      <div className="flex flex-col gap-1 rounded-md border border-line bg-panel px-3 py-2">
        <dt className="text-xs text-muted">Open</dt>
        <dd className="text-xl font-semibold tabular-nums">{number(counts.total)}</dd>
      </div>
      {ordered.map((severity) => (
        <div key={severity} className="flex flex-col gap-1 rounded-md border border-line bg-panel px-3 py-2">
          <dt>
            <SeverityBadge severity={severity} />
          </dt>
          <dd className="text-xl font-semibold tabular-nums">{number(counts.counts[severity])}</dd>
        </div>
      ))}
    </dl>
  );
}
