import { useState, type FormEvent, type ReactNode } from "react";
import { fieldError } from "../../api/errors";
import { Button } from "../../components/Button";
import { TextField } from "../../components/Field";
import { FormAlert } from "../../components/FormAlert";

/** Asks for the user's password before a sensitive change; the server's answer appears in place. */
export function PasswordPrompt({
  children,
  confirmLabel,
  danger = false,
  busy,
  error,
  onSubmit,
  onCancel,
}: {
  children: ReactNode;
  confirmLabel: string;
  danger?: boolean;
  busy: boolean;
  error: unknown;
  onSubmit: (password: string) => void;
  onCancel: () => void;
}) {
  const [password, setPassword] = useState("");
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onSubmit(password);
  };
  return (
    <form onSubmit={submit} className="flex flex-col gap-4" noValidate>
      <div className="text-sm">{children}</div>
      <TextField
        label="Your password"
        type="password"
        autoComplete="current-password"
        required
        autoFocus
        value={password}
        onChange={(e) => setPassword(e.target.value)}
        error={fieldError(error, "password")}
      />
      <FormAlert error={error} fields={["password"]} />
      <div className="flex flex-wrap justify-end gap-2">
        <Button onClick={onCancel}>Cancel</Button>
        <Button type="submit" variant={danger ? "danger" : "primary"} busy={busy}>
          {confirmLabel}
        </Button>
      </div>
    </form>
  );
}
