import { describe, expect, it } from "vitest";
import { filterRules, problemLines, reloadMessage, sortFiles } from "./filterRules";
import type { RuleInfo } from "./types";

const rule = (title: string, overrides: Partial<RuleInfo> = {}): RuleInfo => ({
  id: title.toLowerCase().replace(/\W+/g, "-"),
  title,
  description: "",
  kind: "sigma",
  severity: "medium",
  tags: [],
  file: "builtin:ssh.yml",
  ...overrides,
});

describe("filterRules", () => {
  const rules = [
    rule("Sudo to root", { severity: "low", file: "builtin:accounts.yml" }),
    rule("SSH brute force from one address", { severity: "high", kind: "correlation", tags: ["attack.t1110.001"] }),
    rule("Cron job created", { tags: ["attack.persistence"] }),
  ];

  it("sorts by severity, highest first", () => {
    expect(filterRules(rules, "").map((r) => r.severity)).toEqual(["high", "medium", "low"]);
  });

  it("finds rules by any word in any column, tags as written or as read", () => {
    expect(filterRules(rules, "brute SSH").map((r) => r.title)).toEqual(["SSH brute force from one address"]);
    expect(filterRules(rules, "t1110.001")).toHaveLength(1);
    expect(filterRules(rules, "Persistence").map((r) => r.title)).toEqual(["Cron job created"]);
    expect(filterRules(rules, "accounts.yml")).toHaveLength(1);
    expect(filterRules(rules, "correlation")).toHaveLength(1);
    expect(filterRules(rules, "nothing-like-this")).toEqual([]);
  });
});

describe("rule files", () => {
  it("reports problems as file:line:column reason", () => {
    const file = { file: "/etc/sentinel/rules/broken.yml", ok: false, rules: 0, errors: [
      { line: 7, column: 5, reason: "unknown modifier 'nonsense'" },
      { line: 0, column: 0, reason: "cannot read the file" },
    ] };
    expect(problemLines(file)).toEqual([
      "/etc/sentinel/rules/broken.yml:7:5 unknown modifier 'nonsense'",
      "/etc/sentinel/rules/broken.yml cannot read the file",
    ]);
  });

  it("lists files with problems first", () => {
    const files = sortFiles([
      { file: "a.yml", ok: true, rules: 3, errors: [] },
      { file: "b.yml", ok: false, rules: 0, errors: [{ line: 1, column: 1, reason: "x" }] },
    ]);
    expect(files.map((f) => f.file)).toEqual(["b.yml", "a.yml"]);
  });

  it("says what a reload did", () => {
    expect(reloadMessage(42, 0)).toBe("Rules reloaded: 42 rules loaded, no problems.");
    expect(reloadMessage(1, 2)).toBe("Rules reloaded: 1 rule loaded, 2 problems (see the list).");
  });
});
