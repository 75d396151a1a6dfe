// Query keys and hooks of the scans feature. Jobs are kept current from the stream's "scan"
// messages (one every 500 ms per running job): lists and details are patched in place, and what a
// message cannot settle alone (a page boundary, the results of a job that found more) is asked
// again, at most once a second. Nothing polls.

import {
  keepPreviousData,
  useMutation,
  useQuery,
  useQueryClient,
  type QueryClient,
  type QueryKey,
} from "@tanstack/react-query";
import { useCallback, useEffect, useRef } from "react";
import { api, query } from "../../api/client";
import { useStream } from "../../app/stream";
import { throttle, type Throttled } from "../overview/throttle";
import { isActive, isNewer, patchScanPage, readScanMessage, type ScanQuery } from "./jobs";
import { firstPage, pagedPath, type PageQuery } from "./paging";
import type { NewScan, ScanDiff, ScanJob, ScanPage, ScanResults, ScopeCheckReply, ScopeList } from "./types";

export const scanKeys = {
  all: ["scans"] as const,
  lists: ["scans", "list"] as const,
  list: (q: ScanQuery) => ["scans", "list", q] as const,
  detail: (id: string) => ["scans", "detail", id] as const,
  /** Every cached page of a job's results (or diff): a prefix of each page's key. */
  results: (id: string) => ["scans", "results", id] as const,
  resultsPage: (id: string, page: PageQuery) => ["scans", "results", id, page] as const,
  diff: (id: string) => ["scans", "diff", id] as const,
  diffPage: (id: string, page: PageQuery) => ["scans", "diff", id, page] as const,
  scopes: ["scans", "scopes"] as const,
  scopeCheck: (targets: readonly string[]) => ["scans", "scope-check", targets] as const,
};

/** Stream bursts (many running jobs) ask the server at most this often. */
const refreshIntervalMs = 1000;

/** One page of jobs, newest first. */
export function useScanList(q: ScanQuery) {
  return useQuery({
    queryKey: scanKeys.list(q),
    queryFn: () => {
      // `limit` is always there, so the query string is never empty.
      const search = query({ status: q.status, limit: q.limit, offset: q.offset }).slice(1);
      return api.get<ScanPage>(`/api/v1/scans?${search}`);
    },
    placeholderData: keepPreviousData,
    staleTime: 0,
  });
}

/** One job; the list's row shows at once while it loads. */
export function useScan(id: string) {
  const queryClient = useQueryClient();
  return useQuery({
    queryKey: scanKeys.detail(id),
    queryFn: () => api.get<ScanJob>(`/api/v1/scans/${encodeURIComponent(id)}`),
    staleTime: 0,
    placeholderData: () => {
      for (const [, page] of queryClient.getQueriesData<ScanPage>({ queryKey: scanKeys.lists })) {
        const job = page?.items.find((item) => String(item.id) === id);
        if (job) return job;
      }
      return undefined;
    },
  });
}

/** One page of the hosts, open ports and services a job found (so far, while it runs), with the
 * job's totals; the page shown stays while the next one loads. */
export function useScanResults(id: string, page: PageQuery = firstPage) {
  return useQuery({
    queryKey: scanKeys.resultsPage(id, page),
    queryFn: () => api.get<ScanResults>(pagedPath(`/api/v1/scans/${encodeURIComponent(id)}/results`, page)),
    placeholderData: keepPreviousData,
    staleTime: 0,
  });
}

/** One page of the changes against the previous completed scan of the same targets and ports,
 * with the counts of the whole diff. */
export function useScanDiff(id: string, enabled: boolean, page: PageQuery = firstPage) {
  return useQuery({
    queryKey: scanKeys.diffPage(id, page),
    queryFn: () => api.get<ScanDiff>(pagedPath(`/api/v1/scans/${encodeURIComponent(id)}/diff`, page)),
    placeholderData: keepPreviousData,
    staleTime: 0,
    enabled,
  });
}

