// Query keys and hooks of the firewall feature. Agent state, blocks and policies are kept current
// from the stream's "firewall" messages: each invalidates what it concerns, at most once a second
// however many arrive (a push to 200 agents is 400 messages). Nothing polls.

import { keepPreviousData, useMutation, useQuery, useQueryClient, type QueryClient, type QueryKey } from "@tanstack/react-query";
import { useCallback, useEffect, useMemo, useRef } from "react";
import { api, query } from "../../api/client";
import { useStream } from "../../app/stream";
import { agentKeys, fetchAllAgents } from "../agents/api";
import { useCan } from "../auth/session";
import { throttle, type Throttled } from "../overview/throttle";
import { refetchDelay } from "./feeds";
import { readFirewallMessage } from "./status";
import type {
  AddedAllowListEntry,
  AgentFirewallStatus,
  AllowListEntry,
  ApplyResult,
  Assignment,
  AssignmentInput,
  Block,
  Feed,
  FeedChange,
  FeedDetail,
  FeedInput,
  FeedRefresh,
  BlockPage,
  NewBlock,
  PolicyDetail,
  PolicyDiffAnswer,
  PolicyPage,
  PolicyPreview,
  PolicyVersion,
  SavedPolicy,
  ValidationResult,
} from "./types";

export const firewallKeys = {
  all: ["firewall"] as const,
  status: ["firewall", "status"] as const,
  policies: ["firewall", "policies"] as const,
  policyList: (offset: number) => ["firewall", "policies", "list", offset] as const,
  policy: (id: number) => ["firewall", "policies", id] as const,
  versions: (id: number) => ["firewall", "policies", id, "versions"] as const,
  version: (id: number, version: number) => ["firewall", "policies", id, "versions", version] as const,
  diff: (id: number, from: number, to: number) => ["firewall", "policies", id, "diff", from, to] as const,
  preview: (id: number, version: number, agent: string) => ["firewall", "policies", id, "preview", version, agent] as const,
  assignments: (id: number) => ["firewall", "policies", id, "assignments"] as const,
  blocks: ["firewall", "blocks"] as const,
  blockList: (active: boolean, offset: number) => ["firewall", "blocks", active, offset] as const,
  allowList: ["firewall", "allow-list"] as const,
  feeds: ["firewall", "feeds"] as const,
  feed: (name: string) => ["firewall", "feeds", "one", name] as const,
  feedRefresh: (name: string) => ["firewall", "feeds", "refresh", name] as const,
};

const policyPath = (id: number) => `/api/v1/firewall/policies/${id}` as const;

/** Stream bursts refetch at most this often. */
const refreshIntervalMs = 1000;

/** Per agent: applied and confirmed version, drift, rollbacks, errors, in sync or not. */
export function useFirewallStatus() {
  return useQuery({
    queryKey: firewallKeys.status,
    queryFn: async () => (await api.get<{ items: AgentFirewallStatus[] }>("/api/v1/firewall/status")).items,
    staleTime: 0,
  });
}

/**
 * Refetches agent state, blocks and policies when the stream says they changed, while a firewall page is
 * open. Keys are collected and invalidated together at most once per interval.
 */
export function useFirewallLive(): void {
  const queryClient = useQueryClient();
  const pending = useRef(new Map<string, QueryKey>());
  const throttled = useRef<Throttled | null>(null);
  useEffect(() => {
    const keys = pending.current;
    const t = throttle(() => {
      const due = [...keys.values()];
      keys.clear();
      for (const queryKey of due) void queryClient.invalidateQueries({ queryKey });
    }, refreshIntervalMs);
    throttled.current = t;
    return () => {
      t.cancel();
      throttled.current = null;
    };
  }, [queryClient]);
  const refresh = useCallback((queryKey: QueryKey) => {
    pending.current.set(JSON.stringify(queryKey), queryKey);
    throttled.current?.call();
  }, []);
  useStream("firewall", (message) => {
    const change = readFirewallMessage(message);
    if (change?.kind === "state") refresh(firewallKeys.status);
    if (change?.kind === "block") refresh(firewallKeys.blocks);
    if (change?.kind === "policy") {
      // A policy's versions or assignments decide what each agent should run.
      refresh(firewallKeys.policies);
      refresh(firewallKeys.status);
    }
  });
}

/** POST /api/v1/firewall/apply: push every agent's effective policy now. */
export function useApplyPolicies() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: { policy_id?: number; agent_ids?: string[]; force?: boolean }) =>
      api.post<{ results: ApplyResult[] }>("/api/v1/firewall/apply", body),
    onSettled: () => void queryClient.invalidateQueries({ queryKey: firewallKeys.status }),
  });
}

export const policyPageSize = 100;

/** One page of policies, by name. */
export function usePolicies(offset: number) {
  return useQuery({
    queryKey: firewallKeys.policyList(offset),
    // `limit` is always there, so the query string is never empty.
    queryFn: () => api.get<PolicyPage>(`/api/v1/firewall/policies?${query({ limit: policyPageSize, offset }).slice(1)}`),
    placeholderData: keepPreviousData,
    staleTime: 0,
  });
}

