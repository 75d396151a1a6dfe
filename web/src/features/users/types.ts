// Answers of /api/v1/users, /roles, /tokens and /sessions, as the server sends them (checked
// against a running server). Times are epoch milliseconds.

/** A user as GET /api/v1/users lists it. */
export interface UserRecord {
  id: number;
  username: string;
  display_name: string;
  roles: string[];
  disabled: boolean;
  totp_enabled: boolean;
  created_at: number;
  updated_at: number;
}

/** A role; built-in roles (admin, analyst, viewer) cannot be changed or deleted. */
export interface Role {
  name: string;
  description: string;
  permissions: string[];
  builtin: boolean;
}

/** An API token; the secret itself is only in the answer to its creation. */
export interface ApiToken {
  id: number;
  user_id: number;
  username: string;
  name: string;
  permissions: string[];
  created_at: number;
  expires_at: number | null;
  last_used_at: number | null;
  revoked: boolean;
}

/** POST /api/v1/tokens answers the token's record and, once, its secret. */
export interface CreatedToken extends ApiToken {
  token: string;
}

/** A live login session. */
export interface Session {
  id: number;
  user_id: number;
  username: string;
  created_at: number;
  last_seen_at: number;
  expires_at: number;
  source_address: string;
  user_agent: string;
  /** The session of the request that listed it. */
  current: boolean;
}

/** The list routes wrap their rows in `items`. */
export interface Items<T> {
  items: T[];
}

export interface NewUser {
  username: string;
  display_name: string;
  password: string;
  roles: string[];
}

/** PATCH /api/v1/users/{id}: only the fields that changed. */
export interface UserChanges {
  display_name?: string;
  roles?: string[];
  disabled?: boolean;
  password?: string;
}

export interface RoleInput {
  name: string;
  description: string;
  permissions: string[];
}
