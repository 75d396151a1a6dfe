import { describe, expect, it } from "vitest";
import {
  entryVerdict,
  planScopeCheck,
  readScopeCheck,
  sameTargets,
  splitTargets,
  summaryLines,
  type ScopeCheckPlan,
} from "./scope";
import type { ScopeCheckItem } from "./types";

const scope = "127.0.0.0/8";

/** The server's answer for one target, inside the scope unless told otherwise. */
const item = (target: string, overrides: Partial<ScopeCheckItem> = {}): ScopeCheckItem => ({
  target,
  parses: true,
  error: null,
  addresses: 1,
  in_scope: true,
  scopes: [scope],
  outside: [],
  ...overrides,
});

const bad = (target: string, error: string) =>
  item(target, { parses: false, error, addresses: 0, in_scope: false, scopes: [] });

const out = (target: string, addresses: number, outside: string[], scopes: string[] = []) =>
  item(target, { addresses, in_scope: false, scopes, outside });

const planOf = (text: string): ScopeCheckPlan => planScopeCheck(splitTargets(text));

describe("splitting the targets input", () => {
  it("splits on commas and whitespace, as the server does", () => {
    expect(splitTargets(" 127.0.0.1,\n10.0.0.0/24 ,, !10.0.0.1\tdb.lab ")).toEqual([
      "127.0.0.1",
      "10.0.0.0/24",
      "!10.0.0.1",
      "db.lab",
    ]);
    expect(splitTargets(" ,\n")).toEqual([]);
  });
});

describe("what the dialog asks the server", () => {
  it("asks about a single entry alone: its answer is the whole list's", () => {
    expect(planOf("127.0.0.1")).toEqual({ entries: ["127.0.0.1"], targets: ["127.0.0.1"], list: "127.0.0.1" });
  });

  it("asks about each entry, exclusions without their '!', then the whole list as one target", () => {
    expect(planOf("127.68.0.0/24, db.lab\n!127.68.0.9")).toEqual({
      entries: ["127.68.0.0/24", "db.lab", "!127.68.0.9"],
      targets: ["127.68.0.0/24", "db.lab", "127.68.0.9", "127.68.0.0/24 db.lab !127.68.0.9"],
      list: "127.68.0.0/24 db.lab !127.68.0.9",
    });
    // Alone, an exclusion is a list with nothing in it: the server says so of the whole list.
    expect(planOf("!127.0.0.1")).toMatchObject({ targets: ["127.0.0.1", "!127.0.0.1"], list: "!127.0.0.1" });
    // A bare '!' goes as typed, for the server to say what is wrong with it.
    expect(planOf("127.0.0.1 !").targets).toEqual(["127.0.0.1", "!", "127.0.0.1 !"]);
  });

  it("leaves the whole list out when it is longer than one target may be (256 characters)", () => {
    const loopback = Array.from({ length: 24 }, () => "127.0.0.1"); // 24 × 9 + 23 spaces = 239
    const fits = planScopeCheck([...loopback, "127.100.100.1-99"]);
    expect(fits.list).toHaveLength(256);
    expect(fits.targets).toHaveLength(26);
    const long = [...loopback, "127.100.100.1-199"];
    expect(planScopeCheck(long)).toEqual({ entries: long, targets: long, list: null });
  });

  it("asks nothing of an empty list", () => {
    expect(planOf("")).toEqual({ entries: [], targets: [], list: null });
  });

  it("tells plans apart by what they ask", () => {
    expect(sameTargets(planOf("127.0.0.1, 127.0.0.2").targets, planOf(" 127.0.0.1\n127.0.0.2 ").targets)).toBe(true);
    expect(sameTargets(planOf("127.0.0.1").targets, planOf("127.0.0.12").targets)).toBe(false);
  });
});

