// A strict JSON reader for the policy editor. JSON.parse keeps the last of two equal keys and its
// messages name a character offset; the server refuses keys given twice, and a person wants the
// line. So this reads the text itself: every syntax error and repeated key with its line and
// column, and the line each value starts on, by the JSON path the server's problems use
// ("chains.input.rules[3].ports[0]"), so that a problem can name its line in the text.

export interface JsonSyntaxError {
  message: string;
  /** 1-based. */
  line: number;
  column: number;
}

export type JsonReading =
  | { ok: true; value: unknown; lines: ReadonlyMap<string, number> }
  | { ok: false; error: JsonSyntaxError };

/** Deeper than any policy needs; keeps a hostile paste from exhausting the stack. */
const maxDepth = 64;

const numberPattern = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

class SyntaxProblem extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

/** "chains.input" + "rules" → "chains.input.rules"; "" + "chains" → "chains". */
function member(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

/** A short, printable description of the character at `offset`. */
function describeAt(text: string, offset: number): string {
  if (offset >= text.length) return "the end of the text";
  const c = text[offset] ?? "";
  return c === "\n" ? "a line break" : `'${c}'`;
}

class Reader {
  private offset = 0;
  private line = 1;
  readonly lines = new Map<string, number>();

  constructor(private readonly text: string) {}

  document(): unknown {
    this.space();
    if (this.offset >= this.text.length) throw new SyntaxProblem("The document is empty.", 0);
    const value = this.value("", 0);
    this.space();
    if (this.offset < this.text.length) {
      throw new SyntaxProblem(`Unexpected ${describeAt(this.text, this.offset)} after the end of the document.`, this.offset);
    }
    return value;
  }

  private space(): void {
    while (this.offset < this.text.length) {
      const c = this.text[this.offset];
      if (c === "\n") this.line += 1;
      else if (c !== " " && c !== "\t" && c !== "\r") return;
      this.offset += 1;
    }
  }

  private value(path: string, depth: number): unknown {
    if (!this.lines.has(path)) this.lines.set(path, this.line);
    const c = this.text[this.offset];
    if (c === "{") return this.object(path, depth + 1);
    if (c === "[") return this.array(path, depth + 1);
    if (c === '"') return this.string();
    for (const [word, result] of [
      ["true", true],
      ["false", false],
      ["null", null],
    ] as const) {
      if (this.text.startsWith(word, this.offset)) {
        this.offset += word.length;
        return result;
      }
    }
    numberPattern.lastIndex = this.offset;
    const number = numberPattern.exec(this.text);
    if (number) {
      this.offset += number[0].length;
      return Number(number[0]);
    }
    throw new SyntaxProblem(`Expected a value, found ${describeAt(this.text, this.offset)}.`, this.offset);
  }

  private nest(depth: number): void {
    if (depth > maxDepth) throw new SyntaxProblem(`Nested more than ${maxDepth} levels deep.`, this.offset);
  }

  private object(path: string, depth: number): Record<string, unknown> {
    this.nest(depth);
    const result: Record<string, unknown> = {};
    const seen = new Set<string>();
    this.offset += 1;
    this.space();
    if (this.text[this.offset] === "}") {
      this.offset += 1;
      return result;
    }
    for (;;) {
      this.space();
      if (this.text[this.offset] !== '"') {
        throw new SyntaxProblem(`Expected a key in double quotes, found ${describeAt(this.text, this.offset)}.`, this.offset);
      }
      const keyOffset = this.offset;
      const keyLine = this.line;
      const key = this.string();
      if (seen.has(key)) {
        const where = path ? ` in ${path}` : "";
        throw new SyntaxProblem(`The key "${key}" is given twice${where}.`, keyOffset);
      }
      seen.add(key);
      this.space();
      if (this.text[this.offset] !== ":") {
        throw new SyntaxProblem(`Expected ':' after the key "${key}", found ${describeAt(this.text, this.offset)}.`, this.offset);
      }
      this.offset += 1;
      this.space();
      const childPath = member(path, key);
      this.lines.set(childPath, keyLine);
      Object.defineProperty(result, key, {
        value: this.value(childPath, depth),
        enumerable: true,
        writable: true,
        configurable: true,
      });
      this.space();
      const next = this.text[this.offset];
      this.offset += 1;
      if (next === "}") return result;
      if (next !== ",") {
        const found = describeAt(this.text, this.offset - 1);
        throw new SyntaxProblem(`Expected ',' or '}' after the value of "${key}", found ${found}.`, this.offset - 1);
      }
    }
  }

  private array(path: string, depth: number): unknown[] {
    this.nest(depth);
    const result: unknown[] = [];
    this.offset += 1;
    this.space();
    if (this.text[this.offset] === "]") {
      this.offset += 1;
      return result;
    }
    for (;;) {
      this.space();
      result.push(this.value(`${path}[${result.length}]`, depth));
      this.space();
      const next = this.text[this.offset];
      this.offset += 1;
      if (next === "]") return result;
      if (next !== ",") {
        const found = describeAt(this.text, this.offset - 1);
        throw new SyntaxProblem(`Expected ',' or ']' in a list, found ${found}.`, this.offset - 1);
      }
    }
  }

  private string(): string {
    const start = this.offset;
    this.offset += 1;
    for (;;) {
      if (this.offset >= this.text.length) throw new SyntaxProblem("A string is not closed.", start);
      const c = this.text.charCodeAt(this.offset);
      if (c === 0x22) break;
      if (c < 0x20) throw new SyntaxProblem("A string holds a line break or control character; write it as \\n.", this.offset);
      if (c === 0x5c) {
        const escape = this.text[this.offset + 1] ?? "";
        if (escape === "u") {
          if (!/^[0-9a-fA-F]{4}$/.test(this.text.slice(this.offset + 2, this.offset + 6))) {
            throw new SyntaxProblem("\\u must be followed by four hex digits.", this.offset);
          }
          this.offset += 6;
          continue;
        }
        if (!'"\\/bfnrt'.includes(escape) || escape === "") {
          throw new SyntaxProblem(`Unknown escape \\${escape} in a string.`, this.offset);
        }
        this.offset += 2;
        continue;
      }
      this.offset += 1;
    }
    this.offset += 1;
    return JSON.parse(this.text.slice(start, this.offset)) as string;
  }
}

/** The 1-based line and column of `offset` in `text`. */
export function position(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  const column = offset - before.lastIndexOf("\n");
  return { line, column };
}

/** Reads `text` as one JSON value, strictly (no repeated keys). */
export function readJson(text: string): JsonReading {
  const reader = new Reader(text);
  try {
    const value = reader.document();
    return { ok: true, value, lines: reader.lines };
  } catch (error) {
    if (!(error instanceof SyntaxProblem)) throw error;
    return { ok: false, error: { message: error.message, ...position(text, error.offset) } };
  }
}

/** The path one step up: "a.b[2].c" → "a.b[2]" → "a.b" → "a" → "". */
export function parentPath(path: string): string {
  if (path.endsWith("]")) return path.slice(0, path.lastIndexOf("["));
  const dot = path.lastIndexOf(".");
  return dot < 0 ? "" : path.slice(0, dot);
}

/** The line of `path` or, when the text does not have it (a single value where the server speaks
 * of a list entry), of its nearest ancestor that it has; null for the whole document. */
export function lineOf(lines: ReadonlyMap<string, number>, path: string | undefined): number | null {
  let current = path ?? "";
  while (current) {
    const line = lines.get(current);
    if (line !== undefined) return line;
    current = parentPath(current);
  }
  return null;
}
