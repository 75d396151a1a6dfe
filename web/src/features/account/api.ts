import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "../../api/client";
import { meKey } from "../auth/session";
import type { PasswordChange, RecoveryCodesAnswer } from "./types";

export function useChangePassword() {
  return useMutation({ mutationFn: (change: PasswordChange) => api.put("/api/v1/auth/password", change) });
}

export function useRegenerateRecoveryCodes() {
  return useMutation({
    mutationFn: async (password: string) =>
      (await api.post<RecoveryCodesAnswer>("/api/v1/auth/totp/recovery-codes", { password })).recovery_codes,
  });
}

/** Turns the caller's own 2FA off; /auth/me then says so. */
export function useDisableTotp() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (password: string) => api.delete("/api/v1/auth/totp", { password }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: meKey }),
  });
}
