import { describe, expect, it } from "vitest";
import { driftText, outcomeLabel, readFirewallMessage, rollbackText, syncState, versionText } from "./status";
import { firewallStatus } from "./testStatus";
import type { AgentFirewallStatus } from "./types";

const row = (overrides: Partial<AgentFirewallStatus>): AgentFirewallStatus => firewallStatus("a-1", overrides);

describe("an agent's firewall state in words", () => {
  it("says whether it holds its effective policy", () => {
    expect(syncState(row({}))).toEqual({ label: "In sync", tone: "ok" });
    expect(syncState(row({ in_sync: false, confirmed: false, version: 4 }))).toEqual({ label: "Unconfirmed", tone: "warn" });
    expect(syncState(row({ in_sync: false }))).toEqual({ label: "Out of sync", tone: "bad" });
    expect(syncState(row({ effective: null, in_sync: false }))).toEqual({ label: "No policy assigned", tone: "neutral" });
  });

  it("describes versions, drift and rollbacks", () => {
    expect(versionText(3)).toBe("v3");
    expect(versionText(null)).toBe("—");
    expect(driftText(row({}))).toBeNull();
    expect(driftText(row({ drift_count: 1, last_drift_kind: "changed_rules" }))).toBe("once, last: changed rules");
    expect(driftText(row({ drift_count: 1200 }))).toBe("1,200 times");
    expect(rollbackText(row({}))).toBeNull();
    expect(rollbackText(row({ rolled_back_at: "t", rolled_back_version: 4, restored_version: 3 }))).toBe(
      "v4 abandoned, back to v3",
    );
    expect(rollbackText(row({ rolled_back_at: "t", rolled_back_version: 1, restored_version: null }))).toBe(
      "v1 abandoned, table removed",
    );
  });

  it("names apply outcomes", () => {
    expect(outcomeLabel("confirmed")).toEqual({ label: "Confirmed", tone: "ok" });
    expect(outcomeLabel("no_policy")).toEqual({ label: "No policy", tone: "neutral" });
    expect(outcomeLabel("refused")).toEqual({ label: "Refused", tone: "bad" });
    expect(outcomeLabel("something_new")).toEqual({ label: "Something new", tone: "neutral" });
  });
});

describe("firewall stream messages", () => {
  it("tell agent state changes from block changes", () => {
    expect(readFirewallMessage({ type: "firewall", action: "applied", agent_id: "a-1", state: {} })).toEqual({
      kind: "state",
      agentId: "a-1",
    });
    expect(readFirewallMessage({ type: "firewall", action: "block", block: { id: 7 } })).toEqual({ kind: "block", blockId: 7 });
    expect(readFirewallMessage({ type: "firewall", action: "unblock", block: { id: 7 } })).toEqual({ kind: "block", blockId: 7 });
    expect(readFirewallMessage({ type: "firewall", action: "block" })).toBeNull();
    expect(readFirewallMessage({ type: "scan", agent_id: "a-1" })).toBeNull();
  });
  it("tell policy changes by their policy", () => {
    for (const action of ["policy.create", "policy.update", "policy.rollback", "policy.delete", "assignments.set"]) {
      expect(readFirewallMessage({ type: "firewall", action, policy_id: 4, version: null })).toEqual({ kind: "policy", policyId: 4 });
    }
    expect(readFirewallMessage({ type: "firewall", action: "policy.update", policy_id: "4" })).toBeNull();
    expect(readFirewallMessage({ type: "firewall", action: "policy.renamed", policy_id: 4 })).toBeNull();
  });
});
