import { useState, type FormEvent } from "react";
import { fieldError } from "../../api/errors";
import { useToast } from "../../app/toasts";
import { Button } from "../../components/Button";
import { Dialog } from "../../components/Dialog";
import { TextField } from "../../components/Field";
import { FormAlert } from "../../components/FormAlert";
import { useCreateBlock } from "./api";
import { AgentField, GroupField } from "./AgentField";
import { blockBody, emptyBlockForm, type BlockForm, type FieldProblem } from "./blocks";
import { formatSeconds } from "./duration";
import type { BlockScope } from "./types";

const scopes: readonly { id: BlockScope; label: string }[] = [
  { id: "all", label: "Every agent" },
  { id: "group", label: "A group" },
  { id: "agent", label: "One agent" },
];

const fields = ["address", "duration_s", "agent_id", "group", "reason"] as const;

/** A manual block (POST /api/v1/firewall/blocks). The server's refusal shows at its field: an
 * allow-listed address is refused naming the entry that protects it. */
export function BlockDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  return (
    <Dialog open={open} title="Block an address" onClose={onClose}>
      <BlockFormView onClose={onClose} />
    </Dialog>
  );
}

function BlockFormView({ onClose }: { onClose: () => void }) {
  const create = useCreateBlock();
  const toast = useToast();
  const [form, setForm] = useState<BlockForm>(emptyBlockForm);
  const [problem, setProblem] = useState<FieldProblem | null>(null);
  const update = (change: Partial<BlockForm>) => {
    setForm((current) => ({ ...current, ...change }));
    setProblem(null);
    if (create.isError) create.reset();
  };
  const messageFor = (field: FieldProblem["field"]) =>
    problem?.field === field ? problem.message : fieldError(create.error, field);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const result = blockBody(form);
    if (!("body" in result)) {
      setProblem(result);
      return;
    }
    create.mutate(result.body, {
      onSuccess: (block) => {
        toast(`${block.address} blocked for ${formatSeconds(block.duration_s)}.`, "success");
        onClose();
      },
    });
  };

  return (
    <form onSubmit={submit} className="flex flex-col gap-4" noValidate>
      <TextField
        label="Address"
        value={form.address}
        onChange={(event) => update({ address: event.target.value })}
        placeholder="203.0.113.9 or 2001:db8::7"
        error={messageFor("address")}
        autoComplete="off"
        spellCheck={false}
        autoFocus
      />
      <TextField
        label="Duration"
        value={form.duration}
        onChange={(event) => update({ duration: event.target.value })}
        hint="600 (seconds), 90s, 10m, 2h, 1h 30m, up to 7d. Repeat offenders within 24 h get twice as long each time."
        error={messageFor("duration_s")}
        autoComplete="off"
        spellCheck={false}
      />
      <fieldset className="flex flex-col gap-2">
        <legend className="mb-1 text-sm font-medium text-ink">Blocked by</legend>
        <div className="flex flex-wrap gap-2">
          {scopes.map((scope) => (
            <label
              key={scope.id}
              className={`flex cursor-pointer items-center gap-2 rounded-md border px-3 py-1.5 text-sm ${
                form.scope === scope.id ? "border-accent bg-accent/5" : "border-line"
              }`}
            >
              <input
                type="radio"
                name="block-scope"
                value={scope.id}
                checked={form.scope === scope.id}
                onChange={() => update({ scope: scope.id })}
                className="accent-accent"
              />
              {scope.label}
            </label>
          ))}
        </div>
      </fieldset>
      {form.scope === "group" && (
        <GroupField label="Group" value={form.group} onChange={(group) => update({ group })} error={messageFor("group")} />
      )}
      {form.scope === "agent" && (
        <AgentField label="Agent" value={form.agentId} onChange={(agentId) => update({ agentId })} error={messageFor("agent_id")} />
      )}
      <TextField
        label="Reason"
        value={form.reason}
        onChange={(event) => update({ reason: event.target.value })}
        placeholder="SSH brute force from the logs"
        error={messageFor("reason")}
        autoComplete="off"
      />
      <FormAlert error={create.error} fields={fields} />
      <div className="flex justify-end gap-2">
        <Button onClick={onClose}>Cancel</Button>
        <Button type="submit" variant="primary" busy={create.isPending}>
          Block
        </Button>
      </div>
    </form>
  );
}
