// Query keys and hooks of the agents feature. The whole agent list is loaded once and then kept
// current from the stream ("agent" messages), so that 10,000 rows are never fetched twice.

import {
  hashKey,
  useInfiniteQuery,
  useMutation,
  useQuery,
  useQueryClient,
  type QueryClient,
} from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { api, query } from "../../api/client";
import { ApiError } from "../../api/errors";
import { useStream } from "../../app/stream";
import { applyAgentChanges, readAgentMessage, type AgentChange } from "./agentCache";
import type {
  Agent,
  AgentPage,
  AgentUpdate,
  ChangesAnswer,
  CreatedEnrollToken,
  EnrollTokenRequest,
  EventMessage,
  PackageItem,
  SectionAnswer,
} from "./types";

export const agentKeys = {
  all: ["agents"] as const,
  list: ["agents", "list"] as const,
  /** How much of the list has arrived while it loads: {loaded, total}. */
  listProgress: ["agents", "list-progress"] as const,
  detail: (id: string) => ["agents", "detail", id] as const,
  /** Everything about one agent's inventory: invalidated together when its events arrive. */
  inventory: (id: string) => ["agents", "inventory", id] as const,
  packages: (id: string) => ["agents", "inventory", id, "packages"] as const,
  section: (id: string, section: string) => ["agents", "inventory", id, "section", section] as const,
  changes: (id: string, section: string) => ["agents", "inventory", id, "changes", section] as const,
};

/** The server's largest page (src/agents/agent_routes.cpp). */
const PAGE_SIZE = 1000;
/** Pages asked for at once after the first: enough to overlap round trips, few enough for 2 cores. */
const PARALLEL_PAGES = 4;

/**
 * Every agent: the first page says how many there are, the rest are fetched a few at a time.
 * Ids are de-duplicated: an agent enrolled while paging shifts the pages (they are ordered by
 * hostname), which can repeat an agent; one it pushes past the end arrives by the stream.
 */
export async function fetchAllAgents(onProgress?: (progress: ListProgress) => void): Promise<Agent[]> {
  const page = (offset: number) => api.get<AgentPage>(`/api/v1/agents?limit=${PAGE_SIZE}&offset=${offset}`);
  const first = await page(0);
  const offsets: number[] = [];
  for (let offset = PAGE_SIZE; offset < first.total; offset += PAGE_SIZE) offsets.push(offset);
  const pages: AgentPage[] = [first];
  let loaded = first.items.length;
  onProgress?.({ loaded, total: first.total });
  let next = 0;
  const worker = async () => {
    while (next < offsets.length) {
      const offset = offsets[next++] ?? 0;
      const answer = await page(offset);
      pages[offset / PAGE_SIZE] = answer;
      loaded += answer.items.length;
      onProgress?.({ loaded, total: first.total });
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL_PAGES, offsets.length) }, worker));
  const byId = new Map<string, Agent>();
  for (const answer of pages) for (const agent of answer?.items ?? []) byId.set(agent.id, agent);
  return [...byId.values()];
}

export interface ListProgress {
  loaded: number;
  total: number;
}

/** All agents, loaded once per session and kept current by useAgentListLive. */
export function useAgents() {
  const queryClient = useQueryClient();
  return useQuery({
    queryKey: agentKeys.list,
    queryFn: () => fetchAllAgents((progress) => queryClient.setQueryData(agentKeys.listProgress, progress)),
  });
}

/** While the list loads: how many agents have arrived of how many (null before the first page). */
export function useListProgress(): ListProgress | null {
  const { data } = useQuery<ListProgress | null>({
    queryKey: agentKeys.listProgress,
    queryFn: () => null,
    enabled: false,
    staleTime: Infinity,
  });
  return data ?? null;
}

/** How long stream messages are collected before the list is updated with all of them at once. */
const FLUSH_MS = 100;

/**
 * Applies "agent" stream messages to the cached list in place (no refetch). Messages are applied
 * in batches, and those that arrive while the list is being fetched are applied again to the
 * fetched list, which may have been read before they happened.
 */
export function useAgentListLive(): void {
  const queryClient = useQueryClient();
  const queue = useRef<AgentChange[]>([]);
  const duringFetch = useRef<AgentChange[]>([]);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);

  useEffect(() => {
    const unsubscribe = queryClient.getQueryCache().subscribe((event) => {
      if (event.type !== "updated" || event.action.type !== "success" || event.action.manual) return;
      if (event.query.queryHash !== hashKey(agentKeys.list) || duringFetch.current.length === 0) return;
      const changes = duringFetch.current;
      duringFetch.current = [];
      updateList(queryClient, changes);
    });
    return () => {
      unsubscribe();
      if (timer.current) clearTimeout(timer.current);
      timer.current = null;
    };
  }, [queryClient]);

  useStream("agent", (message) => {
    const change = readAgentMessage(message);
    if (!change) return;
    queue.current.push(change);
    timer.current ??= setTimeout(() => {
      timer.current = null;
      const changes = queue.current;
      queue.current = [];
      if (queryClient.getQueryState(agentKeys.list)?.fetchStatus === "fetching") duringFetch.current.push(...changes);
      updateList(queryClient, changes);
    }, FLUSH_MS);
  });
}

