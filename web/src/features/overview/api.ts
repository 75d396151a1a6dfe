import { useQueries, useQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback, useEffect, useRef } from "react";
import { api } from "../../api/client";
import type { StreamMessage } from "../../api/stream";
import { useStream } from "../../app/stream";
import { withAuditEntry } from "./derive";
import { throttle, type Throttled } from "./throttle";
import type { Agent, AgentPage, AgentStatus } from "../agents/types";
import type { AuditEntry, AuditPage } from "../audit/types";
import type { EventSummary } from "./types";

/** The overview keeps its own keys: its queries have other parameters than the feature pages'. */
export const overviewKeys = {
  agentCounts: ["overview", "agent-counts"] as const,
  agentCount: (status: AgentStatus) => ["overview", "agent-counts", status] as const,
  agent: (id: string) => ["overview", "agent", id] as const,
  summary: ["overview", "event-summary"] as const,
  audit: ["overview", "audit"] as const,
};

export const summaryHours = 24;
export const auditLimit = 10;
/** Stream bursts (an agent replaying its spool, a fleet reconnecting) refetch at most this often. */
export const refetchIntervalMs = 2000;

const statuses: AgentStatus[] = ["online", "offline", "revoked"];

/** How many agents are online, offline and revoked: `total` of a one-item page per status. */
export function useAgentCounts(enabled: boolean) {
  return useQueries({
    queries: statuses.map((status) => ({
      queryKey: overviewKeys.agentCount(status),
      queryFn: async () => (await api.get<AgentPage>(`/api/v1/agents?status=${status}&limit=1`)).total,
      enabled,
    })),
    combine: (results) => ({
      isPending: results.some((r) => r.isPending),
      error: results.find((r) => r.isError)?.error ?? null,
      counts: { online: results[0]?.data ?? 0, offline: results[1]?.data ?? 0, revoked: results[2]?.data ?? 0 },
      refetch: () => results.forEach((r) => void r.refetch()),
    }),
  });
}

/** Events of the last 24 hours per hour, by type and by agent. */
export function useEventSummary(enabled: boolean) {
  return useQuery({
    queryKey: overviewKeys.summary,
    // The route is newer than the generated path list (operations.ts); regenerate to drop the cast.
    queryFn: () => api.get<EventSummary>(`/api/v1/events/summary?hours=${summaryHours}`),
    enabled,
  });
}

/** The agents behind `ids`, for their hostnames; a deleted agent's query fails with 404. */
export function useAgents(ids: string[], enabled: boolean) {
  return useQueries({
    queries: ids.map((id) => ({
      queryKey: overviewKeys.agent(id),
      queryFn: () => api.get<Agent>(`/api/v1/agents/${encodeURIComponent(id)}`),
      enabled,
    })),
  });
}

/** The newest audit entries. */
export function useLatestAudit(enabled: boolean) {
  return useQuery({
    queryKey: overviewKeys.audit,
    queryFn: async () => (await api.get<AuditPage>(`/api/v1/audit?limit=${auditLimit}`)).items,
    enabled,
  });
}

/** A callback that invalidates `queryKey` at most once per refetchIntervalMs. */
function useThrottledInvalidation(queryKey: readonly unknown[]): () => void {
  const queryClient = useQueryClient();
  const throttled = useRef<Throttled | null>(null);
  const keyText = JSON.stringify(queryKey);
  useEffect(() => {
    const key = JSON.parse(keyText) as unknown[];
    const t = throttle(() => void queryClient.invalidateQueries({ queryKey: key }), refetchIntervalMs);
    throttled.current = t;
    return () => {
      t.cancel();
      throttled.current = null;
    };
  }, [queryClient, keyText]);
  return useCallback(() => throttled.current?.call(), []);
}

function isAgent(value: unknown): value is Agent {
  return typeof value === "object" && value !== null && typeof (value as { id?: unknown }).id === "string";
}

function isAuditEntry(value: unknown): value is AuditEntry {
  return typeof value === "object" && value !== null && typeof (value as { seq?: unknown }).seq === "number";
}

/**
 * Keeps the overview current from the stream, never by polling: agent changes recount the
 * statuses and refresh the agent's cached hostname; events refetch the summary (throttled, so a
 * burst costs two requests); audit entries are put in front of the list as they come.
 */
export function useOverviewLive(): void {
  const queryClient = useQueryClient();
  const recountAgents = useThrottledInvalidation(overviewKeys.agentCounts);
  const refreshSummary = useThrottledInvalidation(overviewKeys.summary);

  useStream("agent", (message: StreamMessage) => {
    recountAgents();
    const agent = message.agent;
    if (!isAgent(agent)) return;
    const key = overviewKeys.agent(agent.id);
    // A deleted agent's query is asked again, to show it as deleted; others take the new record.
    if (message.action === "deleted") void queryClient.invalidateQueries({ queryKey: key });
    else if (queryClient.getQueryData(key)) queryClient.setQueryData(key, agent);
  });

  useStream("event", () => refreshSummary());

  useStream("audit", (message: StreamMessage) => {
    const entry = message.entry;
    if (!isAuditEntry(entry)) return;
    queryClient.setQueryData<AuditEntry[]>(overviewKeys.audit, (list) =>
      list === undefined ? list : withAuditEntry(list, entry, auditLimit),
    );
  });
}
