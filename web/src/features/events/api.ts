// Query keys and hooks of the events feature, and the agent look-ups that the host filter (also
// on the alerts page) and the host column need.

import { keepPreviousData, useQueries, useQuery } from "@tanstack/react-query";
import { api } from "../../api/client";
import type { AgentPage } from "../agents/types";
import type { HostChoice } from "./hosts";
import { searchQueryString, type EventSearch } from "./search";
import type { EventPage } from "./types";

export const eventKeys = {
  searches: ["events", "search"] as const,
  search: (search: EventSearch, anchorMs: number, limit: number) =>
    ["events", "search", search, anchorMs, limit] as const,
  hosts: (text: string) => ["events", "host-suggestions", text] as const,
  agent: (id: string) => ["events", "agent", id] as const,
};

/** One page of search results. The key holds the moment the search ran, so paging keeps the
 * window and a new search (or "show new events") moves it. */
export function useEventSearch(search: EventSearch, anchorMs: number, limit: number) {
  return useQuery({
    queryKey: eventKeys.search(search, anchorMs, limit),
    queryFn: () => api.get<EventPage>(`/api/v1/events?${searchQueryString(search, anchorMs, limit)}`),
    placeholderData: keepPreviousData,
  });
}

/** Up to 20 agents whose hostname or id contains `text`, for the host filter's suggestions. */
export function useHostSuggestions(text: string, enabled: boolean) {
  return useQuery({
    queryKey: eventKeys.hosts(text),
    queryFn: async () => {
      const params = new URLSearchParams({ limit: "20" });
      if (text.trim()) params.set("q", text.trim());
      const page = await api.get<AgentPage>(`/api/v1/agents?${params.toString()}`);
      return page.items.map((agent): HostChoice => ({ id: agent.id, hostname: agent.hostname }));
    },
    enabled,
    placeholderData: keepPreviousData,
  });
}

/** The agent with exactly this id, asked through the list (a missing agent answers an empty
 * page, not a 404 that the browser would log as an error). */
async function agentById(id: string): Promise<HostChoice | null> {
  const params = new URLSearchParams({ q: id, limit: "20" });
  const page = await api.get<AgentPage>(`/api/v1/agents?${params.toString()}`);
  const agent = page.items.find((item) => item.id === id);
  return agent ? { id: agent.id, hostname: agent.hostname } : null;
}

/**
 * Hostnames of the agents behind `ids`; ids of agents that are gone (or not loaded yet) map to
 * nothing. Without agents:read nothing is asked.
 */
export function useHostnames(ids: readonly string[], enabled: boolean): Map<string, string> {
  const unique = [...new Set(ids.filter(Boolean))];
  return useQueries({
    queries: unique.map((id) => ({
      queryKey: eventKeys.agent(id),
      queryFn: () => agentById(id),
      enabled,
      staleTime: 5 * 60_000,
    })),
    combine: (results) => {
      const names = new Map<string, string>();
      for (const result of results) {
        if (result.data) names.set(result.data.id, result.data.hostname);
      }
      return names;
    },
  });
}
