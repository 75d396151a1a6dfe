// Bodies and answers of the signed-in user's own account routes.

/** PUT /api/v1/auth/password (204 on success; ends the user's other sessions). */
export interface PasswordChange {
  current_password: string;
  new_password: string;
}

/** POST /api/v1/auth/totp/recovery-codes: ten new codes; the old ones stop working. */
export interface RecoveryCodesAnswer {
  recovery_codes: string[];
}
