import { useState, type FormEvent } from "react";
import { ApiError, describeError, fieldError } from "../../api/errors";
import { useToast } from "../../app/toasts";
import { Button } from "../../components/Button";
import { Dialog } from "../../components/Dialog";
import { TextField } from "../../components/Field";
import { useUpdateAgent } from "./api";
import { formatLabels, labelPatch, parseLabels } from "./labels";
import type { Agent, AgentUpdate } from "./types";

/** Changes an agent's group and labels (PATCH /api/v1/agents/{id}; only what changed is sent). */
export function EditLabelsDialog({ agent, open, onClose }: { agent: Agent; open: boolean; onClose: () => void }) {
  return (
    <Dialog open={open} title="Edit labels" onClose={onClose}>
      <EditLabelsForm agent={agent} onClose={onClose} />
    </Dialog>
  );
}

function EditLabelsForm({ agent, onClose }: { agent: Agent; onClose: () => void }) {
  const toast = useToast();
  const update = useUpdateAgent(agent.id);
  const [group, setGroup] = useState(agent.group ?? "");
  const [labelsText, setLabelsText] = useState(() => formatLabels(agent.labels));
  const [labelsProblem, setLabelsProblem] = useState<string>();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const parsed = parseLabels(labelsText);
    setLabelsProblem(parsed.error);
    if (!parsed.labels) return;
    const body: AgentUpdate = {};
    const newGroup = group.trim();
    if (newGroup !== (agent.group ?? "")) body.group = newGroup || null;
    const labels = labelPatch(agent.labels, parsed.labels);
    if (Object.keys(labels).length > 0) body.labels = labels;
    if (Object.keys(body).length === 0) {
      onClose();
      return;
    }
    update.mutate(body, {
      onSuccess: () => {
        toast(`Saved the labels of ${agent.hostname}.`, "success");
        onClose();
      },
    });
  };

  const error = update.error;
  const otherError = error && !(error instanceof ApiError && (error.field === "group" || error.field === "labels"));
  return (
    <form onSubmit={submit} className="flex flex-col gap-4" noValidate>
      <TextField
        label="Group"
        value={group}
        onChange={(event) => setGroup(event.target.value)}
        hint="Letters, digits, '_', '.' and '-'; empty for none."
        error={fieldError(error, "group")}
        autoComplete="off"
      />
      <TextField
        label="Labels"
        value={labelsText}
        onChange={(event) => setLabelsText(event.target.value)}
        hint='key=value, comma-separated, e.g. env=prod, team=web. Quote values with commas: owner="Ops, Berlin".'
        error={labelsProblem ?? fieldError(error, "labels")}
        autoComplete="off"
        spellCheck={false}
      />
      {otherError && (
        <p role="alert" className="text-sm text-bad">
          {describeError(error)}
        </p>
      )}
      <div className="flex justify-end gap-2">
        <Button onClick={onClose}>Cancel</Button>
        <Button type="submit" variant="primary" busy={update.isPending}>
          Save
        </Button>
      </div>
    </form>
  );
}
