// The blocks page's pure parts: the manual block and allow-list forms, and a block's scope,
// source, length and state in words.

import { isAddress, isNetwork } from "./addresses";
import { formatSeconds, maxBlockSeconds, parseDuration } from "./duration";
import type { Block, BlockScope, NewBlock } from "./types";

export interface BlockForm {
  address: string;
  duration: string;
  scope: BlockScope;
  agentId: string;
  group: string;
  reason: string;
}

export const emptyBlockForm: BlockForm = { address: "", duration: "1h", scope: "all", agentId: "", group: "", reason: "" };

/** A form problem, named with the server's field so it shows where the server's would. */
export interface FieldProblem {
  field: "address" | "duration_s" | "agent_id" | "group" | "reason" | "cidr";
  message: string;
}

/** The POST /api/v1/firewall/blocks body, or the first thing wrong with the form. */
export function blockBody(form: BlockForm): { body: NewBlock } | FieldProblem {
  const address = form.address.trim();
  if (!address) return { field: "address", message: "Enter the address to block." };
  if (address.includes("/")) {
    return { field: "address", message: "Blocks take one address, not a network." };
  }
  if (!isAddress(address)) {
    return { field: "address", message: `"${address}" is not an IPv4 or IPv6 address.` };
  }
  const seconds = parseDuration(form.duration);
  if (seconds === null) {
    return { field: "duration_s", message: "Write a duration such as 600, 90s, 10m, 2h or 7d." };
  }
  if (seconds < 1 || seconds > maxBlockSeconds) {
    return { field: "duration_s", message: "A block lasts from 1 second to 7 days." };
  }
  const body: NewBlock = { address, duration_s: seconds };
  if (form.scope === "agent") {
    const agentId = form.agentId.trim();
    if (!agentId) return { field: "agent_id", message: "Choose the agent that blocks it." };
    body.agent_id = agentId;
  } else if (form.scope === "group") {
    const group = form.group.trim();
    if (!group) return { field: "group", message: "Name the group whose agents block it." };
    body.group = group;
  }
  const reason = form.reason.trim();
  if (reason) body.reason = reason;
  return { body };
}

/** The POST /api/v1/firewall/allow-list body, or what is wrong with the network. */
export function allowListBody(cidr: string, comment: string): { body: { cidr: string; comment?: string } } | FieldProblem {
  const network = cidr.trim();
  if (!network) return { field: "cidr", message: "Enter an address or a network." };
  if (!isNetwork(network)) {
    return { field: "cidr", message: `"${network}" is not an address or a network such as 10.0.0.0/8.` };
  }
  const text = comment.trim();
  return { body: text ? { cidr: network, comment: text } : { cidr: network } };
}

/** Not lifted and not yet expired at `now`: listings say so as of their answer; time moves on. */
export function isActiveAt(block: Block, now: number): boolean {
  return block.removed_at === null && Date.parse(block.expires_at) > now;
}

/** "All agents", "Group web", "Agent 0f3c…". */
export function scopeText(block: Pick<Block, "scope" | "agent_id" | "group">): string {
  if (block.scope === "agent") return `Agent ${block.agent_id ?? ""}`.trim();
  if (block.scope === "group") return `Group ${block.group ?? ""}`.trim();
  return "All agents";
}

/** Who asked: a rule (active response) or a person. */
export function sourceOf(block: Pick<Block, "rule_id" | "requested_by">): { kind: "rule" | "manual"; text: string } {
  if (block.rule_id) return { kind: "rule", text: `Rule ${block.rule_id}` };
  return { kind: "manual", text: `Manual, by ${block.requested_by}` };
}

/** "10 min", or "20 min (2nd offence in 24 h, asked 10 min)" when escalation lengthened it. */
export function lengthText(block: Pick<Block, "duration_s" | "requested_duration_s" | "offence">): string {
  const length = formatSeconds(block.duration_s);
  if (block.duration_s === block.requested_duration_s) return length;
  return `${length} (offence ${block.offence} in 24 h, asked ${formatSeconds(block.requested_duration_s)})`;
}

/** How an inactive block ended: "lifted by admin", "superseded by block 7", "expired". */
export function endText(block: Pick<Block, "removed_at" | "removed_by">): string {
  if (block.removed_at === null) return "expired";
  const by = block.removed_by ?? "";
  if (!by) return "lifted";
  return /\s/.test(by) ? by : `lifted by ${by}`;
}

export type BlockFilter = "active" | "all";

/** The rows a filter shows at `now`: "active" drops blocks that expired since the answer. */
export function visibleBlocks(blocks: readonly Block[], filter: BlockFilter, now: number): Block[] {
  return filter === "active" ? blocks.filter((block) => isActiveAt(block, now)) : [...blocks];
}
