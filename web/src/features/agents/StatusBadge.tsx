import { Badge } from "../../components/Page";
import type { AgentStatus } from "./types";

const tones = { online: "ok", offline: "neutral", revoked: "bad" } as const;

/** An agent's status as a coloured word (the word carries it; the colour only helps). */
export function StatusBadge({ status }: { status: AgentStatus }) {
  return <Badge tone={tones[status] ?? "neutral"}>{status}</Badge>;
}