/** A policy with its newest version's document. */
export function usePolicy(id: number) {
  return useQuery({
    queryKey: firewallKeys.policy(id),
    queryFn: () => api.get<PolicyDetail>(policyPath(id)),
    staleTime: 0,
  });
}

/** The versions of a policy, newest first. */
export function usePolicyVersions(id: number) {
  return useQuery({
    queryKey: firewallKeys.versions(id),
    queryFn: async () => (await api.get<{ items: PolicyVersion[] }>(`${policyPath(id)}/versions`)).items,
    staleTime: 0,
  });
}

/** One version with its document. Versions never change, so it is kept. */
export function usePolicyVersion(id: number, version: number | null) {
  return useQuery({
    queryKey: firewallKeys.version(id, version ?? 0),
    queryFn: () => api.get<PolicyVersion>(`${policyPath(id)}/versions/${version ?? 0}`),
    enabled: version !== null,
    staleTime: Infinity,
  });
}

/** The changes from version `from` to `to`; two versions' diff never changes. */
export function usePolicyDiff(id: number, pair: { from: number; to: number } | null) {
  return useQuery({
    queryKey: firewallKeys.diff(id, pair?.from ?? 0, pair?.to ?? 0),
    queryFn: () => api.get<PolicyDiffAnswer>(`${policyPath(id)}/diff${query({ from: pair?.from, to: pair?.to })}`),
    enabled: pair !== null,
    staleTime: Infinity,
  });
}

/** The nftables text an agent (or none) would get for a version, with the problems for it. */
export function usePolicyPreview(id: number, wanted: { version: number; agent: string } | null) {
  return useQuery({
    queryKey: firewallKeys.preview(id, wanted?.version ?? 0, wanted?.agent ?? ""),
    queryFn: () =>
      api.get<PolicyPreview>(`${policyPath(id)}/preview${query({ version: wanted?.version, agent: wanted?.agent })}`),
    enabled: wanted !== null,
    staleTime: 0,
  });
}

export function useAssignments(id: number) {
  return useQuery({
    queryKey: firewallKeys.assignments(id),
    queryFn: async () => (await api.get<{ items: Assignment[] }>(`${policyPath(id)}/assignments`)).items,
    staleTime: 0,
  });
}

/** POST /api/v1/firewall/validate: every problem, with the cut-off check when an agent is named. */
export function useValidatePolicy() {
  return useMutation({
    mutationFn: (body: { document: unknown; agent_id?: string; force?: boolean }) =>
      api.post<ValidationResult>("/api/v1/firewall/validate", body),
  });
}

export interface PolicyFields {
  name: string;
  description: string;
  document: unknown;
  comment: string;
}

/** POST /api/v1/firewall/policies: version 1. */
export function useCreatePolicy() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: PolicyFields) => api.post<SavedPolicy>("/api/v1/firewall/policies", body),
    onSuccess: (saved) => {
      queryClient.setQueryData<PolicyDetail>(firewallKeys.policy(saved.id), saved);
      void queryClient.invalidateQueries({ queryKey: firewallKeys.policies, exact: false });
    },
  });
}

/** PUT /api/v1/firewall/policies/{id}: a new version, refused with 409 unless `base_version` is
 * still the newest. */
export function useUpdatePolicy(id: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: PolicyFields & { base_version: number }) => api.put<SavedPolicy>(policyPath(id), body),
    onSuccess: (saved) => {
      queryClient.setQueryData<PolicyDetail>(firewallKeys.policy(id), saved);
      void queryClient.invalidateQueries({ queryKey: firewallKeys.policies });
    },
  });
}

/** POST .../rollback: an earlier version's document saved as the newest version. */
export function useRollbackPolicy(id: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: { version: number; base_version: number; comment?: string }) =>
      api.post<SavedPolicy>(`${policyPath(id)}/rollback`, body),
    onSuccess: (saved) => {
      queryClient.setQueryData<PolicyDetail>(firewallKeys.policy(id), saved);
      void queryClient.invalidateQueries({ queryKey: firewallKeys.policies });
    },
  });
}

export function useDeletePolicy() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => api.delete(policyPath(id)),
    onSuccess: (_, id) => {
      queryClient.removeQueries({ queryKey: firewallKeys.policy(id) });
      void queryClient.invalidateQueries({ queryKey: firewallKeys.policies });
    },
  });
}

export function useSetAssignments(id: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (body: { assignments: AssignmentInput[] }) =>
      (await api.put<{ items: Assignment[] }>(`${policyPath(id)}/assignments`, body)).items,
    onSuccess: (items) => {
      queryClient.setQueryData(firewallKeys.assignments(id), items);
      void queryClient.invalidateQueries({ queryKey: firewallKeys.status });
    },
  });
}

export const blockPageSize = 100;

