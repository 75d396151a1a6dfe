import { Link } from "react-router";
import { Table, Td, Th } from "../../components/Table";
import { When } from "../../components/When";
import { SeverityBadge, StatusBadge } from "./badges";
import type { Alert } from "./types";

/** Alerts as a table; rows in `fresh` (just arrived live) are highlighted for a moment. */
export function AlertTable({
  alerts,
  fresh,
  now,
  label = "Alerts",
}: {
  alerts: readonly Alert[];
  fresh?: ReadonlySet<number>;
  now: number;
  label?: string;
}) {
  return (
    <Table label={label}>
      <thead>
        <tr>
          <Th>Severity</Th>
          <Th>Alert</Th>
          <Th>Host</Th>
          <Th>Entity</Th>
          <Th className="text-right">Count</Th>
          <Th>Status</Th>
          <Th>Assignee</Th>
          <Th>Last seen</Th>
        </tr>
      </thead>
      <tbody>
        {alerts.map((alert) => (
          <tr
            key={alert.id}
            className={`transition-colors duration-1000 ${fresh?.has(alert.id) ? "bg-accent/15" : ""}`}
          >
            <Td>
              <SeverityBadge severity={alert.severity} />
            </Td>
            <Td className="max-w-md">
              <Link to={`/alerts/${alert.id}`} className="font-medium text-accent hover:underline">
                {alert.rule_title}
              </Link>
              {alert.summary && (
                <p className="truncate text-xs text-muted" title={alert.summary}>
                  {alert.summary}
                </p>
              )}
            </Td>
            <Td>{alert.hostname || alert.agent_id || "—"}</Td>
            <Td className="font-mono text-xs leading-5">{alert.entity || "—"}</Td>
            <Td className="text-right tabular-nums">{alert.count.toLocaleString()}</Td>
            <Td>
              <StatusBadge status={alert.status} />
            </Td>
            <Td>{alert.assignee ?? <span className="text-muted">—</span>}</Td>
            <Td className="whitespace-nowrap">
              <When value={alert.last_seen} now={now} />
            </Td>
          </tr>
        ))}
      </tbody>
    </Table>
  );
}
