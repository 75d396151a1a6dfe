import { useQuery } from "@tanstack/react-query";
import { api, setCsrfToken } from "../../api/client";
import type { Permission } from "../../api/operations";
import type { UserRecord } from "../users/types";

/** The signed-in user as /auth/me and /auth/login describe it: the user plus what they may do. */
export interface User extends UserRecord {
  permissions: string[];
  totp_enrollment_required: boolean;
}

export interface Me {
  user: User;
  totp_enrollment_required: boolean;
  csrf_token?: string;
}

export const meKey = ["auth", "me"] as const;

/** Who is signed in; a 401 here means nobody (the login page takes over). */
export function useMe() {
  return useQuery({
    queryKey: meKey,
    queryFn: async () => {
      const me = await api.get<Me>("/api/v1/auth/me");
      if (me.csrf_token) setCsrfToken(me.csrf_token);
      return me;
    },
    retry: false,
    staleTime: 5 * 60_000,
  });
}

/** Whether the signed-in user holds `permission`. The server refuses regardless; this only
 * keeps actions a user cannot take out of their way. */
export function useCan(permission: Permission | "sessions:admin"): boolean {
  const { data } = useMe();
  return data?.user.permissions.includes(permission) ?? false;
}
