import { Badge } from "../../components/Page";
import { Table, Td, Th } from "../../components/Table";
import { formatTime } from "../../lib/time";
import { detailPairs } from "./filter";
import type { AuditEntry } from "./types";

function outcomeTone(outcome: string): "ok" | "bad" | "neutral" {
  if (outcome === "success") return "ok";
  if (outcome === "failure" || outcome === "denied" || outcome === "error") return "bad";
  return "neutral";
}

/** Audit entries as a table; entries in `fresh` (just arrived live) are highlighted briefly. */
export function AuditTable({ entries, fresh }: { entries: readonly AuditEntry[]; fresh: ReadonlySet<number> }) {
  return (
    <Table label="Audit entries">
      <thead>
        <tr>
          <Th>#</Th>
          <Th>Time</Th>
          <Th>Actor</Th>
          <Th>Action</Th>
          <Th>Target</Th>
          <Th>Outcome and details</Th>
          <Th>Source address</Th>
        </tr>
      </thead>
      <tbody>
        {entries.map((entry) => (
          <tr
            key={entry.seq}
            className={`transition-colors duration-1000 ${fresh.has(entry.seq) ? "bg-accent/15" : ""}`}
          >
            <Td className="font-mono text-xs leading-5 text-muted">{entry.seq}</Td>
            <Td className="whitespace-nowrap" title={entry.time}>
              {formatTime(entry.time_ms)}
            </Td>
            <Td className="font-medium">{entry.actor}</Td>
            <Td className="font-mono text-xs leading-5">{entry.action}</Td>
            <Td className="font-mono text-xs leading-5">{entry.target || "—"}</Td>
            <Td>
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
            </Td>
            <Td className="font-mono text-xs leading-5">{entry.source_address || "—"}</Td>
          </tr>
        ))}
      </tbody>
    </Table>
  );
}
