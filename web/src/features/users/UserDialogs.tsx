import { useState, type FormEvent } from "react";
import { fieldError } from "../../api/errors";
import { useToast } from "../../app/toasts";
import { Button } from "../../components/Button";
import { Dialog } from "../../components/Dialog";
import { TextField } from "../../components/Field";
import { useCreateUser, useUpdateUser } from "./api";
import { Checkbox } from "../../components/Checkbox";
import { FormAlert } from "../../components/FormAlert";
import { userChanges } from "./permissions";
import { RoleChecklist } from "./RoleChecklist";
import type { UserRecord } from "./types";

const passwordHint = "At least 12 characters; not a common password and not containing the username.";

/** Creates a user: name, display name, first password and roles. */
export function CreateUserDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  return (
    <Dialog open={open} title="Create user" onClose={onClose}>
      {/* Mounted only while open, so every opening starts with an empty form. */}
      {open && <CreateUserForm onDone={onClose} />}
    </Dialog>
  );
}

function CreateUserForm({ onDone }: { onDone: () => void }) {
  const toast = useToast();
  const create = useCreateUser();
  const [username, setUsername] = useState("");
  const [displayName, setDisplayName] = useState("");
  const [password, setPassword] = useState("");
  const [roles, setRoles] = useState<string[]>(["viewer"]);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate(
      { username: username.trim(), display_name: displayName.trim(), password, roles },
      {
        onSuccess: (user) => {
          toast(`User ${user.username} created`, "success");
          onDone();
        },
      },
    );
  };
  const error = create.error;
  return (
    <form onSubmit={submit} className="flex flex-col gap-4" noValidate>
      <TextField
        label="Username"
        autoComplete="off"
        required
        value={username}
        onChange={(e) => setUsername(e.target.value)}
        error={fieldError(error, "username")}
      />
      <TextField
        label="Display name"
        autoComplete="off"
        value={displayName}
        onChange={(e) => setDisplayName(e.target.value)}
        error={fieldError(error, "display_name")}
      />
      <TextField
        label="Password"
        type="password"
        autoComplete="new-password"
        required
        value={password}
        onChange={(e) => setPassword(e.target.value)}
        hint={passwordHint}
        error={fieldError(error, "password")}
      />
      <RoleChecklist value={roles} onChange={setRoles} error={error} />
      <FormAlert error={error} fields={["username", "display_name", "password", "roles"]} />
      <div className="flex justify-end gap-2">
        <Button onClick={onDone}>Cancel</Button>
        <Button type="submit" variant="primary" busy={create.isPending}>
          Create user
        </Button>
      </div>
    </form>
  );
}

/** Changes a user's display name, roles and disabled flag, or sets a new password. */
export function EditUserDialog({ user, onClose }: { user: UserRecord | null; onClose: () => void }) {
  return (
    <Dialog open={user !== null} title={user ? `Edit ${user.username}` : "Edit user"} onClose={onClose}>
      {user && <EditUserForm key={user.id} user={user} onDone={onClose} />}
    </Dialog>
  );
}

function EditUserForm({ user, onDone }: { user: UserRecord; onDone: () => void }) {
  const toast = useToast();
  const update = useUpdateUser();
  const [displayName, setDisplayName] = useState(user.display_name);
  const [roles, setRoles] = useState<string[]>(user.roles);
  const [disabled, setDisabled] = useState(user.disabled);
  const [password, setPassword] = useState("");
  const changes = userChanges(user, { display_name: displayName, roles, disabled, password });
  const unchanged = Object.keys(changes).length === 0;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (unchanged) return onDone();
    update.mutate(
      { id: user.id, changes },
      {
        onSuccess: () => {
          toast(`User ${user.username} saved`, "success");
          onDone();
        },
      },
    );
  };
  const error = update.error;
  return (
    <form onSubmit={submit} className="flex flex-col gap-4" noValidate>
      <TextField
        label="Display name"
        autoComplete="off"
        value={displayName}
        onChange={(e) => setDisplayName(e.target.value)}
        error={fieldError(error, "display_name")}
      />
      <RoleChecklist value={roles} onChange={setRoles} error={error} />
      <div className="flex flex-col gap-1">
        <Checkbox
          label="Disabled"
          hint="A disabled user cannot sign in and their sessions and tokens stop working."
          checked={disabled}
          onChange={(e) => setDisabled(e.target.checked)}
        />
        {fieldError(error, "disabled") && <p className="text-xs text-bad">{fieldError(error, "disabled")}</p>}
      </div>
      <TextField
        label="New password"
        type="password"
        autoComplete="new-password"
        value={password}
        onChange={(e) => setPassword(e.target.value)}
        hint={`Leave empty to keep the current one. ${passwordHint}`}
        error={fieldError(error, "password")}
      />
      <FormAlert error={error} fields={["display_name", "roles", "disabled", "password"]} />
      <div className="flex justify-end gap-2">
        <Button onClick={onDone}>Cancel</Button>
        <Button type="submit" variant="primary" busy={update.isPending} disabled={unchanged}>
          Save
        </Button>
      </div>
    </form>
  );
}
