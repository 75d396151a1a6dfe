import { describe, expect, it } from "vitest";
import { chainsOf } from "./policyView";
import { ApiError } from "../../api/errors";
import { codeLabel, hasErrors, placeOf, placeProblems, problemSummary, refusalProblems } from "./problems";
import type { Problem } from "./types";

const problem = (overrides: Partial<Problem>): Problem => ({
  severity: "error",
  code: "out_of_range",
  message: "a port must be 1-65535, got 99999",
  ...overrides,
});

describe("where a problem belongs", () => {
  it("reads the rule, the field below it, a chain or the document from the path", () => {
    expect(placeOf(problem({ path: "chains.input.rules[3].ports[0]", rule_index: 3 }))).toEqual({
      kind: "rule",
      chain: "input",
      index: 3,
      field: "ports[0]",
    });
    expect(placeOf(problem({ path: "chains.forward.rules[12]" }))).toEqual({
      kind: "rule",
      chain: "forward",
      index: 12,
      field: "",
    });
    expect(placeOf(problem({ path: "chains.output.policy" }))).toEqual({ kind: "chain", chain: "output" });
    expect(placeOf(problem({ path: "objects.address_sets.bad.addresses[0]" }))).toEqual({ kind: "document" });
    expect(placeOf(problem({ path: "" }))).toEqual({ kind: "document" });
    expect(placeOf(problem({}))).toEqual({ kind: "document" });
  });

  it("puts each problem with its rule, chain or the document, errors first", () => {
    const rows = chainsOf({
      chains: {
        input: { policy: "drop", rules: [{ id: "ssh" }, { id: "web" }, { id: "web2" }] },
        output: { policy: "accept", rules: [{ id: "dns" }] },
      },
    }).flatMap((chain) => chain.rules);
    const shadowed = problem({ severity: "warning", code: "shadowed", path: "chains.input.rules[2]", rule_id: "web2" });
    const port = problem({ path: "chains.input.rules[2].ports", rule_id: "web2", rule_index: 2 });
    const unused = problem({ severity: "warning", code: "unused_object", path: "objects.port_sets.web" });
    const chain = problem({ code: "unknown_key", path: "chains.output.polcy" });
    // The cut-off check names the deciding rule by id only.
    const cutOff = problem({ code: "cut_off", path: "", rule_id: "dns" });
    const placed = placeProblems([shadowed, unused, port, chain, cutOff], rows);
    expect(placed.rules.get("input:2")).toEqual([port, shadowed]);
    expect(placed.rules.get("output:0")).toEqual([cutOff]);
    expect(placed.rules.has("input:0")).toBe(false);
    expect(placed.chains.get("output")).toEqual([chain]);
    expect(placed.document).toEqual([unused]);
  });

  it("leaves a problem naming an id two rules share with the document", () => {
    const rows = chainsOf({ chains: { input: { rules: [{ id: "dup" }, { id: "dup" }] } } }).flatMap((c) => c.rules);
    const placed = placeProblems([problem({ code: "duplicate_id", rule_id: "dup" })], rows);
    expect(placed.document).toHaveLength(1);
    expect(placed.rules.size).toBe(0);
  });
});

describe("problem summaries", () => {
  it("counts errors and warnings in words", () => {
    const error = problem({});
    const warning = problem({ severity: "warning" });
    expect(problemSummary([error, error, warning])).toBe("2 errors, 1 warning");
    expect(problemSummary([warning, warning])).toBe("2 warnings");
    expect(problemSummary([])).toBe("no problems");
    expect(hasErrors([warning])).toBe(false);
    expect(hasErrors([warning, error])).toBe(true);
    expect(codeLabel("may_cut_off")).toBe("may cut off");
  });
});

describe("the problems of a refused save", () => {
  it("become the editor's problems, placed at their rules", () => {
    const error = new ApiError(400, "invalid_policy", "the policy has 1 error", "document", [
      { severity: "error", code: "out_of_range", path: "chains.input.rules[1].ports", rule_id: "web", rule_index: 1, message: "bad port" },
      { severity: "warning", code: "shadowed", path: "chains.input.rules[2]", message: "never matches" },
      { message: "no severity given" },
    ]);
    const problems = refusalProblems(error);
    expect(problems).toEqual([
      { severity: "error", code: "out_of_range", path: "chains.input.rules[1].ports", rule_id: "web", rule_index: 1, message: "bad port" },
      { severity: "warning", code: "shadowed", path: "chains.input.rules[2]", message: "never matches" },
      { severity: "error", code: "", message: "no severity given" },
    ]);
    const placed = placeProblems(problems);
    expect(placed.rules.get("input:1")?.map((p) => p.message)).toEqual(["bad port"]);
    expect(placed.rules.get("input:2")?.map((p) => p.message)).toEqual(["never matches"]);
    expect(placed.document.map((p) => p.message)).toEqual(["no severity given"]);
  });

  it("are none for other failures", () => {
    expect(refusalProblems(new ApiError(409, "version_conflict", "stale"))).toEqual([]);
    expect(refusalProblems(new TypeError("offline"))).toEqual([]);
  });
});
