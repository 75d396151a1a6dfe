import { useRef, useState, type FormEvent } from "react";
import { ApiError, describeError, fieldError } from "../../api/errors";
import { useToast } from "../../app/toasts";
import { Button } from "../../components/Button";
import { Dialog } from "../../components/Dialog";
import { SelectField, TextField } from "../../components/Field";
import { formatTime } from "../../lib/time";
import { useCreateEnrollToken } from "./api";
import { dataDirProblem, defaultDataDir, withDataDir } from "./enrolCommand";
import { LabelChips } from "./LabelChips";
import { parseLabels } from "./labels";
import type { CreatedEnrollToken } from "./types";

/** Token lifetimes to choose from; the server allows 1 minute to a week and defaults to 60. */
const lifetimes = [
  { minutes: 15, label: "15 minutes" },
  { minutes: 60, label: "1 hour" },
  { minutes: 8 * 60, label: "8 hours" },
  { minutes: 24 * 60, label: "24 hours" },
  { minutes: 7 * 24 * 60, label: "7 days" },
];

/** "Enrol agent": creates a one-time enrolment token and shows the command to run on the host. */
export function EnrolDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  return (
    <Dialog open={open} title="Enrol agent" onClose={onClose} wide>
      <EnrolForm onClose={onClose} />
    </Dialog>
  );
}

function EnrolForm({ onClose }: { onClose: () => void }) {
  const create = useCreateEnrollToken();
  const [group, setGroup] = useState("");
  const [labelsText, setLabelsText] = useState("");
  const [minutes, setMinutes] = useState("60");
  const [dataDir, setDataDir] = useState(defaultDataDir);
  const [problems, setProblems] = useState<{ labels?: string | undefined; dataDir?: string | undefined }>({});
  const [created, setCreated] = useState<{ token: CreatedEnrollToken; dataDir: string } | null>(null);

  if (created) return <EnrolCommand created={created.token} dataDir={created.dataDir} onClose={onClose} />;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const labels = parseLabels(labelsText);
    const dir = dataDir.trim();
    const found = { labels: labels.error, dataDir: dataDirProblem(dir) };
    setProblems(found);
    if (!labels.labels || found.dataDir) return;
    create.mutate(
      { group: group.trim() || undefined, labels: labels.labels, expires_in_minutes: Number(minutes) },
      { onSuccess: (token) => setCreated({ token, dataDir: dir }) },
    );
  };

  const error = create.error;
  const fields = ["group", "labels", "expires_in_minutes"];
  const otherError = error && !(error instanceof ApiError && error.field && fields.includes(error.field));
  return (
    <form onSubmit={submit} className="flex flex-col gap-4" noValidate>
      <p className="text-sm text-muted">
        An enrolment token lets one host join. Create it here, then run the command it comes with on the host.
      </p>
      <div className="grid grid-cols-1 gap-4 sm:grid-cols-2">
        <TextField
          label="Group"
          value={group}
          onChange={(event) => setGroup(event.target.value)}
          hint="Optional. Letters, digits, '_', '.' and '-'."
          error={fieldError(error, "group")}
          autoComplete="off"
        />
        <SelectField
          label="Token expires after"
          value={minutes}
          onChange={(event) => setMinutes(event.target.value)}
          error={fieldError(error, "expires_in_minutes")}
        >
          {lifetimes.map((lifetime) => (
            <option key={lifetime.minutes} value={lifetime.minutes}>
              {lifetime.label}
            </option>
          ))}
        </SelectField>
      </div>
      <TextField
        label="Labels"
        value={labelsText}
        onChange={(event) => setLabelsText(event.target.value)}
        placeholder="env=prod, team=web"
        hint="Optional. key=value, comma-separated; keys are a-z, 0-9, '_', '.', '-'."
        error={problems.labels ?? fieldError(error, "labels")}
        autoComplete="off"
        spellCheck={false}
      />
      <TextField
        label="Data directory"
        value={dataDir}
        onChange={(event) => setDataDir(event.target.value)}
        hint="Where the agent keeps its identity and unsent events on the host."
        error={problems.dataDir}
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
        <Button type="submit" variant="primary" busy={create.isPending}>
          Create token
        </Button>
      </div>
    </form>
  );
}

function EnrolCommand({ created, dataDir, onClose }: { created: CreatedEnrollToken; dataDir: string; onClose: () => void }) {
  const toast = useToast();
  const code = useRef<HTMLElement>(null);
  const [copied, setCopied] = useState(false);
  const command = withDataDir(created.command, dataDir);

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(command);
      setCopied(true);
      toast("Command copied.", "success");
      setTimeout(() => setCopied(false), 2000);
    } catch {
      // No clipboard (an insecure context or a refused permission): select it for Ctrl+C instead.
      const element = code.current;
      const selection = window.getSelection();
      if (element && selection) {
        const range = document.createRange();
        range.selectNodeContents(element);
        selection.removeAllRanges();
        selection.addRange(range);
      }
      toast("Could not copy. The command is selected: press Ctrl+C to copy it.", "error");
    }
  };

  return (
    <div className="flex flex-col gap-4">
      <p className="text-sm">Run this on the host as root. The agent appears in the list as soon as it connects.</p>
      <div className="flex flex-col gap-2">
        <pre className="overflow-x-auto rounded-md border border-line bg-raised p-3 text-xs whitespace-pre-wrap">
          <code ref={code} aria-label="Enrolment command" className="font-mono break-all">
            {command}
          </code>
        </pre>
        <div>
          <Button variant="primary" onClick={() => void copy()}>
            {copied ? "Copied" : "Copy"}
          </Button>
        </div>
      </div>
      <p role="note" className="rounded-md bg-warn/10 px-3 py-2 text-sm text-warn">
        The token is shown only now and works once. It expires at {formatTime(created.expires_at)}.
      </p>
      {(created.group || Object.keys(created.labels).length > 0) && (
        <p className="flex flex-wrap items-center gap-2 text-sm text-muted">
          The agent joins {created.group ? <>group <span className="text-ink">{created.group}</span></> : "no group"}
          {Object.keys(created.labels).length > 0 && (
            <>
              with labels <LabelChips labels={created.labels} />
            </>
          )}
        </p>
      )}
      <div className="flex justify-end">
        <Button onClick={onClose}>Done</Button>
      </div>
    </div>
  );
}
