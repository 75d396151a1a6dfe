import { useInfiniteQuery, useQuery, useQueryClient, type InfiniteData } from "@tanstack/react-query";
import { api, query } from "../../api/client";
import { useStream } from "../../app/stream";
import { prependEntry, type ServerFilter } from "./filter";
import type { AuditEntry, AuditPage, AuditVerification } from "./types";

export const auditPageSize = 100;

export const auditKeys = {
  lists: ["audit", "list"] as const,
  list: (filter: ServerFilter) => ["audit", "list", filter] as const,
  verify: ["audit", "verify"] as const,
};

type Pages = InfiniteData<AuditPage, number | undefined>;

/** Audit entries newest first, a page at a time; the next page starts before the last seq seen. */
export function useAuditEntries(filter: ServerFilter) {
  return useInfiniteQuery({
    queryKey: auditKeys.list(filter),
    queryFn: ({ pageParam }) =>
      api.get<AuditPage>(
        `/api/v1/audit?${query({ limit: auditPageSize, before: pageParam, actor: filter.actor, action: filter.action }).slice(1)}`,
      ),
    initialPageParam: undefined as number | undefined,
    getNextPageParam: (last) => last.next_before ?? undefined,
  });
}

/** The hash chain check. It reads the whole log, so it runs on opening the page and on request. */
export function useAuditVerification() {
  return useQuery({
    queryKey: auditKeys.verify,
    queryFn: () => api.get<AuditVerification>("/api/v1/audit/verify"),
    staleTime: Infinity,
  });
}

/** Puts entries from the stream in front of every loaded list whose filters they match, and tells
 * `onEntry` about each, without asking the server again. */
export function useLiveAuditEntries(onEntry: (entry: AuditEntry) => void): void {
  const queryClient = useQueryClient();
  useStream("audit", (message) => {
    const entry = message.entry as AuditEntry | undefined;
    if (!entry || typeof entry.seq !== "number") return;
    for (const [key, data] of queryClient.getQueriesData<Pages>({ queryKey: auditKeys.lists })) {
      const filter = key[2] as ServerFilter | undefined;
      if (!data || !filter) continue;
      const next = prependEntry(data, entry, filter);
      if (next !== data) queryClient.setQueryData<Pages>(key, next);
    }
    onEntry(entry);
  });
}
