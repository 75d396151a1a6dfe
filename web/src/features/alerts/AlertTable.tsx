import { Link } from "react-router";
import { formatAgo, formatTime, toDate } from "../../lib/time";
import { SeverityBadge, StatusBadge } from "./badges";
import type { Alert } from "./types";

const th = "border-b border-line px-3 py-2 text-xs font-semibold tracking-wide text-muted uppercase";
const td = "border-b border-line px-3 py-2 align-top";

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
    // Scrolls sideways inside its panel on a phone rather than widening the page.
    <div className="relative -mx-4 overflow-x-auto px-4">
      <table aria-label={label} className="w-full min-w-max border-collapse text-left text-sm">
        <thead>
          <tr>
            <th scope="col" className={th}>Severity</th>
            <th scope="col" className={th}>Alert</th>
            <th scope="col" className={th}>Host</th>
            <th scope="col" className={th}>Entity</th>
            <th scope="col" className={`${th} text-right`}>Count</th>
            <th scope="col" className={th}>Status</th>
            <th scope="col" className={th}>Assignee</th>
            <th scope="col" className={th}>Last seen</th>
          </tr>
        </thead>
        <tbody>
          {alerts.map((alert) => (
            <tr
              key={alert.id}
              className={`transition-colors duration-1000 ${fresh?.has(alert.id) ? "bg-accent/15" : ""}`}
            >
              <td className={td}>
                <SeverityBadge severity={alert.severity} />
              </td>
              <td className={`${td} max-w-md`}>
                <Link to={`/alerts/${alert.id}`} className="font-medium text-accent hover:underline">
                  {alert.rule_title}
                </Link>
                {alert.summary && (
                  <p className="truncate text-xs text-muted" title={alert.summary}>
                    {alert.summary}
                  </p>
                )}
              </td>
              <td className={td}>{alert.hostname || alert.agent_id || "—"}</td>
              <td className={`${td} font-mono text-xs leading-5`}>{alert.entity || "—"}</td>
              <td className={`${td} text-right tabular-nums`}>{alert.count.toLocaleString()}</td>
              <td className={td}>
                <StatusBadge status={alert.status} />
              </td>
              <td className={td}>{alert.assignee ?? <span className="text-muted">—</span>}</td>
              <td className={`${td} whitespace-nowrap`}>
                <time dateTime={toDate(alert.last_seen)?.toISOString()} title={formatTime(alert.last_seen)}>
                  {formatAgo(alert.last_seen, now)}
                </time>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
