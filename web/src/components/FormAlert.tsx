import type { ReactNode } from "react";
import { ApiError, describeError, needsFormAlert, problemsHeadline, unplacedProblems } from "../api/errors";

/**
 * A failed request's message as a sentence, unless it belongs next to one of `fields`. When the
 * server listed several problems, those that no field shows are listed under it, each with its
 * path; `listProblems` false leaves them to a view that places them itself (the policy's rules).
 */
export function FormAlert({
  error,
  fields = [],
  listProblems = true,
}: {
  error: unknown;
  fields?: readonly string[];
  listProblems?: boolean;
}) {
  if (!listProblems) {
    // Only the error's own field can be beside an input; the problems are shown elsewhere.
    if (error === null || error === undefined) return null;
    if (error instanceof ApiError && error.field && fields.includes(error.field)) return null;
    return <Alert>{describeError(error)}</Alert>;
  }
  if (!needsFormAlert(error, fields)) return null;
  if (!(error instanceof ApiError) || error.problems.length <= 1) return <Alert>{describeError(error)}</Alert>;
  const listed = unplacedProblems(error, fields);
  return (
    <Alert>
      <span className="block">{problemsHeadline(error, fields)}</span>
      <ul aria-label="Problems" className="mt-1 list-disc pl-5">
        {listed.map((problem, index) => (
          <li key={`${problem.path ?? ""}-${index}`}>
            {problem.path && <span className="font-mono text-xs">{problem.path}: </span>}
            {problem.message}
          </li>
        ))}
      </ul>
    </Alert>
  );
}

function Alert({ children }: { children: ReactNode }) {
  return (
    <div role="alert" className="rounded-md bg-bad/10 px-3 py-2 text-sm text-bad">
      {children}
    </div>
  );
}
