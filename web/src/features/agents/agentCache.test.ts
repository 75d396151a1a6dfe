import { describe, expect, it } from "vitest";
import { applyAgentChanges, readAgentMessage, type AgentChange } from "./agentCache";
import type { Agent } from "./types";

function agent(id: string, fields: Partial<Agent> = {}): Agent {
  return {
    id,
    hostname: id,
    os: "",
    kernel: "",
    arch: "",
    agent_version: "0.1.0",
    group: null,
    labels: {},
    status: "offline",
    enrolled_at: "2026-11-25T10:00:00Z",
    first_seen: null,
    last_seen: null,
    address: null,
    revoked_at: null,
    certificate: null,
    ...fields,
  };
}

const list = [agent("agt_a"), agent("agt_b"), agent("agt_c")];

describe("readAgentMessage", () => {
  it("accepts the server's agent messages and nothing else", () => {
    const message = { type: "agent", action: "connected", agent: agent("agt_a", { status: "online" }) };
    expect(readAgentMessage(message)?.agent.status).toBe("online");
    expect(readAgentMessage({ type: "agent", action: "exploded", agent: agent("agt_a") })).toBeNull();
    expect(readAgentMessage({ type: "agent", action: "connected" })).toBeNull();
    expect(readAgentMessage({ type: "agent", action: "connected", agent: { hostname: "x" } })).toBeNull();
  });
});

const applyAgentChange = (agents: readonly Agent[], change: AgentChange) => applyAgentChanges(agents, [change]);

describe("applyAgentChanges", () => {
  it("adds an enrolled agent at the end", () => {
    const next = applyAgentChange(list, { action: "enrolled", agent: agent("agt_new") });
    expect(next.map((a) => a.id)).toEqual(["agt_a", "agt_b", "agt_c", "agt_new"]);
    expect(list).toHaveLength(3); // the cached array is not mutated
  });

  it("replaces the agent in place on connected, disconnected, updated and revoked", () => {
    for (const action of ["connected", "disconnected", "updated", "revoked"] as const) {
      const changed = agent("agt_b", { status: action === "connected" ? "online" : "offline", group: action });
      const next = applyAgentChange(list, { action, agent: changed });
      expect(next.map((a) => a.id)).toEqual(["agt_a", "agt_b", "agt_c"]);
      expect(next[1]).toBe(changed);
      expect(next[0]).toBe(list[0]);
      expect(list[1]?.group).toBeNull();
    }
  });

  it("removes a deleted agent, and ignores deleting one it does not have", () => {
    expect(applyAgentChange(list, { action: "deleted", agent: agent("agt_a") }).map((a) => a.id)).toEqual([
      "agt_b",
      "agt_c",
    ]);
    expect(applyAgentChange(list, { action: "deleted", agent: agent("agt_zzz") })).toBe(list);
  });

  it("adds an agent it did not know from any message (the message holds all of it)", () => {
    const next = applyAgentChange(list, { action: "connected", agent: agent("agt_d", { status: "online" }) });
    expect(next.map((a) => a.id)).toEqual(["agt_a", "agt_b", "agt_c", "agt_d"]);
  });

  it("applies a burst in order: enrolled, then updated, then deleted, in one copy", () => {
    const next = applyAgentChanges(list, [
      { action: "enrolled", agent: agent("agt_new") },
      { action: "updated", agent: agent("agt_new", { group: "web" }) },
      { action: "deleted", agent: agent("agt_a") },
      { action: "connected", agent: agent("agt_c", { status: "online" }) },
      { action: "deleted", agent: agent("agt_new") },
      { action: "enrolled", agent: agent("agt_new2") },
    ]);
    expect(next.map((a) => `${a.id}:${a.status}`)).toEqual(["agt_b:offline", "agt_c:online", "agt_new2:offline"]);
    expect(applyAgentChanges(list, [])).toBe(list);
  });
});