/** Blocks, newest first: only active ones, or all. */
export function useBlocks(active: boolean, offset: number) {
  return useQuery({
    queryKey: firewallKeys.blockList(active, offset),
    queryFn: () =>
      api.get<BlockPage>(
        `/api/v1/firewall/blocks?${query({ active: active ? "true" : undefined, limit: blockPageSize, offset }).slice(1)}`,
      ),
    placeholderData: keepPreviousData,
    staleTime: 0,
  });
}

export function useCreateBlock() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: NewBlock) => api.post<Block>("/api/v1/firewall/blocks", body),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: firewallKeys.blocks }),
  });
}

export function useUnblock() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => api.delete<Block>(`/api/v1/firewall/blocks/${id}`),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: firewallKeys.blocks }),
  });
}

export function useAllowList() {
  return useQuery({
    queryKey: firewallKeys.allowList,
    queryFn: async () => (await api.get<{ items: AllowListEntry[] }>("/api/v1/firewall/allow-list")).items,
  });
}

export function useAddAllowListEntry() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: { cidr: string; comment?: string }) =>
      api.post<AddedAllowListEntry>("/api/v1/firewall/allow-list", body),
    onSuccess: (entry) => {
      void queryClient.invalidateQueries({ queryKey: firewallKeys.allowList });
      if (entry.lifted_blocks.length > 0) void queryClient.invalidateQueries({ queryKey: firewallKeys.blocks });
    },
  });
}

export function useRemoveAllowListEntry() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => api.delete(`/api/v1/firewall/allow-list/${id}`),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: firewallKeys.allowList }),
  });
}

const feedPath = (name: string) => `/api/v1/firewall/feeds/${encodeURIComponent(name)}` as const;

/** Every feed, by name. Feed changes are not on the stream: besides the page's own writes, the
 * list is fetched again when the next scheduled fetch is due. */
export function useFeeds() {
  return useQuery({
    queryKey: firewallKeys.feeds,
    queryFn: async () => (await api.get<{ items: Feed[] }>("/api/v1/firewall/feeds")).items,
    staleTime: 0,
    refetchInterval: (current) => refetchDelay(current.state.data ?? [], Date.now()),
  });
}

/** A feed with the policies whose newest version names it; fetched while `name` is not null. */
export function useFeed(name: string | null) {
  return useQuery({
    queryKey: firewallKeys.feed(name ?? ""),
    queryFn: () => api.get<FeedDetail>(feedPath(name ?? "")),
    enabled: name !== null,
    staleTime: 0,
  });
}

/** Puts a feed as the server answered it into the list. */
function storeFeed(queryClient: QueryClient, feed: Feed): void {
  queryClient.setQueryData<Feed[]>(firewallKeys.feeds, (list) =>
    list?.some((item) => item.name === feed.name)
      ? list.map((item) => (item.name === feed.name ? feed : item))
      : list && [...list, feed].sort((a, b) => a.name.localeCompare(b.name)),
  );
  void queryClient.invalidateQueries({ queryKey: firewallKeys.feeds, exact: true });
}

/** POST /api/v1/firewall/feeds: the server fetches it at once. */
export function useCreateFeed() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: FeedInput) => api.post<Feed>("/api/v1/firewall/feeds", body),
    onSuccess: (feed) => storeFeed(queryClient, feed),
  });
}

/** PUT /api/v1/firewall/feeds/{name}: any field but the name; enabling and disabling too. */
export function useUpdateFeed() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ name, change }: { name: string; change: FeedChange }) => api.put<Feed>(feedPath(name), change),
    onSuccess: (feed) => storeFeed(queryClient, feed),
  });
}

/** DELETE: refused with 409 naming the policies that use the feed. */
export function useDeleteFeed() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (name: string) => api.delete(feedPath(name)),
    onSuccess: (_, name) => {
      queryClient.setQueryData<Feed[]>(firewallKeys.feeds, (list) => list?.filter((item) => item.name !== name));
      void queryClient.invalidateQueries({ queryKey: firewallKeys.feeds, exact: true });
    },
  });
}

/** POST .../refresh: the server fetches the feed while the request waits (up to some 20 s). Keyed
 * by feed, so that a row shows its fetch running even when it was started before it mounted. */
export function useRefreshFeed(name: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationKey: firewallKeys.feedRefresh(name),
    mutationFn: () => api.post<FeedRefresh>(`${feedPath(name)}/refresh`),
    onSuccess: (outcome) => storeFeed(queryClient, outcome.feed),
  });
}

/** Agent ids with their host names and the groups in use, for pickers; empty without agents:read
 * (the pickers then take typed ids). */
export function useAgentChoices() {
  const canRead = useCan("agents:read");
  const agents = useQuery({ queryKey: agentKeys.list, queryFn: () => fetchAllAgents(), enabled: canRead });
  return useMemo(() => {
    const list = agents.data ?? [];
    const groups = [...new Set(list.map((agent) => agent.group).filter((g): g is string => !!g))].sort();
    const names = new Map(list.map((agent) => [agent.id, agent.hostname]));
    return { agents: list, groups, names };
  }, [agents.data]);
}
