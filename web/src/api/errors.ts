/** A failed API call in a form a person can read: never a stack trace or raw JSON. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** The input field at fault, when the server names one (shown next to that field). */
    readonly field?: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/** The server's error body: {"error": {"code", "message", "field"?}}. */
interface ErrorBody {
  error?: { code?: unknown; message?: unknown; field?: unknown };
}

/** Builds an ApiError from a response status and its (possibly non-JSON) body text. */
export function errorFromResponse(status: number, text: string): ApiError {
  let body: ErrorBody = {};
  try {
    body = JSON.parse(text) as ErrorBody;
  } catch {
    // A proxy's HTML page or an empty body: fall back to a plain message below.
  }
  const error = body.error ?? {};
  const code = typeof error.code === "string" ? error.code : `http_${status}`;
  const message =
    typeof error.message === "string" && error.message.length > 0 ? error.message : fallbackMessage(status);
  const field = typeof error.field === "string" && error.field.length > 0 ? error.field : undefined;
  return new ApiError(status, code, message, field);
}

function fallbackMessage(status: number): string {
  if (status === 401) return "Your session has ended. Please sign in again.";
  if (status === 403) return "You do not have permission to do that.";
  if (status === 404) return "Not found.";
  if (status === 429) return "Too many requests. Please wait a moment and try again.";
  if (status >= 500) return "The server had a problem. Please try again.";
  return `The request failed (${status}).`;
}

/** A message for any thrown value, for toasts and error states. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof TypeError) return "Cannot reach the server. Check your connection.";
  return "Something went wrong.";
}

/** The message for `field` when `error` concerns it, for showing next to that input. */
export function fieldError(error: unknown, field: string): string | undefined {
  return error instanceof ApiError && error.field === field ? error.message : undefined;
}
