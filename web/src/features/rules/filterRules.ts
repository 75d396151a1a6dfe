import { parseTag } from "../alerts/attack";
import { severityRank } from "../alerts/severity";
import type { RuleFile, RuleInfo } from "./types";

/**
 * The rules whose title, id, description, severity, kind, file or tags (as written or as
 * read, "T1110" or "Credential access") contain every word of `text`, ignoring case.
 * Sorted by severity (highest first), then title.
 */
export function filterRules(rules: readonly RuleInfo[], text: string): RuleInfo[] {
  const words = text.toLowerCase().split(/\s+/).filter(Boolean);
  const matching = rules.filter((rule) => {
    if (words.length === 0) return true;
    const haystack = [
      rule.title,
      rule.id,
      rule.description,
      rule.severity,
      rule.kind,
      rule.file,
      ...rule.tags,
      ...rule.tags.map((tag) => parseTag(tag).label),
    ]
      .join("\n")
      .toLowerCase();
    return words.every((word) => haystack.includes(word));
  });
  return matching.sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || a.title.localeCompare(b.title));
}

/** "rules/local/broken.yml:12:5 unknown modifier 'nonsense'": how compilers report, so it can be
 * searched for and pasted. */
export function problemLines(file: RuleFile): string[] {
  return file.errors.map((error) => {
    const where = error.line > 0 ? `:${error.line}${error.column > 0 ? `:${error.column}` : ""}` : "";
    return `${file.file}${where} ${error.reason}`;
  });
}

/** The files with problems first (most first), then the rest by name. */
export function sortFiles(files: readonly RuleFile[]): RuleFile[] {
  return [...files].sort((a, b) => b.errors.length - a.errors.length || a.file.localeCompare(b.file));
}

/** The toast after a reload: "42 rules loaded, no problems" / "40 rules loaded, 2 problems". */
export function reloadMessage(rules: number, problems: number): string {
  const loaded = `${rules.toLocaleString()} ${rules === 1 ? "rule" : "rules"} loaded`;
  if (problems === 0) return `Rules reloaded: ${loaded}, no problems.`;
  return `Rules reloaded: ${loaded}, ${problems.toLocaleString()} ${problems === 1 ? "problem" : "problems"} (see the list).`;
}
