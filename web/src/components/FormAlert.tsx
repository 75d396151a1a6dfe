import { ApiError, describeError } from "../api/errors";

/** A failed request's message as a sentence, unless it belongs next to one of `fields`. */
export function FormAlert({ error, fields = [] }: { error: unknown; fields?: readonly string[] }) {
  if (error === null || error === undefined) return null;
  if (error instanceof ApiError && error.field && fields.includes(error.field)) return null;
  return (
    <p role="alert" className="rounded-md bg-bad/10 px-3 py-2 text-sm text-bad">
      {describeError(error)}
    </p>
  );
}
