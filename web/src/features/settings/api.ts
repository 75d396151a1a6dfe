import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "../../api/client";
import { useStream } from "../../app/stream";
import { meKey } from "../auth/session";
import type { AuthSettings, Certificates } from "./types";

export const settingsKeys = {
  auth: ["settings", "auth"] as const,
  certificates: ["settings", "certificates"] as const,
};

export function useCertificates() {
  return useQuery({
    queryKey: settingsKeys.certificates,
    queryFn: () => api.get<Certificates>("/api/v1/settings/certificates"),
  });
}

export function useAuthSettings() {
  return useQuery({
    queryKey: settingsKeys.auth,
    queryFn: () => api.get<AuthSettings>("/api/v1/settings/auth"),
  });
}

/** Saves the roles that require 2FA. The caller may be one of them: their own session then has to
 * enrol first, which /auth/me tells the layout. */
export function useSaveTwoFactorPolicy(onSaved: () => void) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (roles: string[]) => api.patch<AuthSettings>("/api/v1/settings/auth", { require_2fa_roles: roles }),
    onSuccess: (saved) => {
      onSaved();
      queryClient.setQueryData(settingsKeys.auth, saved);
      return queryClient.invalidateQueries({ queryKey: meKey });
    },
  });
}

/** Another administrator's change arrives as an audit entry "settings.update". */
export function useLiveSettings(): void {
  const queryClient = useQueryClient();
  useStream("audit", (message) => {
    const action = (message.entry as { action?: unknown } | undefined)?.action;
    if (action === "settings.update") void queryClient.invalidateQueries({ queryKey: settingsKeys.auth });
  });
}
