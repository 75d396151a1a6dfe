/** An agent as the host filter needs it. */
export interface HostChoice {
  id: string;
  hostname: string;
}

/**
 * The agent id a host filter's text names: an agent's id as given, or the one agent whose
 * hostname it is (ignoring case). Text that names no single agent is passed on as it is, taken
 * by the server as an id (so an id pasted by someone without agents:read still works); "" means
 * every host.
 */
export function resolveHost(text: string, choices: readonly HostChoice[]): string {
  const wanted = text.trim();
  if (!wanted) return "";
  if (choices.some((choice) => choice.id === wanted)) return wanted;
  const named = new Set(
    choices.filter((choice) => choice.hostname.toLowerCase() === wanted.toLowerCase()).map((choice) => choice.id),
  );
  return named.size === 1 ? ([...named][0] ?? wanted) : wanted;
}

/** What the host input shows for an agent id: its hostname when known and unambiguous. */
export function hostText(agentId: string, choices: readonly HostChoice[]): string {
  const choice = choices.find((c) => c.id === agentId);
  if (!choice) return agentId;
  const sameName = new Set(
    choices.filter((c) => c.hostname.toLowerCase() === choice.hostname.toLowerCase()).map((c) => c.id),
  );
  return sameName.size === 1 ? choice.hostname : agentId;
}
