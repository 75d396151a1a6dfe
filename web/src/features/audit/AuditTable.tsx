import { Badge } from "../../components/Page";
import { formatTime } from "../../lib/time";
import { detailPairs } from "./filter";
import type { AuditEntry } from "./types";

function outcomeTone(outcome: string): "ok" | "bad" | "neutral" {
  if (outcome === "success") return "ok";
  if (outcome === "failure" || outcome === "denied" || outcome === "error") return "bad";
  return "neutral";
}

const th = "border-b border-line px-3 py-2 text-xs font-semibold tracking-wide text-muted uppercase";
const td = "border-b border-line px-3 py-2 align-top";

/** Audit entries as a table; entries in `fresh` (just arrived live) are highlighted briefly. */
export function AuditTable({ entries, fresh }: { entries: readonly AuditEntry[]; fresh: ReadonlySet<number> }) {
  return (
    <div className="relative -mx-4 overflow-x-auto px-4">
      <table aria-label="Audit entries" className="w-full min-w-max border-collapse text-left text-sm">
        <thead>
          <tr>
            <th scope="col" className={th}>
              #
            </th>
            <th scope="col" className={th}>
              Time
            </th>
            <th scope="col" className={th}>
              Actor
            </th>
            <th scope="col" className={th}>
              Action
            </th>
            <th scope="col" className={th}>
              Target
            </th>
            <th scope="col" className={th}>
              Outcome and details
            </th>
            <th scope="col" className={th}>
              Source address
            </th>
          </tr>
        </thead>
        <tbody>
          {entries.map((entry) => (
            <tr
              key={entry.seq}
              className={`transition-colors duration-1000 ${fresh.has(entry.seq) ? "bg-accent/15" : ""}`}
            >
              <td className={`${td} font-mono text-xs leading-5 text-muted`}>{entry.seq}</td>
              <td className={`${td} whitespace-nowrap`} title={entry.time}>
                {formatTime(entry.time_ms)}
              </td>
              <td className={`${td} font-medium`}>{entry.actor}</td>
              <td className={`${td} font-mono text-xs leading-5`}>{entry.action}</td>
              <td className={`${td} font-mono text-xs leading-5`}>{entry.target || "—"}</td>
              <td className={td}>
                <div className="flex max-w-md flex-col gap-1">
                  <span>
                    <Badge tone={outcomeTone(entry.outcome)}>{entry.outcome || "—"}</Badge>
                  </span>
                  {detailPairs(entry.details).length > 0 && (
                    <dl className="grid grid-cols-[max-content_1fr] gap-x-2 text-xs text-muted">
                      {detailPairs(entry.details).map(([key, value]) => (
                        <div key={key} className="contents">
                          <dt>{key ? `${key}:` : ""}</dt>
                          <dd className="break-all whitespace-normal text-ink">{value}</dd>
                        </div>
                      ))}
                    </dl>
                  )}
                </div>
              </td>
              <td className={`${td} font-mono text-xs leading-5`}>{entry.source_address || "—"}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
