import type { StreamMessage } from "../../api/stream";
import type { Agent, AgentAction } from "./types";

const actions: readonly AgentAction[] = ["enrolled", "connected", "disconnected", "updated", "revoked", "deleted"];

/** A stream message of type "agent", checked: the action and the agent it carries. */
export interface AgentChange {
  action: AgentAction;
  agent: Agent;
}

/** Reads an "agent" stream message; null when it is not one this portal understands. */
export function readAgentMessage(message: StreamMessage): AgentChange | null {
  const action = message.action;
  const agent = message.agent as Partial<Agent> | null | undefined;
  if (typeof action !== "string" || !actions.includes(action as AgentAction)) return null;
  if (!agent || typeof agent !== "object" || typeof agent.id !== "string") return null;
  return { action: action as AgentAction, agent: agent as Agent };
}

/**
 * The cached agent list after `changes`, in order: an enrolled agent is added at the end, a deleted
 * one removed, any other action replaces the agent with the message's copy. An action for an agent
 * the list does not have yet (connected before the list loaded it, say) adds it: the message holds
 * the whole agent. Returns a new array (the cache is never mutated), or `agents` when nothing
 * changes. One pass with an index, so that a burst of messages (every agent reconnecting after a
 * server restart) costs one copy of the list, not one per message.
 */
export function applyAgentChanges(agents: readonly Agent[], changes: readonly AgentChange[]): readonly Agent[] {
  if (changes.length === 0) return agents;
  const next: (Agent | undefined)[] = agents.slice();
  const index = new Map<string, number>();
  next.forEach((agent, at) => agent && index.set(agent.id, at));
  let removed = false;
  let changed = false;
  for (const { action, agent } of changes) {
    const at = index.get(agent.id);
    if (action === "deleted") {
      if (at === undefined) continue;
      next[at] = undefined;
      index.delete(agent.id);
      removed = changed = true;
    } else if (at === undefined) {
      index.set(agent.id, next.length);
      next.push(agent);
      changed = true;
    } else {
      next[at] = agent;
      changed = true;
    }
  }
  if (!changed) return agents;
  return removed ? next.filter((agent): agent is Agent => agent !== undefined) : (next as Agent[]);
}
