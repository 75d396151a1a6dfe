import { useId } from "react";
import { TextField } from "../../components/Field";
import { useAgentChoices } from "./api";

/** A text field for an agent id, suggesting the known agents by host name (with agents:read). */
export function AgentField({
  label,
  value,
  onChange,
  error,
  hint,
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  error?: string | undefined;
  hint?: string;
}) {
  const listId = useId();
  const { agents } = useAgentChoices();
  return (
    <>
      <TextField
        label={label}
        value={value}
        onChange={(event) => onChange(event.target.value)}
        list={agents.length > 0 ? listId : undefined}
        placeholder="Agent id"
        autoComplete="off"
        spellCheck={false}
        error={error}
        hint={hint}
      />
      {agents.length > 0 && (
        <datalist id={listId}>
          {agents.map((agent) => (
            <option key={agent.id} value={agent.id}>
              {agent.hostname}
            </option>
          ))}
        </datalist>
      )}
    </>
  );
}

/** A text field for a group name, suggesting the groups agents are in. */
export function GroupField({
  label,
  value,
  onChange,
  error,
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  error?: string | undefined;
}) {
  const listId = useId();
  const { groups } = useAgentChoices();
  return (
    <>
      <TextField
        label={label}
        value={value}
        onChange={(event) => onChange(event.target.value)}
        list={groups.length > 0 ? listId : undefined}
        placeholder="Group"
        autoComplete="off"
        spellCheck={false}
        error={error}
      />
      {groups.length > 0 && (
        <datalist id={listId}>
          {groups.map((group) => (
            <option key={group} value={group} />
          ))}
        </datalist>
      )}
    </>
  );
}
