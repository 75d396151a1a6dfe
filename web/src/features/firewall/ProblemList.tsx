import { lineOf } from "./jsonText";
import { codeLabel, placeOf } from "./problems";
import type { Problem } from "./types";

/** Problems as a list: the severity in words and colour, the message, and where in the text. */
export function ProblemList({
  problems,
  lines,
  label,
}: {
  problems: readonly Problem[];
  /** The validated text's lines by JSON path, to name the line of each problem. */
  lines?: ReadonlyMap<string, number> | undefined;
  label: string;
}) {
  if (problems.length === 0) return null;
  return (
    <ul aria-label={label} className="flex flex-col gap-1">
      {problems.map((problem, index) => (
        <ProblemItem key={`${problem.code}-${problem.path ?? ""}-${index}`} problem={problem} lines={lines} />
      ))}
    </ul>
  );
}

function ProblemItem({ problem, lines }: { problem: Problem; lines: ReadonlyMap<string, number> | undefined }) {
  const error = problem.severity === "error";
  const line = lines ? lineOf(lines, problem.path) : null;
  const place = placeOf(problem);
  // Below a rule the field is enough (the rule is beside it); elsewhere the whole path.
  const field = place.kind === "rule" ? place.field : problem.path;
  const where = [field, line ? `line ${line}` : ""].filter(Boolean).join(", ");
  const about = [problem.code ? codeLabel(problem.code) : "", where].filter(Boolean).join(" · ");
  return (
    <li
      className={`rounded-md border-l-4 px-3 py-1.5 text-sm ${
        error ? "border-bad bg-bad/10 text-ink" : "border-warn bg-warn/10 text-ink"
      }`}
    >
      <span className={`text-xs font-semibold ${error ? "text-bad" : "text-warn"}`}>{error ? "Error" : "Warning"}</span>{" "}
      <span>{problem.message}</span>{" "}
      {about && <span className="text-xs text-muted">({about})</span>}
    </li>
  );
}
