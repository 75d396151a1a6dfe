// Answers of GET /api/v1/rules and POST /api/v1/rules/reload (src/detect/rule_routes.cpp).
import type { Severity } from "../alerts/types";

/** A loaded rule. */
export interface RuleInfo {
  id: string;
  title: string;
  description: string;
  kind: "sigma" | "correlation";
  severity: Severity;
  tags: string[];
  /** The file it came from ("builtin:ssh.yml" for the compiled-in pack, else a path). */
  file: string;
}

/** One problem the loader found: 1-based line and column. */
export interface RuleProblem {
  line: number;
  column: number;
  reason: string;
}

/** A rule file: how many rules it gave and what was wrong with the rest. */
export interface RuleFile {
  file: string;
  ok: boolean;
  rules: number;
  errors: RuleProblem[];
}

export interface RulesStatus {
  rules: RuleInfo[];
  files: RuleFile[];
  /** Problems over every file. */
  problems: number;
  /** When the set was loaded, ISO 8601. */
  loaded: string | number;
}
