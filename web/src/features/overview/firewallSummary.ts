// The firewall panel's pure parts: active blocks as of the viewer's clock, and the fleet's policy
// state as counts. What "active" and each state mean comes from the firewall feature.

import { visibleBlocks } from "../firewall/blocks";
import { syncState, type Tone } from "../firewall/status";
import type { AgentFirewallStatus, Block, BlockPage } from "../firewall/types";

/**
 * How many blocks are active at `now`, and the newest `shown` of them, from the first page of
 * active blocks (newest first). The page was active as of its answer; blocks that expired since
 * drop out without asking the server. Blocks beyond the page are counted as the server counted them.
 */
export function activeBlocks(page: BlockPage, now: number, shown: number): { count: number; newest: Block[] } {
  const active = visibleBlocks(page.items, "active", now);
  const beyond = Math.max(0, page.total - page.items.length);
  return { count: active.length + beyond, newest: active.slice(0, shown) };
}

/** Agents in one firewall state. */
export interface SyncCount {
  label: string;
  tone: Tone;
  count: number;
}

const worstFirst: Record<Tone, number> = { bad: 0, warn: 1, ok: 2, neutral: 3 };

/** Agents per firewall state (syncState's words), worst first; only states some agent is in. */
export function syncCounts(rows: readonly AgentFirewallStatus[]): SyncCount[] {
  const byLabel = new Map<string, SyncCount>();
  for (const row of rows) {
    const state = syncState(row);
    const entry = byLabel.get(state.label) ?? { ...state, count: 0 };
    entry.count += 1;
    byLabel.set(state.label, entry);
  }
  return [...byLabel.values()].sort((a, b) => worstFirst[a.tone] - worstFirst[b.tone]);
}
