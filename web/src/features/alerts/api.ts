// Query keys and hooks of the alerts feature. Lists are patched in place from the stream's
// "alert" messages (no request for a new alert); what the stream cannot settle alone (a total
// that may have changed elsewhere, the open counts) is asked again, at most every two seconds.

import {
  keepPreviousData,
  useMutation,
  useQueries,
  useQuery,
  useQueryClient,
  type QueryClient,
  type QueryKey,
} from "@tanstack/react-query";
import { useCallback, useEffect, useRef } from "react";
import { api } from "../../api/client";
import type { StreamMessage } from "../../api/stream";
import { useStream } from "../../app/stream";
import { throttle, type Throttled } from "../overview/throttle";
import { alertQueryString, patchPage, type AlertQuery } from "./filters";
import { openStatuses } from "./lifecycle";
import { countsBySeverity, severities } from "./severity";
import type { Alert, AlertChange, AlertComment, AlertDetail, AlertPage, AlertUpdate, Severity } from "./types";

export const alertKeys = {
  all: ["alerts"] as const,
  lists: ["alerts", "list"] as const,
  list: (query: AlertQuery) => ["alerts", "list", query] as const,
  counts: ["alerts", "open-counts"] as const,
  count: (severity: Severity) => ["alerts", "open-counts", severity] as const,
  detail: (id: string) => ["alerts", "detail", id] as const,
};

/** Stream bursts (a brute force raising one alert's count many times a second) ask at most this often. */
const refreshIntervalMs = 2000;

/** One page of alerts. Cached pages are refreshed when shown again (staleTime 0): the stream only
 * patches them while a page that listens is open. */
export function useAlertList(query: AlertQuery, enabled = true) {
  return useQuery({
    queryKey: alertKeys.list(query),
    queryFn: () => api.get<AlertPage>(`/api/v1/alerts?${alertQueryString(query)}`),
    placeholderData: keepPreviousData,
    staleTime: 0,
    enabled,
  });
}

/** Open alerts (new and acknowledged) per severity. The API filters by minimum severity, so
 * this asks the total of "at least S" for each S, one row each. */
export function useOpenAlertCounts(enabled = true) {
  return useQueries({
    queries: severities.map((severity) => ({
      queryKey: alertKeys.count(severity),
      queryFn: async () =>
        (
          await api.get<AlertPage>(
            `/api/v1/alerts?status=${openStatuses.join(",")}&severity=${severity}&limit=1`,
          )
        ).total,
      staleTime: 0,
      enabled,
    })),
    combine: (results) => ({
      isPending: results.some((r) => r.isPending),
      error: results.find((r) => r.isError)?.error ?? null,
      total: results[0]?.data ?? 0,
      counts: countsBySeverity(results.map((r) => r.data ?? 0)),
      refetch: () => results.forEach((r) => void r.refetch()),
    }),
  });
}

/** One alert with its evidence and comments. */
export function useAlert(id: string) {
  const queryClient = useQueryClient();
  return useQuery({
    queryKey: alertKeys.detail(id),
    queryFn: () => api.get<AlertDetail>(`/api/v1/alerts/${encodeURIComponent(id)}`),
    staleTime: 0,
    placeholderData: () => {
      for (const [, page] of queryClient.getQueriesData<AlertPage>({ queryKey: alertKeys.lists })) {
        const alert = page?.items.find((item) => String(item.id) === id);
        // The list's row, until the evidence arrives: the header shows at once.
        if (alert) return { ...alert, evidence: [], comments: [] };
      }
      return undefined;
    },
  });
}

/** An "alert" stream message's content, or null when it is not one this portal understands. */
export function readAlertMessage(message: StreamMessage): AlertChange | null {
  const alert = message.alert as Alert | undefined;
  const action = message.action;
  if (!alert || typeof alert !== "object" || typeof alert.id !== "number") return null;
  if (action !== "created" && action !== "updated") return null;
  return { action, alert };
}

