/**
 * One problem of a refused definition (a firewall policy, a feed): `path` names the field or the
 * place inside a document ("refresh_s", "chains.input.rules[3].ports"). Firewall problems also
 * carry their severity, a code and the rule they concern.
 */
export interface ApiProblem {
  message: string;
  path?: string;
  severity?: "error" | "warning";
  code?: string;
  rule_id?: string;
  rule_index?: number;
}

/** A failed API call in a form a person can read: never a stack trace or raw JSON. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** The input field at fault, when the server names one (shown next to that field). */
    readonly field?: string,
    /** Every problem of a refused definition, when the server lists them; `message` sums them up. */
    readonly problems: readonly ApiProblem[] = [],
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/** The server's error body: {"error": {"code", "message", "field"?}, "problems"?: [...]}. */
interface ErrorBody {
  error?: { code?: unknown; message?: unknown; field?: unknown };
  problems?: unknown;
}

/** Builds an ApiError from a response status and its (possibly non-JSON) body text. */
export function errorFromResponse(status: number, text: string): ApiError {
  let body: ErrorBody = {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (isObject(parsed)) body = parsed as ErrorBody;
  } catch {
    // A proxy's HTML page or an empty body: fall back to a plain message below.
  }
  const error = isObject(body.error) ? body.error : {};
  const code = typeof error.code === "string" ? error.code : `http_${status}`;
  const message =
    typeof error.message === "string" && error.message.length > 0 ? error.message : fallbackMessage(status);
  const field = typeof error.field === "string" && error.field.length > 0 ? error.field : undefined;
  return new ApiError(status, code, message, field, readProblems(body.problems));
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The problems that read as problems (an object with a message); anything else is left out. */
function readProblems(value: unknown): ApiProblem[] {
  if (!Array.isArray(value)) return [];
  const problems: ApiProblem[] = [];
  for (const item of value) {
    if (!isObject(item) || typeof item.message !== "string" || item.message.length === 0) continue;
    const problem: ApiProblem = { message: item.message };
    if (typeof item.path === "string" && item.path.length > 0) problem.path = item.path;
    if (item.severity === "error" || item.severity === "warning") problem.severity = item.severity;
    if (typeof item.code === "string") problem.code = item.code;
    if (typeof item.rule_id === "string") problem.rule_id = item.rule_id;
    if (typeof item.rule_index === "number") problem.rule_index = item.rule_index;
    problems.push(problem);
  }
  return problems;
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

/** The problems of `error`, none for anything but an ApiError that lists them. */
export function problemsOf(error: unknown): readonly ApiProblem[] {
  return error instanceof ApiError ? error.problems : [];
}

/**
 * The message for `field` when `error` concerns it, for showing next to that input: every
 * problem at that field when the server listed them, else the error's own message.
 */
export function fieldError(error: unknown, field: string): string | undefined {
  if (!(error instanceof ApiError)) return undefined;
  if (error.problems.length > 0) {
    const messages = error.problems.filter((problem) => problem.path === field).map((problem) => problem.message);
    return messages.length > 0 ? messages.join("; ") : undefined;
  }
  return error.field === field ? error.message : undefined;
}

/** The problems of `error` that no input of `fields` shows: they are listed under the form's error. */
export function unplacedProblems(error: unknown, fields: readonly string[]): ApiProblem[] {
  return problemsOf(error).filter((problem) => !problem.path || !fields.includes(problem.path));
}

/**
 * Whether a form with inputs for `fields` needs a sentence for `error` beside them: not when its
 * one field, or each of its problems, is shown at an input.
 */
export function needsFormAlert(error: unknown, fields: readonly string[]): boolean {
  if (error === null || error === undefined) return false;
  if (!(error instanceof ApiError)) return true;
  if (error.problems.length > 0) return unplacedProblems(error, fields).length > 0;
  return !(error.field && fields.includes(error.field));
}

/**
 * The sentence above the list of problems that are not at an input: the server's message when it
 * has a single problem (the list then adds nothing), else a count that says where the others are.
 */
export function problemsHeadline(error: ApiError, fields: readonly string[]): string {
  const total = error.problems.length;
  if (total <= 1) return error.message;
  const placed = total - unplacedProblems(error, fields).length;
  const where = placed === 0 ? "" : ` (${placed} shown at ${placed === 1 ? "its field" : "their fields"})`;
  return `The server refused it: ${total} problems${where}.`;
}
