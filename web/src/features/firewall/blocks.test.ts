import { describe, expect, it } from "vitest";
import { isAddress, isNetwork } from "./addresses";
import {
  allowListBody,
  blockBody,
  emptyBlockForm,
  endText,
  isActiveAt,
  lengthText,
  scopeText,
  sourceOf,
  visibleBlocks,
  type BlockForm,
} from "./blocks";
import type { Block } from "./types";

const form = (overrides: Partial<BlockForm>): BlockForm => ({ ...emptyBlockForm, address: "203.0.113.9", ...overrides });

const block = (overrides: Partial<Block>): Block => ({
  id: 1,
  address: "203.0.113.9",
  scope: "all",
  agent_id: null,
  group: null,
  reason: "",
  requested_by: "admin",
  rule_id: null,
  alert_id: null,
  offence: 1,
  requested_duration_s: 600,
  duration_s: 600,
  started_at: "2026-11-26T10:00:00.000Z",
  expires_at: "2026-11-26T10:10:00.000Z",
  active: true,
  remaining_s: 600,
  removed_at: null,
  removed_by: null,
  ...overrides,
});

describe("addresses", () => {
  it("tells one IPv4 or IPv6 address from anything else", () => {
    for (const ok of ["203.0.113.9", "0.0.0.0", "2001:db8::7", "::1", "::", "fe80::1:2:3:4", "::ffff:192.0.2.1", "1:2:3:4:5:6:7:8"]) {
      expect(isAddress(ok), ok).toBe(true);
    }
    for (const bad of ["256.1.1.1", "1.2.3", "01.2.3.4", "1.2.3.4.5", "2001:db8:::1", "1:2:3:4:5:6:7:8:9", "1::2::3", "g::1", "host.example", ""]) {
      expect(isAddress(bad), bad).toBe(false);
    }
  });

  it("accepts networks with a prefix in range for their family", () => {
    expect(isNetwork("10.0.0.0/8")).toBe(true);
    expect(isNetwork("2001:db8::/32")).toBe(true);
    expect(isNetwork("192.0.2.7")).toBe(true);
    expect(isNetwork("10.0.0.0/33")).toBe(false);
    expect(isNetwork("2001:db8::/129")).toBe(false);
    expect(isNetwork("10.0.0.0/")).toBe(false);
    expect(isNetwork("10.0.0.0/08")).toBe(false);
  });
});

describe("the manual block form", () => {
  it("makes the body for every agent, a group or one agent", () => {
    expect(blockBody(form({ duration: "10m", reason: "  brute force " }))).toEqual({
      body: { address: "203.0.113.9", duration_s: 600, reason: "brute force" },
    });
    expect(blockBody(form({ scope: "group", group: " web " }))).toEqual({
      body: { address: "203.0.113.9", duration_s: 3600, group: "web" },
    });
    expect(blockBody(form({ scope: "agent", agentId: "a-1", group: "ignored" }))).toEqual({
      body: { address: "203.0.113.9", duration_s: 3600, agent_id: "a-1" },
    });
  });

  it("names the field at fault with the server's field name", () => {
    expect(blockBody(form({ address: "" }))).toEqual({ field: "address", message: "Enter the address to block." });
    expect(blockBody(form({ address: "10.0.0.0/8" }))).toEqual({
      field: "address",
      message: "Blocks take one address, not a network.",
    });
    expect(blockBody(form({ address: "evil.example" }))).toMatchObject({ field: "address" });
    expect(blockBody(form({ duration: "soon" }))).toMatchObject({ field: "duration_s" });
    expect(blockBody(form({ duration: "8d" }))).toEqual({
      field: "duration_s",
      message: "A block lasts from 1 second to 7 days.",
    });
    expect(blockBody(form({ duration: "0" }))).toMatchObject({ field: "duration_s" });
    expect(blockBody(form({ scope: "agent" }))).toMatchObject({ field: "agent_id" });
    expect(blockBody(form({ scope: "group", group: " " }))).toMatchObject({ field: "group" });
  });

  it("checks allow-list networks", () => {
    expect(allowListBody(" 10.20.0.0/16 ", " office ")).toEqual({ body: { cidr: "10.20.0.0/16", comment: "office" } });
    expect(allowListBody("192.0.2.7", "")).toEqual({ body: { cidr: "192.0.2.7" } });
    expect(allowListBody("", "")).toMatchObject({ field: "cidr" });
    expect(allowListBody("10.0.0.0/40", "")).toMatchObject({ field: "cidr" });
  });
});

describe("a block in words", () => {
  const now = Date.parse("2026-11-26T10:05:00.000Z");

  it("is active until lifted or expired, whatever the answer said", () => {
    expect(isActiveAt(block({}), now)).toBe(true);
    expect(isActiveAt(block({ expires_at: "2026-11-26T10:04:59.000Z" }), now)).toBe(false);
    expect(isActiveAt(block({ removed_at: "2026-11-26T10:01:00.000Z", removed_by: "admin" }), now)).toBe(false);
    const rows = [block({ id: 1 }), block({ id: 2, expires_at: "2026-11-26T10:04:00.000Z" })];
    expect(visibleBlocks(rows, "active", now).map((b) => b.id)).toEqual([1]);
    expect(visibleBlocks(rows, "all", now).map((b) => b.id)).toEqual([1, 2]);
  });

  it("says its scope, source, length and end", () => {
    expect(scopeText(block({}))).toBe("All agents");
    expect(scopeText(block({ scope: "group", group: "web" }))).toBe("Group web");
    expect(scopeText(block({ scope: "agent", agent_id: "a-1" }))).toBe("Agent a-1");
    expect(sourceOf(block({}))).toEqual({ kind: "manual", text: "Manual, by admin" });
    expect(sourceOf(block({ rule_id: "ssh-brute", requested_by: "rule:ssh-brute" }))).toEqual({
      kind: "rule",
      text: "Rule ssh-brute",
    });
    expect(lengthText(block({}))).toBe("10 min");
    expect(lengthText(block({ offence: 2, duration_s: 1200 }))).toBe("20 min (offence 2 in 24 h, asked 10 min)");
    expect(endText(block({}))).toBe("expired");
    expect(endText(block({ removed_at: "x", removed_by: "admin" }))).toBe("lifted by admin");
    expect(endText(block({ removed_at: "x", removed_by: "superseded by block 7" }))).toBe("superseded by block 7");
  });
});
