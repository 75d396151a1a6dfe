// Where each problem of a policy belongs. The server names a rule's problems by JSON path
// ("chains.input.rules[3].ports[0]") and rule index; the editor shows each next to its rule,
// chain problems with the chain, and the rest (objects, the document) above the rules.

import { problemsOf } from "../../api/errors";
import { ruleKey, type RuleRow } from "./policyView";
import type { ChainName, Problem } from "./types";

const rulePath = /^chains\.(input|output|forward)\.rules\[(\d+)\](?:\.|$)?(.*)$/;
const chainPath = /^chains\.(input|output|forward)(?:\.|$)/;

/** A problem's place: a rule (chain and index), a chain, or the document. `field` is the rest of
 * the path below the rule ("ports[0]"), "" for the rule itself. */
export type ProblemPlace =
  | { kind: "rule"; chain: ChainName; index: number; field: string }
  | { kind: "chain"; chain: ChainName }
  | { kind: "document" };

export function placeOf(problem: Problem): ProblemPlace {
  const path = problem.path ?? "";
  const rule = rulePath.exec(path);
  if (rule) {
    return { kind: "rule", chain: rule[1] as ChainName, index: Number(rule[2]), field: rule[3] ?? "" };
  }
  const chain = chainPath.exec(path);
  if (chain) return { kind: "chain", chain: chain[1] as ChainName };
  return { kind: "document" };
}

/** Problems sorted into the places the editor shows them, errors before warnings in each. */
export interface PlacedProblems {
  /** By rule key ("input:3"). */
  rules: Map<string, Problem[]>;
  chains: Map<ChainName, Problem[]>;
  document: Problem[];
}

function add<K>(map: Map<K, Problem[]>, key: K, problem: Problem): void {
  const list = map.get(key);
  if (list) list.push(problem);
  else map.set(key, [problem]);
}

const bySeverity = (a: Problem, b: Problem) => (a.severity === b.severity ? 0 : a.severity === "error" ? -1 : 1);

/**
 * Places every problem. A problem that names a rule by id but not by path (the cut-off check
 * speaks of the rule that decides) goes to the row of that id when `rows` has exactly one.
 */
export function placeProblems(problems: readonly Problem[], rows: readonly RuleRow[] = []): PlacedProblems {
  const placed: PlacedProblems = { rules: new Map(), chains: new Map(), document: [] };
  for (const problem of problems) {
    const place = placeOf(problem);
    if (place.kind === "rule") {
      add(placed.rules, ruleKey(place.chain, place.index), problem);
      continue;
    }
    if (problem.rule_id) {
      const named = rows.filter((row) => row.id === problem.rule_id);
      const only = named.length === 1 ? named[0] : undefined;
      if (only) {
        add(placed.rules, only.key, problem);
        continue;
      }
    }
    if (place.kind === "chain") add(placed.chains, place.chain, problem);
    else placed.document.push(problem);
  }
  for (const list of placed.rules.values()) list.sort(bySeverity);
  for (const list of placed.chains.values()) list.sort(bySeverity);
  placed.document.sort(bySeverity);
  return placed;
}

/** "2 errors, 1 warning"; "no problems". */
export function problemSummary(problems: readonly Problem[]): string {
  const errors = problems.filter((p) => p.severity === "error").length;
  const warnings = problems.length - errors;
  const parts: string[] = [];
  if (errors > 0) parts.push(`${errors} ${errors === 1 ? "error" : "errors"}`);
  if (warnings > 0) parts.push(`${warnings} ${warnings === 1 ? "warning" : "warnings"}`);
  return parts.length > 0 ? parts.join(", ") : "no problems";
}

/** Whether any problem refuses the policy. */
export function hasErrors(problems: readonly Problem[]): boolean {
  return problems.some((p) => p.severity === "error");
}

/** "out_of_range" → "out of range". */
export function codeLabel(code: string): string {
  return code.replaceAll("_", " ");
}

/** The problems a refused save lists, as the editor places them; a problem without a severity is
 * an error (it refused the save). */
export function refusalProblems(error: unknown): Problem[] {
  return problemsOf(error).map((problem) => {
    const placed: Problem = { severity: problem.severity ?? "error", code: problem.code ?? "", message: problem.message };
    if (problem.path !== undefined) placed.path = problem.path;
    if (problem.rule_id !== undefined) placed.rule_id = problem.rule_id;
    if (problem.rule_index !== undefined) placed.rule_index = problem.rule_index;
    return placed;
  });
}
