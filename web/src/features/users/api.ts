import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "../../api/client";
import { useStream } from "../../app/stream";
import type {
  ApiToken,
  CreatedToken,
  Items,
  NewUser,
  Role,
  RoleInput,
  Session,
  UserChanges,
  UserRecord,
} from "./types";

/** Query keys of this feature; the settings page reads `roles` too. */
export const usersKey = ["users"] as const;
export const rolesKey = ["roles"] as const;
export const tokensKey = ["tokens"] as const;
export const sessionsKey = ["sessions"] as const;

export function useUsers(enabled = true) {
  return useQuery({
    queryKey: usersKey,
    queryFn: async () => (await api.get<Items<UserRecord>>("/api/v1/users")).items,
    enabled,
  });
}

export function useRoles(enabled = true) {
  return useQuery({
    queryKey: rolesKey,
    queryFn: async () => (await api.get<Items<Role>>("/api/v1/roles")).items,
    enabled,
  });
}

/** The caller's own tokens; revoked ones are left out (deleting a token revokes it). */
export function useTokens() {
  return useQuery({
    queryKey: tokensKey,
    queryFn: async () => (await api.get<Items<ApiToken>>("/api/v1/tokens")).items.filter((t) => !t.revoked),
  });
}

/** The caller's live sessions, or everyone's (`all`, needs sessions:admin). */
export function useSessions(all: boolean) {
  return useQuery({
    queryKey: [...sessionsKey, { all }],
    queryFn: async () => (await api.get<Items<Session>>(all ? "/api/v1/sessions?all=true" : "/api/v1/sessions")).items,
  });
}

/** A mutation that refreshes `keys` once it succeeded. */
function useChange<Input, Output>(fn: (input: Input) => Promise<Output>, keys: readonly (readonly unknown[])[]) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSuccess: () => Promise.all(keys.map((queryKey) => queryClient.invalidateQueries({ queryKey }))),
  });
}

const userPath = (id: number) => `/api/v1/users/${id}` as const;
const rolePath = (name: string) => `/api/v1/roles/${encodeURIComponent(name)}` as const;

export const useCreateUser = () => useChange((user: NewUser) => api.post<UserRecord>("/api/v1/users", user), [usersKey]);
export const useUpdateUser = () =>
  useChange(
    ({ id, changes }: { id: number; changes: UserChanges }) => api.patch<UserRecord>(userPath(id), changes),
    [usersKey, sessionsKey],
  );
export const useDeleteUser = () => useChange((id: number) => api.delete(userPath(id)), [usersKey, sessionsKey]);
export const useUnlockUser = () => useChange((id: number) => api.post(`${userPath(id)}/unlock`), [usersKey]);
export const useResetTotp = () => useChange((id: number) => api.post(`${userPath(id)}/totp/reset`), [usersKey]);

export const useCreateRole = () => useChange((role: RoleInput) => api.post<Role>("/api/v1/roles", role), [rolesKey]);
export const useUpdateRole = () =>
  useChange(
    ({ name, description, permissions }: RoleInput) => api.patch<Role>(rolePath(name), { description, permissions }),
    [rolesKey],
  );
export const useDeleteRole = () => useChange((name: string) => api.delete(rolePath(name)), [rolesKey]);

export const useCreateToken = () =>
  useChange(
    (input: { name: string; expires_in_days?: number }) => api.post<CreatedToken>("/api/v1/tokens", input),
    [tokensKey],
  );
export const useDeleteToken = () => useChange((id: number) => api.delete(`/api/v1/tokens/${id}`), [tokensKey]);
export const useRevokeSession = () => useChange((id: number) => api.delete(`/api/v1/sessions/${id}`), [sessionsKey]);

/** Which lists an audited action may have changed, by its prefix. */
const affected: [prefix: string, key: readonly unknown[]][] = [
  ["user.", usersKey],
  ["totp.", usersKey],
  ["role.", rolesKey],
  ["token.", tokensKey],
  ["auth.", sessionsKey],
  ["session.", sessionsKey],
  ["user.", sessionsKey],
];

/** Keeps the lists fresh while another administrator works: every change the server makes is
 * audited, and audit entries arrive on the stream (for callers with audit:read). */
export function useAdminLiveUpdates(): void {
  const queryClient = useQueryClient();
  useStream("audit", (message) => {
    const action = (message.entry as { action?: unknown } | undefined)?.action;
    if (typeof action !== "string") return;
    for (const [prefix, queryKey] of affected) {
      if (action.startsWith(prefix)) void queryClient.invalidateQueries({ queryKey });
    }
  });
}
