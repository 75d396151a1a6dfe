import { describe, expect, it } from "vitest";
import { lineOf, parentPath, readJson } from "./jsonText";

describe("reading the editor's JSON", () => {
  it("reads a document and the line of every value by its JSON path", () => {
    const text = [
      "{",
      '  "chains": {',
      '    "input": {"policy": "drop", "rules": [',
      '      {"id": "ssh", "ports": 22},',
      '      {"id": "web",',
      '       "ports": [80, 443]}',
      "    ]}",
      "  }",
      "}",
    ].join("\n");
    const reading = readJson(text);
    expect(reading.ok).toBe(true);
    if (!reading.ok) return;
    expect(reading.value).toEqual({
      chains: { input: { policy: "drop", rules: [{ id: "ssh", ports: 22 }, { id: "web", ports: [80, 443] }] } },
    });
    expect(reading.lines.get("chains")).toBe(2);
    expect(reading.lines.get("chains.input.rules[0]")).toBe(4);
    expect(reading.lines.get("chains.input.rules[1]")).toBe(5);
    expect(reading.lines.get("chains.input.rules[1].ports")).toBe(6);
    expect(reading.lines.get("chains.input.rules[1].ports[1]")).toBe(6);
  });

  it("refuses a key given twice, naming it, its object and its line", () => {
    const reading = readJson('{\n  "chains": {\n    "input": {},\n    "input": {}\n  }\n}');
    expect(reading).toEqual({
      ok: false,
      error: { message: 'The key "input" is given twice in chains.', line: 4, column: 5 },
    });
  });

  it("names the line and column of a syntax error", () => {
    const missingComma = readJson('{\n  "a": 1\n  "b": 2\n}');
    expect(missingComma.ok).toBe(false);
    if (missingComma.ok) return;
    expect(missingComma.error).toEqual({
      message: "Expected ',' or '}' after the value of \"a\", found '\"'.",
      line: 3,
      column: 3,
    });
    const trailing = readJson('{"a": [1, 2,]}');
    expect(!trailing.ok && trailing.error.message).toBe("Expected a value, found ']'.");
    const unclosed = readJson('{"a": "text');
    expect(!unclosed.ok && unclosed.error.message).toBe("A string is not closed.");
    const extra = readJson("{} {}");
    expect(!extra.ok && extra.error).toEqual({
      message: "Unexpected '{' after the end of the document.",
      line: 1,
      column: 4,
    });
    expect(readJson("   ").ok).toBe(false);
  });

  it("reads strings, numbers and literals as JSON does, and refuses what JSON refuses", () => {
    const reading = readJson('{"s": "a\\"b\\u00e9\\n", "n": -1.5e2, "t": true, "f": false, "z": null}');
    expect(reading.ok && reading.value).toEqual({ s: 'a"bé\n', n: -150, t: true, f: false, z: null });
    expect(readJson('{"n": 01}').ok).toBe(false);
    expect(readJson("{'a': 1}").ok).toBe(false);
    expect(readJson('{"a": "x\\q"}').ok).toBe(false);
    expect(readJson('{"a": "line\nbreak"}').ok).toBe(false);
  });

  it("keeps a key named __proto__ as data", () => {
    const reading = readJson('{"__proto__": {"polluted": true}}');
    expect(reading.ok).toBe(true);
    if (!reading.ok) return;
    expect(Object.keys(reading.value as object)).toEqual(["__proto__"]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("refuses nesting deeper than any policy needs instead of overflowing", () => {
    const deep = `${"[".repeat(100_000)}${"]".repeat(100_000)}`;
    const reading = readJson(deep);
    expect(!reading.ok && reading.error.message).toBe("Nested more than 64 levels deep.");
  });
});

describe("the line of a problem's path", () => {
  it("walks up to the nearest path the text has", () => {
    expect(parentPath("chains.input.rules[3].ports[0]")).toBe("chains.input.rules[3].ports");
    expect(parentPath("chains.input.rules[3]")).toBe("chains.input.rules");
    expect(parentPath("chains")).toBe("");
    const lines = new Map([
      ["chains", 2],
      ["chains.input.rules[0]", 4],
      ["chains.input.rules[0].ports", 5],
    ]);
    // "ports": 22 is one value where the server speaks of ports[0].
    expect(lineOf(lines, "chains.input.rules[0].ports[0]")).toBe(5);
    expect(lineOf(lines, "chains.input.rules[0].source")).toBe(4);
    expect(lineOf(lines, "objects.address_sets.bad")).toBeNull();
    expect(lineOf(lines, undefined)).toBeNull();
  });
});
