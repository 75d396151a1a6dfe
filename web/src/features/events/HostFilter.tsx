import { useEffect, useId, useRef, useState } from "react";
import { TextField } from "../../components/Field";
import { useSettled } from "../../lib/useSettled";
import { useCan } from "../auth/session";
import { useHostnames, useHostSuggestions } from "./api";
import { hostText, resolveHost } from "./hosts";

/**
 * A host picker for filters: type a hostname (suggestions from the agent list when the user may
 * read it) or paste an agent id. `onChange` gets the agent id once typing pauses; the URL and the
 * server deal in ids, people in hostnames.
 */
export function HostFilter({ agentId, onChange }: { agentId: string; onChange: (agentId: string) => void }) {
  const canAgents = useCan("agents:read");
  const listId = useId();
  const [text, setText] = useState(agentId);
  const settled = useSettled(text, 300);
  const suggestions = useHostSuggestions(settled, canAgents);
  const names = useHostnames(agentId ? [agentId] : [], canAgents);
  const emitted = useRef(agentId);
  const typed = useRef(false);

  // The filter changed elsewhere (cleared, the back button): show it.
  useEffect(() => {
    if (agentId === emitted.current) return;
    emitted.current = agentId;
    typed.current = false;
    setText(agentId);
  }, [agentId]);

  // Once the agent's hostname is known, show that instead of its id, unless the user typed.
  const knownName = names.get(agentId);
  useEffect(() => {
    if (!typed.current && knownName && agentId) {
      setText(hostText(agentId, [{ id: agentId, hostname: knownName }, ...(suggestions.data ?? [])]));
    }
  }, [knownName, agentId, suggestions.data]);

  // Typing paused and the suggestions for it are in: apply what the text names.
  useEffect(() => {
    if (!typed.current || settled !== text) return;
    if (canAgents && (suggestions.isPlaceholderData || suggestions.isPending) && settled.trim()) return;
    const resolved = resolveHost(settled, suggestions.data ?? []);
    if (resolved === emitted.current) return;
    emitted.current = resolved;
    onChange(resolved);
  }, [settled, text, canAgents, suggestions.data, suggestions.isPlaceholderData, suggestions.isPending, onChange]);

  return (
    <>
      <TextField
        label="Host"
        type="search"
        list={canAgents ? listId : undefined}
        placeholder={canAgents ? "Hostname or agent id" : "Agent id"}
        autoComplete="off"
        value={text}
        onChange={(event) => {
          typed.current = true;
          setText(event.target.value);
        }}
      />
      {canAgents && (
        <datalist id={listId}>
          {(suggestions.data ?? []).map((choice) => (
            <option key={choice.id} value={choice.hostname}>
              {choice.id}
            </option>
          ))}
        </datalist>
      )}
    </>
  );
}
