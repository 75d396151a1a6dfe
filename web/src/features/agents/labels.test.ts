import { describe, expect, it } from "vitest";
import { formatLabels, labelPatch, parseLabels } from "./labels";

describe("parseLabels", () => {
  it("reads comma- or line-separated key=value pairs, trimming spaces", () => {
    expect(parseLabels("env=prod, team = web ,\nrack=r1,")).toEqual({ labels: { env: "prod", team: "web", rack: "r1" } });
    expect(parseLabels("")).toEqual({ labels: {} });
    expect(parseLabels("  ,, ")).toEqual({ labels: {} });
    expect(parseLabels("empty=")).toEqual({ labels: { empty: "" } });
    expect(parseLabels("url=https://x.example/?a=b")).toEqual({ labels: { url: "https://x.example/?a=b" } });
  });

  it("reads quoted values with commas, quotes and spaces", () => {
    expect(parseLabels('owner="Ops, Berlin", note="say \\"hi\\"", pad=" x "')).toEqual({
      labels: { owner: "Ops, Berlin", note: 'say "hi"', pad: " x " },
    });
  });

  it("says what is wrong with text it cannot read", () => {
    expect(parseLabels("env")).toEqual({ error: '"env" has no value: write key=value.' });
    expect(parseLabels("env=prod, team")).toEqual({ error: '"team" has no value: write key=value.' });
    expect(parseLabels("=prod")).toEqual({ error: "A label has no key: write key=value." });
    expect(parseLabels("a=1, a=2")).toEqual({ error: 'The label "a" is given twice.' });
    expect(parseLabels('a="open')).toEqual({ error: 'The value of "a" has no closing quote.' });
    expect(parseLabels('a="x" y, b=1')).toEqual({ error: 'Put a comma after the quoted value of "a".' });
  });
});

describe("formatLabels", () => {
  it("writes labels that parseLabels reads back unchanged", () => {
    const labels = { team: "ops", env: "prod", owner: "Ops, Berlin", note: 'a "b" \\ c', pad: " x", empty: "" };
    const text = formatLabels(labels);
    expect(text).toBe('empty=, env=prod, note="a \\"b\\" \\\\ c", owner="Ops, Berlin", pad=" x", team=ops');
    expect(parseLabels(text)).toEqual({ labels });
  });
});

describe("labelPatch", () => {
  it("sends changed and new labels, and null for removed ones", () => {
    expect(labelPatch({ env: "prod", team: "ops", old: "1" }, { env: "staging", team: "ops", rack: "r1" })).toEqual({
      env: "staging",
      rack: "r1",
      old: null,
    });
    expect(labelPatch({ env: "prod" }, { env: "prod" })).toEqual({});
  });
});
