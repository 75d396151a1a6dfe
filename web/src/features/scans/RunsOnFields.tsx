import { useId, useMemo } from "react";
import { TextField } from "../../components/Field";
import { useAgents } from "../agents/api";
import { filterChoices } from "../agents/filterAgents";
import { useCan } from "../auth/session";
import type { NewScanForm, RunsOn } from "./newScan";
import { RadioCard } from "./RadioCard";

const places: readonly { id: RunsOn; label: string; description: string }[] = [
  { id: "server", label: "This server", description: "The server scans every target itself" },
  { id: "group", label: "Agents of a group", description: "The group's agents share the targets" },
  {
    id: "networks",
    label: "Agents in the target networks",
    description: "Each network is scanned by the agents in it: for segments this server cannot reach",
  },
];

/** Where the job runs: on this server, or split across agents (a group's, or those whose
 * inventory interfaces sit in the target networks); each with the server's refusal of it. Agents
 * scan with the built-in engine, so they are offered with it only. */
export function RunsOnFields({
  form,
  update,
  messageFor,
}: {
  form: NewScanForm;
  update: (change: Partial<NewScanForm>) => void;
  messageFor: (field: string) => string | undefined;
}) {
  const id = useId();
  const canListAgents = useCan("agents:read");
  const nmap = form.backend === "nmap";
  const error = messageFor("agents") ?? messageFor("agents.networks");
  const described = [nmap ? `${id}-hint` : "", error ? `${id}-error` : ""].filter((part) => part).join(" ");
  return (
    <>
      <fieldset aria-describedby={described || undefined} className="flex flex-col gap-2">
        <legend className="mb-1 text-sm font-medium text-ink">Where it runs</legend>
        <div className="grid grid-cols-1 gap-2 sm:grid-cols-3">
          {places.map((place) => (
            <RadioCard
              key={place.id}
              name="runs-on"
              value={place.id}
              label={place.label}
              description={place.description}
              checked={form.runsOn === place.id}
              disabled={nmap && place.id !== "server"}
              onSelect={() => update({ runsOn: place.id })}
            />
          ))}
        </div>
        {nmap && (
          <p id={`${id}-hint`} className="text-xs text-muted">
            nmap runs on this server only: choose the built-in engine to split the scan across agents.
          </p>
        )}
        {error && (
          <p id={`${id}-error`} className="text-xs text-bad">
            {error}
          </p>
        )}
      </fieldset>

      {form.runsOn === "group" && (
        <div className="border-l-2 border-line pl-3">
          <TextField
            label="Group"
            value={form.group}
            onChange={(event) => update({ group: event.target.value })}
            placeholder="web"
            hint="An agent's group is given when it enrols, or changed on its page under Agents."
            error={messageFor("agents.group")}
            list={canListAgents ? `${id}-groups` : undefined}
            autoComplete="off"
            spellCheck={false}
          />
          {canListAgents && <KnownGroups id={`${id}-groups`} />}
        </div>
      )}
    </>
  );
}

/** The groups of the enrolled agents, as suggestions for the group input. */
function KnownGroups({ id }: { id: string }) {
  const agents = useAgents();
  const groups = useMemo(() => filterChoices(agents.data ?? []).groups, [agents.data]);
  return (
    <datalist id={id}>
      {groups.map((group) => (
        <option key={group} value={group} />
      ))}
    </datalist>
  );
}
