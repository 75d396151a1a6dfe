import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "../../api/client";
import type { RulesStatus } from "./types";

export const rulesKey = ["rules"] as const;

/** The loaded rules and every rule file's problems. */
export function useRules() {
  return useQuery({
    queryKey: rulesKey,
    queryFn: () => api.get<RulesStatus>("/api/v1/rules"),
    // Rule directories are re-read on change by the server; opening the page shows the current set.
    staleTime: 0,
  });
}

/** Re-reads every rule file now; the answer replaces the cached status. */
export function useReloadRules() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => api.post<RulesStatus>("/api/v1/rules/reload"),
    onSuccess: (status) => queryClient.setQueryData(rulesKey, status),
  });
}