/** The networks scans may target. They change only with the server's configuration. */
export function useScanScopes() {
  return useQuery({
    queryKey: scanKeys.scopes,
    queryFn: () => api.get<ScopeList>("/api/v1/scan-scopes"),
    staleTime: 5 * 60_000,
  });
}

/**
 * POST /api/v1/scan-scopes/check: what the server's target grammar and the scopes make of
 * `targets` (none: nothing is asked). Host names make an answer slow, so the last one stays
 * shown while the next is asked (readScopeCheck matches its items by text); the answer to older
 * targets goes to their own cache entry and never stands for newer ones. Not retried: the next
 * edit asks again, and the server checks once more when the scan starts.
 */
export function useScopeCheck(targets: readonly string[]) {
  return useQuery({
    queryKey: scanKeys.scopeCheck(targets),
    queryFn: () => api.post<ScopeCheckReply>("/api/v1/scan-scopes/check", { targets }),
    enabled: targets.length > 0,
    placeholderData: keepPreviousData,
    retry: false,
    staleTime: 10_000,
  });
}

/**
 * Puts a job into every cached list and its detail. Returns the keys the job alone cannot
 * settle, for the caller to refetch: list pages whose boundaries moved, and the results (and
 * diff) of a job that found more or ended since they were fetched.
 */
export function applyScanChange(queryClient: QueryClient, job: ScanJob): QueryKey[] {
  const stale: QueryKey[] = [];
  for (const [key, data] of queryClient.getQueriesData<ScanPage>({ queryKey: scanKeys.lists })) {
    const q = key[2] as ScanQuery | undefined;
    if (!data || !q) continue;
    const result = patchScanPage(data, job, q);
    if (result.page !== data) queryClient.setQueryData<ScanPage>(key, result.page);
    if (result.stale) stale.push(key);
  }
  const id = String(job.id);
  const detail = queryClient.getQueryData<ScanJob>(scanKeys.detail(id));
  if (detail && isNewer(detail, job)) queryClient.setQueryData<ScanJob>(scanKeys.detail(id), job);
  for (const [key, results] of queryClient.getQueriesData<ScanResults>({ queryKey: scanKeys.results(id) })) {
    if (results && (results.status !== job.status || results.open_ports !== job.progress.open_found)) {
      stale.push(key);
    }
  }
  if (!isActive(job.status)) {
    for (const [key] of queryClient.getQueriesData<ScanDiff>({ queryKey: scanKeys.diff(id) })) stale.push(key);
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
    }, refreshIntervalMs);
    throttled.current = t;
    return () => {
      t.cancel();
      throttled.current = null;
    };
  }, [queryClient]);
  return useCallback((keys: readonly QueryKey[]) => {
    if (keys.length === 0) return;
    for (const key of keys) pending.current.set(JSON.stringify(key), key);
    throttled.current?.call();
  }, []);
}

/** Keeps cached jobs, their results and diffs current from the stream while a scans page is open. */
export function useScansLive(): void {
  const queryClient = useQueryClient();
  const refresh = useThrottledRefresh();
  useStream("scan", (message) => {
    const job = readScanMessage(message);
    if (job) refresh(applyScanChange(queryClient, job));
  });
}

/** POST /api/v1/scans; the queued job goes into the cached lists at once. */
export function useStartScan() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: NewScan) => api.post<ScanJob>("/api/v1/scans", body),
    onSuccess: (job) => {
      for (const queryKey of applyScanChange(queryClient, job)) {
        void queryClient.invalidateQueries({ queryKey, exact: true });
      }
    },
  });
}

/** DELETE /api/v1/scans/{id}: cancels a queued or running job. */
export function useCancelScan() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => api.delete<ScanJob>(`/api/v1/scans/${id}`),
    onSuccess: (job) => {
      for (const queryKey of applyScanChange(queryClient, job)) {
        void queryClient.invalidateQueries({ queryKey, exact: true });
      }
    },
  });
}
