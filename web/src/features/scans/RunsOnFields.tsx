import { useId, useMemo } from "react";
import { TextField } from "../../components/Field";
import { useAgents } from "../agents/api";
import { filterChoices } from "../agents/filterAgents";
import { useCan } from "../auth/session";
import type { NewScanForm, RunsOn } from "./newScan";
import { RadioCardGroup } from "./RadioCard";

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
  return (
    <>
      <RadioCardGroup
        legend="Where it runs"
        name="runs-on"
        options={places}
        value={form.runsOn}
        onChange={(runsOn) => update({ runsOn })}
        columns={3}
        isDisabled={(place) => nmap && place !== "server"}
        hint={nmap && "nmap runs on this server only: choose the built-in engine to split the scan across agents."}
        error={messageFor("agents") ?? messageFor("agents.networks")}
      />

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