function updateList(queryClient: QueryClient, changes: readonly AgentChange[]): void {
  queryClient.setQueryData<readonly Agent[]>(agentKeys.list, (agents) => agents && applyAgentChanges(agents, changes));
}

/** Puts an agent the server just answered with into the list and its detail cache. */
function remember(queryClient: QueryClient, agent: Agent): void {
  queryClient.setQueryData(agentKeys.detail(agent.id), agent);
  updateList(queryClient, [{ action: "updated", agent }]);
}

/** One agent; shows the list's copy while the full answer loads. */
export function useAgent(id: string) {
  const queryClient = useQueryClient();
  return useQuery({
    queryKey: agentKeys.detail(id),
    queryFn: () => api.get<Agent>(`/api/v1/agents/${encodeURIComponent(id)}`),
    placeholderData: () => queryClient.getQueryData<readonly Agent[]>(agentKeys.list)?.find((a) => a.id === id),
  });
}

/**
 * Keeps one agent's cache current from "agent" messages; true once a message said it was deleted
 * (the page then says so instead of showing a 404 on the next fetch).
 */
export function useAgentLive(id: string): boolean {
  const queryClient = useQueryClient();
  const [deleted, setDeleted] = useState(false);
  useEffect(() => setDeleted(false), [id]);
  useStream("agent", (message) => {
    const change = readAgentMessage(message);
    if (!change || change.agent.id !== id) return;
    if (change.action === "deleted") setDeleted(true);
    else queryClient.setQueryData(agentKeys.detail(id), change.agent);
  });
  return deleted;
}

/** Events that change what the inventory tabs show (src/inventory/derived_events.cpp). */
const inventoryEvent = /^(inventory|package|port|user|group)\./;
/** A snapshot in several parts or a burst of derived events refreshes the tabs once. */
const INVENTORY_SETTLE_MS = 500;

/** Refreshes the agent's inventory tabs when its inventory events arrive on the stream. */
export function useInventoryLive(id: string): void {
  const queryClient = useQueryClient();
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(
    () => () => {
      if (timer.current) clearTimeout(timer.current);
      timer.current = null;
    },
    [id],
  );
  useStream("event", (message) => {
    const event = (message as Partial<EventMessage>).event;
    if (!event || event.agent_id !== id || typeof event.type !== "string" || !inventoryEvent.test(event.type)) return;
    timer.current ??= setTimeout(() => {
      timer.current = null;
      void queryClient.invalidateQueries({ queryKey: agentKeys.inventory(id) });
    }, INVENTORY_SETTLE_MS);
  });
}

export function usePackages(id: string) {
  return useQuery({
    queryKey: agentKeys.packages(id),
    queryFn: () => api.get<PackageItem[]>(`/api/v1/agents/${encodeURIComponent(id)}/packages`),
  });
}

export function useInventorySection<T>(id: string, section: string) {
  return useQuery({
    queryKey: agentKeys.section(id, section),
    queryFn: async () =>
      (await api.get<SectionAnswer<T>>(`/api/v1/agents/${encodeURIComponent(id)}/inventory/${section}`)).items,
  });
}

const CHANGES_PAGE = 100;

/** The agent's inventory changes, newest first, a page at a time (`section` "" for all). */
export function useChanges(id: string, section: string) {
  return useInfiniteQuery({
    queryKey: agentKeys.changes(id, section),
    initialPageParam: undefined as number | undefined,
    queryFn: async ({ pageParam }) =>
      (
        await api.get<ChangesAnswer>(
          `/api/v1/agents/${encodeURIComponent(id)}/changes${query({ section, limit: CHANGES_PAGE, before: pageParam })}`,
        )
      ).items,
    getNextPageParam: (last) => (last.length < CHANGES_PAGE ? undefined : last[last.length - 1]?.id),
  });
}

export function useCreateEnrollToken() {
  return useMutation({
    mutationFn: (body: EnrollTokenRequest) => api.post<CreatedEnrollToken>("/api/v1/agents/enroll-tokens", body),
  });
}

export function useUpdateAgent(id: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: AgentUpdate) => api.patch<Agent>(`/api/v1/agents/${encodeURIComponent(id)}`, body),
    onSuccess: (agent) => remember(queryClient, agent),
  });
}

export function useRevokeAgent(id: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => api.post<Agent>(`/api/v1/agents/${encodeURIComponent(id)}/revoke`),
    onSuccess: (agent) => remember(queryClient, agent),
  });
}

export function useDeleteAgent(id: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => api.delete(`/api/v1/agents/${encodeURIComponent(id)}`),
    // The detail queries stay until the page that shows them has gone (removing them now would
    // make it refetch, and be told 404).
    onSuccess: () =>
      queryClient.setQueryData<readonly Agent[]>(agentKeys.list, (agents) => agents?.filter((a) => a.id !== id)),
  });
}

/** A 404 from the server: the agent does not exist (any more). */
export function isNotFound(error: unknown): boolean {
  return error instanceof ApiError && error.status === 404;
}
