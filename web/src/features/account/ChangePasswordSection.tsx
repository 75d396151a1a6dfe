import { useState, type FormEvent } from "react";
import { fieldError } from "../../api/errors";
import { useToast } from "../../app/toasts";
import { Button } from "../../components/Button";
import { TextField } from "../../components/Field";
import { Panel } from "../../components/Page";
import { FormAlert } from "../../components/FormAlert";
import { useChangePassword } from "./api";
import { confirmationError } from "./passwordForm";

/** Changes the signed-in user's password; the server ends their other sessions. */
export function ChangePasswordSection({ username }: { username: string }) {
  const toast = useToast();
  const change = useChangePassword();
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [confirmation, setConfirmation] = useState("");
  const [checked, setChecked] = useState(false);
  const mismatch = checked ? confirmationError(next, confirmation) : undefined;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setChecked(true);
    if (confirmationError(next, confirmation)) return;
    change.mutate(
      { current_password: current, new_password: next },
      {
        onSuccess: () => {
          toast("Password changed. Your other sessions were signed out.", "success");
          setCurrent("");
          setNext("");
          setConfirmation("");
          setChecked(false);
        },
      },
    );
  };

  return (
    <Panel title="Password">
      <form onSubmit={submit} className="flex max-w-md flex-col gap-4" noValidate aria-label="Change password">
        {/* Lets password managers file the change under the right account. */}
        <input type="text" name="username" autoComplete="username" value={username} readOnly hidden />
        <TextField
          label="Current password"
          type="password"
          autoComplete="current-password"
          required
          value={current}
          onChange={(e) => setCurrent(e.target.value)}
          error={fieldError(change.error, "current_password")}
        />
        <TextField
          label="New password"
          type="password"
          autoComplete="new-password"
          required
          value={next}
          onChange={(e) => setNext(e.target.value)}
          hint="At least 12 characters; not a common password and not containing your username."
          error={fieldError(change.error, "new_password")}
        />
        <TextField
          label="Confirm new password"
          type="password"
          autoComplete="new-password"
          required
          value={confirmation}
          onChange={(e) => setConfirmation(e.target.value)}
          error={mismatch}
        />
        <FormAlert error={change.error} fields={["current_password", "new_password"]} />
        <div>
          <Button type="submit" variant="primary" busy={change.isPending}>
            Change password
          </Button>
        </div>
      </form>
    </Panel>
  );
}
