import { useEffect, useRef, useState } from "react";
import { useSearchParams } from "react-router";
import { noFilters, seenFilters, type AgentFilters, type AgentSort, type SortKey } from "./filterAgents";

const sortKeys: readonly SortKey[] = ["hostname", "status", "os", "agent_version", "group", "labels", "last_seen"];
const defaultSort: AgentSort = { key: "hostname", descending: false };
/** The URL follows typing after a pause, so that each key press does not navigate. */
const URL_DELAY_MS = 300;

function read(params: URLSearchParams): { filters: AgentFilters; sort: AgentSort } {
  const status = params.get("status");
  const seen = params.get("seen");
  const sort = params.get("sort") ?? "";
  const key = sort.replace(/^-/, "") as SortKey;
  return {
    filters: {
      status: status === "online" || status === "offline" || status === "revoked" ? status : "",
      os: params.get("os") ?? "",
      version: params.get("version") ?? "",
      group: params.get("group") ?? "",
      label: params.get("label") ?? "",
      seen: seenFilters.find((choice) => choice.value === seen)?.value ?? "any",
      search: params.get("q") ?? "",
    },
    sort: sortKeys.includes(key) ? { key, descending: sort.startsWith("-") } : defaultSort,
  };
}

function write(filters: AgentFilters, sort: AgentSort): URLSearchParams {
  const params = new URLSearchParams();
  const set = (name: string, value: string, none: string) => value !== none && params.set(name, value);
  set("q", filters.search, noFilters.search);
  set("status", filters.status, noFilters.status);
  set("os", filters.os, noFilters.os);
  set("version", filters.version, noFilters.version);
  set("group", filters.group, noFilters.group);
  set("label", filters.label, noFilters.label);
  set("seen", filters.seen, noFilters.seen);
  set("sort", `${sort.descending ? "-" : ""}${sort.key}`, "hostname");
  return params;
}

/**
 * The agent list's filters and sort, kept in the URL (?q=web&status=online&sort=-last_seen) so
 * that a link or the back button from an agent brings the same view back. State changes at once;
 * the URL follows shortly after.
 */
export function useAgentFilters() {
  const [params, setParams] = useSearchParams();
  const [state, setState] = useState(() => read(params));
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);

  useEffect(() => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(() => {
      timer.current = null;
      const next = write(state.filters, state.sort);
      if (next.toString() !== new URLSearchParams(window.location.search).toString()) {
        setParams(next, { replace: true });
      }
    }, URL_DELAY_MS);
    return () => {
      if (timer.current) clearTimeout(timer.current);
    };
  }, [state, setParams]);

  return {
    filters: state.filters,
    sort: state.sort,
    setFilters: (change: Partial<AgentFilters>) =>
      setState((current) => ({ ...current, filters: { ...current.filters, ...change } })),
    setSort: (sort: AgentSort) => setState((current) => ({ ...current, sort })),
    clearFilters: () => setState((current) => ({ ...current, filters: noFilters })),
  };
}
