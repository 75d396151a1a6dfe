import type { ReactNode } from "react";
import { Link } from "react-router";
import { formatAgo, formatTime } from "../../lib/time";
import { SeverityBadge, StatusBadge } from "./badges";
import { TagChips } from "./TagChips";
import type { Alert } from "./types";

/** What the alert is: severity, status, host, entity, when, how often, rule and tags. */
export function AlertHeader({ alert, now }: { alert: Alert; now: number }) {
  return (
    <section aria-label="Alert summary" className="flex flex-col gap-4 rounded-lg border border-line bg-panel p-4">
      <div className="flex flex-wrap items-center gap-2">
        <SeverityBadge severity={alert.severity} />
        <StatusBadge status={alert.status} />
        {alert.assignee && <span className="text-sm text-muted">Assigned to {alert.assignee}</span>}
      </div>
      {alert.summary && <p className="text-ink">{alert.summary}</p>}
      <dl className="grid grid-cols-1 gap-x-6 gap-y-3 text-sm sm:grid-cols-2 lg:grid-cols-4">
        <Fact label="Host">
          {alert.agent_id ? (
            <Link to={`/agents/${encodeURIComponent(alert.agent_id)}`} className="text-accent hover:underline">
              {alert.hostname || alert.agent_id}
            </Link>
          ) : (
            "—"
          )}
        </Fact>
        <Fact label="Entity">
          <span className="font-mono text-xs break-all">{alert.entity || "—"}</span>
        </Fact>
        <Fact label="First seen">
          <span title={formatAgo(alert.first_seen, now)}>{formatTime(alert.first_seen)}</span>
        </Fact>
        <Fact label="Last seen">
          <span title={formatAgo(alert.last_seen, now)}>{formatTime(alert.last_seen)}</span>
        </Fact>
        <Fact label="Count">
          <span className="tabular-nums">
            {alert.count.toLocaleString()} {alert.count === 1 ? "match" : "matches"}
          </span>
        </Fact>
        <Fact label="Rule">
          <Link to={`/rules?q=${encodeURIComponent(alert.rule_id)}`} className="font-mono text-xs break-all text-accent hover:underline">
            {alert.rule_id}
          </Link>
        </Fact>
        <Fact label="Tags" wide>
          <TagChips tags={alert.tags} label="ATT&CK and other tags" />
        </Fact>
      </dl>
    </section>
  );
}

function Fact({ label, children, wide = false }: { label: string; children: ReactNode; wide?: boolean }) {
  return (
    <div className={`flex min-w-0 flex-col gap-0.5 ${wide ? "sm:col-span-2" : ""}`}>
      <dt className="text-xs text-muted">{label}</dt>
      <dd className="min-w-0">{children}</dd>
    </div>
  );
}
