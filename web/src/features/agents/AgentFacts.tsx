import type { ReactNode } from "react";
import { Panel } from "../../components/Page";
import { formatAgo, formatTime, toDate } from "../../lib/time";
import { useNow } from "../../lib/useNow";
import { LabelChips } from "./LabelChips";
import { StatusBadge } from "./StatusBadge";
import type { Agent } from "./types";

const DAY_MS = 86_400_000;

/** "in 29 d", "in 5 h", or "expired" for a time `until` after `now`. */
export function formatIn(until: number, now: number): string {
  const ms = until - now;
  if (ms <= 0) return "expired";
  if (ms < 3_600_000) return `in ${Math.max(1, Math.round(ms / 60_000))} min`;
  if (ms < DAY_MS) return `in ${Math.round(ms / 3_600_000)} h`;
  return `in ${Math.round(ms / DAY_MS)} d`;
}

function Fact({ term, children }: { term: string; children: ReactNode }) {
  return (
    <div className="flex min-w-0 flex-col gap-0.5">
      <dt className="text-xs font-medium text-muted">{term}</dt>
      <dd className="min-w-0 text-sm break-words text-ink">{children}</dd>
    </div>
  );
}

function When({ value, now }: { value: string | null; now: number }) {
  if (!value) return <span className="text-muted">never</span>;
  return (
    <time dateTime={value} title={formatTime(value)}>
      {formatAgo(value, now)} <span className="text-muted">({formatTime(value)})</span>
    </time>
  );
}

/** What the server knows about an agent: host facts, placement, times and certificate. */
export function AgentFacts({ agent }: { agent: Agent }) {
  const now = useNow();
  const expires = toDate(agent.certificate?.not_after)?.getTime();
  const soon = expires !== undefined && expires - now < 7 * DAY_MS;
  return (
    <Panel title="Agent">
      <dl className="grid grid-cols-1 gap-x-6 gap-y-3 sm:grid-cols-2 lg:grid-cols-4">
        <Fact term="Status">
          <StatusBadge status={agent.status} />
        </Fact>
        <Fact term="Operating system">{agent.os || "—"}</Fact>
        <Fact term="Kernel / architecture">
          {agent.kernel || "—"} / {agent.arch || "—"}
        </Fact>
        <Fact term="Agent version">{agent.agent_version || "—"}</Fact>
        <Fact term="Group">{agent.group ?? <span className="text-muted">none</span>}</Fact>
        <Fact term="Labels">
          <LabelChips labels={agent.labels} none="none" />
        </Fact>
        <Fact term="Address">{agent.address ?? "—"}</Fact>
        <Fact term="Agent ID">
          <span className="font-mono text-xs break-all">{agent.id}</span>
        </Fact>
        <Fact term="Enrolled">
          <When value={agent.enrolled_at} now={now} />
        </Fact>
        <Fact term="First seen">
          <When value={agent.first_seen} now={now} />
        </Fact>
        <Fact term="Last seen">
          {agent.status === "online" ? "now (connected)" : <When value={agent.last_seen} now={now} />}
        </Fact>
        {agent.certificate && !agent.revoked_at && expires !== undefined && (
          <Fact term="Certificate expires">
            <span className={soon ? "text-warn" : undefined} title={`Serial ${agent.certificate.serial}`}>
              {formatIn(expires, now)} ({formatTime(agent.certificate.not_after)})
            </span>
          </Fact>
        )}
        {agent.revoked_at && (
          <Fact term="Revoked">
            <When value={agent.revoked_at} now={now} />
          </Fact>
        )}
      </dl>
    </Panel>
  );
}