describe("reading the server's answers", () => {
  it("counts the whole list as the server does, exclusions taken off", () => {
    const plan = planOf("127.68.0.0/24 127.68.0.0/25 !127.68.0.9");
    const check = readScopeCheck(plan, [
      item("127.68.0.0/24", { addresses: 256 }),
      item("127.68.0.0/25", { addresses: 128 }),
      item("127.68.0.9"),
      item("127.68.0.0/24 127.68.0.0/25 !127.68.0.9", { addresses: 255 }),
    ]);
    expect(check.complete).toBe(true);
    expect(check.addresses).toEqual({ count: 255, exact: true });
    expect(check.entries.map(({ state }) => state.kind)).toEqual(["inside", "inside", "excluded"]);
    expect(summaryLines(check, true)).toEqual([{ tone: "ok", text: "All 255 addresses are inside the scan scopes." }]);
  });

  it("names what lies outside every scope: the whole list's ranges, and each entry's in its row", () => {
    const plan = planOf("127.0.0.1 10.0.0.5-40");
    const check = readScopeCheck(plan, [
      item("127.0.0.1"),
      out("10.0.0.5-40", 36, ["10.0.0.5-10.0.0.40"]),
      out("127.0.0.1 10.0.0.5-40", 37, ["10.0.0.5-10.0.0.40"], [scope]),
    ]);
    expect(check.outside).toEqual(["10.0.0.5-10.0.0.40"]);
    expect(summaryLines(check, true)).toEqual([
      { tone: "bad", text: "Outside the scan scopes: 10.0.0.5-10.0.0.40. The server will refuse this scan." },
    ]);
    expect(entryVerdict(check.entries[1]!.state, false)).toEqual({ tone: "bad", text: "outside: 10.0.0.5-10.0.0.40" });
    expect(entryVerdict(check.entries[0]!.state, false)).toEqual({ tone: "ok", text: `in ${scope}` });
    const straddling = readScopeCheck(planOf("127.255.255.255-128.0.0.1"), [
      out("127.255.255.255-128.0.0.1", 2, ["128.0.0.1"], [scope]),
    ]);
    expect(entryVerdict(straddling.entries[0]!.state, false)).toEqual({
      tone: "bad",
      text: `outside: 128.0.0.1; the rest in ${scope}`,
    });
  });

  it("shows each entry's error in its row and counts the bad entries", () => {
    const plan = planOf("127.0.0.1 bad/99 nosuch.lab");
    const check = readScopeCheck(plan, [
      item("127.0.0.1"),
      bad("bad/99", "target 'bad/99': prefix length '99' is not a number from 0 to 32"),
      bad("nosuch.lab", "target 'nosuch.lab': the name does not resolve"),
      bad("127.0.0.1 bad/99 nosuch.lab", "2 invalid targets: …"),
    ]);
    expect(check.invalid).toBe(2);
    expect(check.addresses).toBeNull();
    expect(check.listError).toBeNull();
    expect(entryVerdict(check.entries[1]!.state, false)).toEqual({
      tone: "bad",
      text: "target 'bad/99': prefix length '99' is not a number from 0 to 32",
    });
    expect(summaryLines(check, true)).toEqual([
      { tone: "bad", text: "2 entries are not valid targets; the server will refuse this scan." },
    ]);
  });

  it("says what the server refuses in a list whose entries all parse", () => {
    const plan = planOf("127.0.0.1 !127.0.0.1");
    const check = readScopeCheck(plan, [
      item("127.0.0.1"),
      bad("127.0.0.1 !127.0.0.1", "the exclusions remove every target"),
    ]);
    expect(check.entries.map(({ state }) => state.kind)).toEqual(["inside", "excluded"]);
    expect(check.listError).toBe("the exclusions remove every target");
    expect(summaryLines(check, true)).toEqual([
      { tone: "bad", text: "The list as a whole: the exclusions remove every target." },
    ]);
  });

  it("answers only the entries whose text it was asked about, so a reply to older text never misleads", () => {
    const older = [
      item("127.0.0.1"),
      out("10.0.0.1", 1, ["10.0.0.1"]),
      out("127.0.0.1 10.0.0.1", 2, ["10.0.0.1"], [scope]),
    ];
    const check = readScopeCheck(planOf("127.0.0.1 10.0.0.12"), older);
    expect(check.entries.map(({ state }) => state.kind)).toEqual(["inside", "checking"]);
    expect(check.complete).toBe(false);
    expect(check.addresses).toBeNull();
    expect(check.outside).toEqual([]);
    expect(summaryLines(check, true)).toEqual([]);
    expect(entryVerdict(check.entries[1]!.state, false).text).toBe("checking…");
    expect(entryVerdict(check.entries[1]!.state, true).text).toBe("not checked");
    expect(readScopeCheck(planOf("127.0.0.1"), undefined).entries[0]!.state).toEqual({ kind: "checking" });
  });

  it("adds up the entries of a list too long to send whole, and says the sum is at most", () => {
    const entries = Array.from({ length: 30 }, (_, i) => `127.1.${i}.0/24`);
    const plan = planScopeCheck(entries);
    expect(plan.list).toBeNull();
    const check = readScopeCheck(plan, entries.map((entry) => item(entry, { addresses: 256 })));
    expect(check.addresses).toEqual({ count: 7680, exact: false });
    const [line] = summaryLines(check, true);
    expect(line?.text).toMatch(/^Every entry is inside the scan scopes: at most 7,680 addresses in all /);

    // The first entry lies wholly, then partly, outside: the entry is named, with its ranges when they differ.
    const firstOutside = (first: ScopeCheckItem) => entries.map((entry, i) => (i === 0 ? first : item(entry)));
    const outside = readScopeCheck(plan, firstOutside(out("127.1.0.0/24", 256, ["127.1.0.0/24"])));
    expect(outside.outside).toEqual(["127.1.0.0/24"]);
    const partly = readScopeCheck(plan, firstOutside(out("127.1.0.0/24", 256, ["127.1.0.0/25"], [scope])));
    expect(partly.outside).toEqual(["127.1.0.0/24 (127.1.0.0/25)"]);
  });

  it("says one address in the singular, and that no scopes mean no scans", () => {
    const check = readScopeCheck(planOf("127.0.0.1"), [item("127.0.0.1")]);
    expect(summaryLines(check, true)).toEqual([{ tone: "ok", text: "All 1 address is inside the scan scopes." }]);
    const none = readScopeCheck(planOf("127.0.0.1"), [out("127.0.0.1", 1, ["127.0.0.1"])]);
    expect(summaryLines(none, false)).toEqual([
      { tone: "bad", text: "No scan scopes are configured, so the server refuses every scan." },
    ]);
  });
});
