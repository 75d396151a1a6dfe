import { useState, type FormEvent } from "react";
import { fieldError } from "../../api/errors";
import { Button } from "../../components/Button";
import { Dialog } from "../../components/Dialog";
import { TextField } from "../../components/Field";
import { useCreateToken } from "./api";
import { FormAlert } from "../../components/FormAlert";
import type { CreatedToken } from "./types";

/** Asks for a token's name and lifetime; hands the created token (with its secret) back. */
export function CreateTokenDialog({
  open,
  onClose,
  onCreated,
}: {
  open: boolean;
  onClose: () => void;
  onCreated: (token: CreatedToken) => void;
}) {
  return (
    <Dialog open={open} title="Create API token" onClose={onClose}>
      {open && <CreateTokenForm onCancel={onClose} onCreated={onCreated} />}
    </Dialog>
  );
}

function CreateTokenForm({ onCancel, onCreated }: { onCancel: () => void; onCreated: (token: CreatedToken) => void }) {
  const create = useCreateToken();
  const [name, setName] = useState("");
  const [days, setDays] = useState("90");
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const trimmed = days.trim();
    create.mutate(
      // An empty lifetime is a token that does not expire; the server checks the range.
      trimmed === "" ? { name: name.trim() } : { name: name.trim(), expires_in_days: Number(trimmed) },
      { onSuccess: onCreated },
    );
  };
  const error = create.error;
  return (
    <form onSubmit={submit} className="flex flex-col gap-4" noValidate>
      <p className="text-sm text-muted">
        The token acts with your permissions, for scripts and sentinelctl (Authorization: Bearer …).
      </p>
      <TextField
        label="Name"
        autoComplete="off"
        required
        value={name}
        onChange={(e) => setName(e.target.value)}
        hint="What the token is for, e.g. the script that uses it."
        error={fieldError(error, "name")}
      />
      <TextField
        label="Expires after (days)"
        type="number"
        inputMode="numeric"
        min={1}
        max={3650}
        value={days}
        onChange={(e) => setDays(e.target.value)}
        hint="1 to 3650 days; leave empty for a token that does not expire."
        error={fieldError(error, "expires_in_days")}
      />
      <FormAlert error={error} fields={["name", "expires_in_days"]} />
      <div className="flex justify-end gap-2">
        <Button onClick={onCancel}>Cancel</Button>
        <Button type="submit" variant="primary" busy={create.isPending}>
          Create token
        </Button>
      </div>
    </form>
  );
}

/** The new token's secret, shown this once, with a button to copy it. */
export function NewTokenDialog({ token, onClose }: { token: CreatedToken | null; onClose: () => void }) {
  const [copied, setCopied] = useState<boolean | null>(null);
  const close = () => {
    setCopied(null);
    onClose();
  };
  return (
    <Dialog open={token !== null} title="Your new API token" onClose={close}>
      {token && (
        <div className="flex flex-col gap-4">
          <p role="alert" className="rounded-md bg-warn/10 px-3 py-2 text-sm text-warn">
            Copy the token now. It is shown only this once: the server keeps only a hash of it, so nobody can show it
            again. If you lose it, delete it and create another.
          </p>
          <div className="flex flex-col gap-1">
            <label htmlFor="new-token" className="text-sm font-medium">
              Token “{token.name}”
            </label>
            <input
              id="new-token"
              readOnly
              value={token.token}
              onFocus={(e) => e.target.select()}
              className="w-full rounded-md border border-line bg-raised px-3 py-2 font-mono text-sm text-ink"
            />
          </div>
          <div className="flex flex-wrap items-center justify-end gap-2">
            {copied === false && <span className="text-sm text-bad">Copying failed; select the text and copy it.</span>}
            <Button
              onClick={() =>
                navigator.clipboard?.writeText(token.token).then(
                  () => setCopied(true),
                  () => setCopied(false),
                ) ?? setCopied(false)
              }
            >
              {copied ? "Copied" : "Copy"}
            </Button>
            <Button variant="primary" onClick={close}>
              Done
            </Button>
          </div>
        </div>
      )}
    </Dialog>
  );
}