/**
 * Puts a changed alert into every cached list and its detail. Returns the keys that the change
 * alone cannot settle (see patchPage), for the caller to refetch.
 */
export function applyAlertChange(queryClient: QueryClient, change: AlertChange): QueryKey[] {
  const stale: QueryKey[] = [];
  for (const [key, data] of queryClient.getQueriesData<AlertPage>({ queryKey: alertKeys.lists })) {
    const query = key[2] as AlertQuery | undefined;
    if (!data || !query) continue;
    const result = patchPage(data, change.alert, change.action, query);
    if (result.page !== data) queryClient.setQueryData<AlertPage>(key, result.page);
    if (result.stale) stale.push(key);
  }
  const detailKey = alertKeys.detail(String(change.alert.id));
  const detail = queryClient.getQueryData<AlertDetail>(detailKey);
  if (detail) {
    queryClient.setQueryData<AlertDetail>(detailKey, { ...detail, ...change.alert });
    // A new match added evidence, someone else commented: only the server has those.
    if (detail.count !== change.alert.count || detail.comment_count !== change.alert.comment_count) {
      stale.push(detailKey);
    }
  }
  return stale;
}

/** A function that collects query keys and invalidates them together at most every interval. */
function useThrottledRefresh(): (keys: readonly QueryKey[]) => void {
  const queryClient = useQueryClient();
  const pending = useRef(new Map<string, QueryKey>());
  const throttled = useRef<Throttled | null>(null);
  useEffect(() => {
    const keys = pending.current;
    const t = throttle(() => {
      const due = [...keys.values()];
      keys.clear();
      for (const queryKey of due) void queryClient.invalidateQueries({ queryKey, exact: true });
      void queryClient.invalidateQueries({ queryKey: alertKeys.counts });
    }, refreshIntervalMs);
    throttled.current = t;
    return () => {
      t.cancel();
      throttled.current = null;
    };
  }, [queryClient]);
  return useCallback((keys: readonly QueryKey[]) => {
    for (const key of keys) pending.current.set(JSON.stringify(key), key);
    throttled.current?.call();
  }, []);
}

/**
 * Keeps the cached alert lists, counts and details current from the stream; `onChange` hears of
 * every change after the caches took it (the list page highlights new rows with it).
 */
export function useAlertsLive(onChange?: (change: AlertChange) => void): void {
  const queryClient = useQueryClient();
  const refresh = useThrottledRefresh();
  useStream("alert", (message) => {
    const change = readAlertMessage(message);
    if (!change) return;
    refresh(applyAlertChange(queryClient, change));
    onChange?.(change);
  });
}

/** PATCH an alert's status or assignee; the answer goes into every cache at once. */
export function useUpdateAlert(id: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (change: AlertUpdate) => api.patch<Alert>(`/api/v1/alerts/${encodeURIComponent(id)}`, change),
    onSuccess: (alert) => {
      for (const queryKey of applyAlertChange(queryClient, { action: "updated", alert })) {
        void queryClient.invalidateQueries({ queryKey, exact: true });
      }
      void queryClient.invalidateQueries({ queryKey: alertKeys.counts });
    },
  });
}

/** POST a comment; it is added to the cached alert, so the stream's update asks nothing more. */
export function useAddComment(id: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (text: string) =>
      api.post<AlertComment>(`/api/v1/alerts/${encodeURIComponent(id)}/comments`, { text }),
    onSuccess: (comment) => {
      queryClient.setQueryData<AlertDetail>(alertKeys.detail(id), (detail) => {
        if (!detail || detail.comments.some((c) => c.id === comment.id)) return detail;
        const comments = [...detail.comments, comment];
        // The stream may have told of this comment first: count what is shown, not +1 twice.
        return { ...detail, comments, comment_count: Math.max(detail.comment_count, comments.length) };
      });
    },
  });
}
