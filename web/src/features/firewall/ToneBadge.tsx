import { Badge } from "../../components/Page";
import type { Tone } from "./status";

/** A badge in one of the feature's tones. */
export function ToneBadge({ tone, children }: { tone: Tone; children: string }) {
  return <Badge tone={tone}>{children}</Badge>;
}
