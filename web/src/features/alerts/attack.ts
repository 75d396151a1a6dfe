/** A rule tag as a person reads it, with its MITRE ATT&CK page when it names one. */
export interface TagChip {
  label: string;
  /** https://attack.mitre.org/... for ATT&CK techniques, tactics, groups and software. */
  url?: string;
  /** What the label is, for the chip's title ("ATT&CK technique T1110.001"). */
  description: string;
}

// Enterprise tactics by their Sigma tag names; ATT&CK pages are by id.
const tactics: Record<string, [string, string]> = {
  reconnaissance: ["TA0043", "Reconnaissance"],
  resource_development: ["TA0042", "Resource development"],
  initial_access: ["TA0001", "Initial access"],
  execution: ["TA0002", "Execution"],
  persistence: ["TA0003", "Persistence"],
  privilege_escalation: ["TA0004", "Privilege escalation"],
  defense_evasion: ["TA0005", "Defense evasion"],
  defence_evasion: ["TA0005", "Defense evasion"],
  credential_access: ["TA0006", "Credential access"],
  discovery: ["TA0007", "Discovery"],
  lateral_movement: ["TA0008", "Lateral movement"],
  collection: ["TA0009", "Collection"],
  command_and_control: ["TA0011", "Command and control"],
  exfiltration: ["TA0010", "Exfiltration"],
  impact: ["TA0040", "Impact"],
};

const base = "https://attack.mitre.org";

/**
 * Reads a Sigma tag: "attack.t1110" → T1110 (techniques/T1110/), "attack.t1110.001" → T1110.001
 * (techniques/T1110/001/), "attack.credential_access" → the tactic, "attack.g0016" → group,
 * "attack.s0154" → software. Anything else ("cve.2021-44228", "car.2016-04-005") stays as written,
 * without a link.
 */
export function parseTag(tag: string): TagChip {
  const text = tag.trim();
  const lower = text.toLowerCase();
  if (!lower.startsWith("attack.")) return { label: text, description: `Tag ${text}` };
  const name = lower.slice("attack.".length);
  const technique = /^t(\d{4})(?:\.(\d{3}))?$/.exec(name);
  if (technique) {
    const [, id, sub] = technique;
    const label = sub ? `T${id}.${sub}` : `T${id}`;
    return {
      label,
      url: sub ? `${base}/techniques/T${id}/${sub}/` : `${base}/techniques/T${id}/`,
      description: `ATT&CK technique ${label}`,
    };
  }
  const tactic = tactics[name];
  if (tactic) {
    return { label: tactic[1], url: `${base}/tactics/${tactic[0]}/`, description: `ATT&CK tactic ${tactic[0]}` };
  }
  const group = /^g(\d{4})$/.exec(name);
  if (group) return { label: `G${group[1]}`, url: `${base}/groups/G${group[1]}/`, description: `ATT&CK group G${group[1]}` };
  const software = /^s(\d{4})$/.exec(name);
  if (software) {
    return { label: `S${software[1]}`, url: `${base}/software/S${software[1]}/`, description: `ATT&CK software S${software[1]}` };
  }
  return { label: text, description: `Tag ${text}` };
}

/** Tags in reading order: tactics first, then techniques by id, then the rest as given. */
export function tagChips(tags: readonly string[]): TagChip[] {
  const chips = tags.map(parseTag);
  const rank = (chip: TagChip) =>
    chip.url?.includes("/tactics/") ? 0 : chip.url?.includes("/techniques/") ? 1 : chip.url ? 2 : 3;
  return chips
    .map((chip, index) => ({ chip, index }))
    .sort((a, b) => rank(a.chip) - rank(b.chip) || (rank(a.chip) === 1 ? a.chip.label.localeCompare(b.chip.label) : 0) || a.index - b.index)
    .map(({ chip }) => chip);
}
