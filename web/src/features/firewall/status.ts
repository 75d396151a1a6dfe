// The status page's pure parts: an agent's applied state in words, and what a "firewall" stream
// message is about ({"type":"firewall","action":..., "agent_id", "state"} for agent state,
// {"type":"firewall","action":"block"|"unblock","block"} for blocks,
// {"type":"firewall","action":"policy.update"|...|"assignments.set","policy_id","version"} for
// policies; src/firewall/README.md).

import type { StreamMessage } from "../../api/stream";
import type { AgentFirewallStatus, ApplyOutcome } from "./types";

export type Tone = "ok" | "warn" | "bad" | "neutral";

/** The one-word state of an agent's firewall, worst first. */
export function syncState(row: AgentFirewallStatus): { label: string; tone: Tone } {
  if (!row.effective) return { label: "No policy assigned", tone: "neutral" };
  if (row.in_sync) return { label: "In sync", tone: "ok" };
  if (row.version !== null && !row.confirmed) return { label: "Unconfirmed", tone: "warn" };
  return { label: "Out of sync", tone: "bad" };
}

/** "v3", or "—" when there is none. */
export function versionText(version: number | null | undefined): string {
  return version === null || version === undefined ? "—" : `v${version}`;
}

/** "v4 abandoned, back to v3" or "v4 abandoned, table removed"; null when none happened. */
export function rollbackText(row: AgentFirewallStatus): string | null {
  if (!row.rolled_back_at) return null;
  const abandoned = versionText(row.rolled_back_version);
  return row.restored_version === null
    ? `${abandoned} abandoned, table removed`
    : `${abandoned} abandoned, back to ${versionText(row.restored_version)}`;
}

/** "3 times, last: ruleset_changed"; null when the agent never drifted. */
export function driftText(row: AgentFirewallStatus): string | null {
  if (row.drift_count === 0) return null;
  const times = row.drift_count === 1 ? "once" : `${row.drift_count.toLocaleString("en-US")} times`;
  return row.last_drift_kind ? `${times}, last: ${row.last_drift_kind.replaceAll("_", " ")}` : times;
}

const outcomeTones: Record<ApplyOutcome, Tone> = {
  confirmed: "ok",
  unconfirmed: "warn",
  pending: "warn",
  failed: "bad",
  refused: "bad",
  offline: "neutral",
  no_policy: "neutral",
};

/** An apply outcome as words and a tone: "no_policy" → "No policy". */
export function outcomeLabel(outcome: string): { label: string; tone: Tone } {
  const text = outcome.replaceAll("_", " ");
  return { label: text.charAt(0).toUpperCase() + text.slice(1), tone: outcomeTones[outcome as ApplyOutcome] ?? "neutral" };
}

export type FirewallChange =
  | { kind: "state"; agentId: string }
  | { kind: "block"; blockId: number }
  | { kind: "policy"; policyId: number }
  | null;

const policyActions = new Set(["policy.create", "policy.update", "policy.rollback", "policy.delete", "assignments.set"]);

/** What a "firewall" stream message changed; null for anything unreadable. */
export function readFirewallMessage(message: StreamMessage): FirewallChange {
  if (message.type !== "firewall") return null;
  const block = message.block as { id?: unknown } | undefined;
  if ((message.action === "block" || message.action === "unblock") && typeof block?.id === "number") {
    return { kind: "block", blockId: block.id };
  }
  if (typeof message.action === "string" && policyActions.has(message.action) && typeof message.policy_id === "number") {
    return { kind: "policy", policyId: message.policy_id };
  }
  if (typeof message.agent_id === "string" && message.agent_id) return { kind: "state", agentId: message.agent_id };
  return null;
}
