import { errorFromResponse } from "./errors";
import type { DeletePath, GetPath, PatchPath, PostPath, PutPath } from "./operations";

/**
 * The one HTTP client of the portal. Same-origin requests with the session cookie; every
 * state-changing request carries the CSRF token the server gave at login (or in /auth/me).
 * Paths are typed from the server's OpenAPI document (operations.ts).
 */
let csrfToken = "";
const unauthorizedListeners = new Set<() => void>();
const sessionProbes = new Set(["/api/v1/auth/login", "/api/v1/auth/me"]);

/** Remembers the CSRF token for later state-changing requests. */
export function setCsrfToken(token: string): void {
  csrfToken = token;
}

/** Calls `listener` whenever a request answers 401 (the session ended); returns an unsubscribe. */
export function onUnauthorized(listener: () => void): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (method !== "GET" && csrfToken) headers["X-CSRF-Token"] = csrfToken;
  const response = await fetch(path, {
    method,
    headers,
    credentials: "same-origin",
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) {
    const error = errorFromResponse(response.status, text);
    // A failed login, or /auth/me before anyone signed in, is a 401 too, but not a session that ended.
    if (response.status === 401 && !sessionProbes.has(path)) {
      for (const listener of unauthorizedListeners) listener();
    }
    throw error;
  }
  return (text.length > 0 ? JSON.parse(text) : undefined) as T;
}

export const api = {
  get: <T>(path: GetPath) => request<T>("GET", path),
  post: <T>(path: PostPath, body?: unknown) => request<T>("POST", path, body ?? {}),
  patch: <T>(path: PatchPath, body: unknown) => request<T>("PATCH", path, body),
  put: <T>(path: PutPath, body: unknown) => request<T>("PUT", path, body),
  delete: <T = void>(path: DeletePath, body?: unknown) => request<T>("DELETE", path, body),
};

/** A query string from defined, non-empty values. */
export function query(params: Record<string, string | number | boolean | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== "") search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : "";
}
