import type { InfiniteData } from "@tanstack/react-query";
import { describe, expect, it } from "vitest";
import {
  detailPairs,
  emptyFilter,
  hasClientFilter,
  matchesClient,
  matchesServer,
  prependEntry,
  serverFilter,
} from "./filter";
import type { AuditEntry, AuditPage } from "./types";

const entry = (seq: number, overrides: Partial<AuditEntry> = {}): AuditEntry => ({
  seq,
  time: new Date(1_795_644_000_000 + seq * 1000).toISOString(),
  time_ms: 1_795_644_000_000 + seq * 1000,
  actor: "admin",
  action: "user.create",
  target: `user:${seq}`,
  source_address: "127.0.0.1",
  outcome: "success",
  details: { roles: ["viewer"] },
  ...overrides,
});

const data = (...pages: AuditEntry[][]): InfiniteData<AuditPage, number | undefined> => ({
  pages: pages.map((items) => ({ items, next_before: null })),
  pageParams: pages.map(() => undefined),
});

describe("server filters", () => {
  it("trims the typed values", () => {
    expect(serverFilter({ ...emptyFilter, actor: " admin ", action: "user. " })).toEqual({ actor: "admin", action: "user." });
  });

  it("match the actor exactly and the action by prefix, like the server", () => {
    expect(matchesServer(entry(1), { actor: "admin", action: "user." })).toBe(true);
    expect(matchesServer(entry(1), { actor: "adm", action: "" })).toBe(false);
    expect(matchesServer(entry(1), { actor: "", action: "auth." })).toBe(false);
    expect(matchesServer(entry(1), { actor: "", action: "" })).toBe(true);
  });
});

describe("matchesClient", () => {
  it("finds text in the target, the details and the source address, ignoring case", () => {
    expect(matchesClient(entry(7), { ...emptyFilter, text: "USER:7" })).toBe(true);
    expect(matchesClient(entry(7), { ...emptyFilter, text: "viewer" })).toBe(true);
    expect(matchesClient(entry(7, { source_address: "10.1.2.3" }), { ...emptyFilter, text: "10.1.2" })).toBe(true);
    expect(matchesClient(entry(7), { ...emptyFilter, text: "user:8" })).toBe(false);
    expect(matchesClient(entry(7, { details: "plain text" }), { ...emptyFilter, text: "plain" })).toBe(true);
  });

  it("keeps entries inside the time range, the end minute included", () => {
    const at = new Date(2026, 10, 25, 21, 30, 45).getTime();
    const e = entry(1, { time_ms: at });
    expect(matchesClient(e, { ...emptyFilter, from: "2026-11-25T21:30" })).toBe(true);
    expect(matchesClient(e, { ...emptyFilter, from: "2026-11-25T21:31" })).toBe(false);
    expect(matchesClient(e, { ...emptyFilter, to: "2026-11-25T21:30" })).toBe(true);
    expect(matchesClient(e, { ...emptyFilter, to: "2026-11-25T21:29" })).toBe(false);
  });

  it("ignores a time that is not one", () => {
    expect(matchesClient(entry(1), { ...emptyFilter, from: "nonsense" })).toBe(true);
    expect(hasClientFilter({ ...emptyFilter, from: "nonsense" })).toBe(false);
    expect(hasClientFilter({ ...emptyFilter, text: "x" })).toBe(true);
    expect(hasClientFilter({ ...emptyFilter, actor: "admin" })).toBe(false);
  });
});

describe("prependEntry", () => {
  it("puts a newer matching entry in front of the first page only", () => {
    const next = prependEntry(data([entry(5), entry(4)], [entry(3)]), entry(6), { actor: "", action: "" });
    expect(next.pages[0]?.items.map((e) => e.seq)).toEqual([6, 5, 4]);
    expect(next.pages[1]?.items.map((e) => e.seq)).toEqual([3]);
  });

  it("leaves the list alone when the server's filters would not list the entry", () => {
    const before = data([entry(5)]);
    expect(prependEntry(before, entry(6, { action: "auth.login" }), { actor: "", action: "user." })).toBe(before);
    expect(prependEntry(before, entry(6, { actor: "vera" }), { actor: "admin", action: "" })).toBe(before);
  });

  it("does not add an entry twice or an older one", () => {
    const before = data([entry(5)]);
    expect(prependEntry(before, entry(5), { actor: "", action: "" })).toBe(before);
    expect(prependEntry(before, entry(2), { actor: "", action: "" })).toBe(before);
  });

  it("fills an empty first page", () => {
    expect(prependEntry(data([]), entry(1), { actor: "", action: "" }).pages[0]?.items).toHaveLength(1);
  });
});

describe("detailPairs", () => {
  it("shows details as readable pairs", () => {
    expect(detailPairs({ roles: ["viewer", "analyst"], bootstrap: true, name: "x", nested: { a: 1 } })).toEqual([
      ["roles", "viewer, analyst"],
      ["bootstrap", "true"],
      ["name", "x"],
      ["nested", '{"a":1}'],
    ]);
    expect(detailPairs({ description: "", permissions: [] })).toEqual([]);
    expect(detailPairs("")).toEqual([]);
    expect(detailPairs("raw")).toEqual([["", "raw"]]);
  });
});
