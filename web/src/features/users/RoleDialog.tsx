import { useState, type FormEvent } from "react";
import { fieldError } from "../../api/errors";
import { useToast } from "../../app/toasts";
import { Button } from "../../components/Button";
import { Dialog } from "../../components/Dialog";
import { TextField } from "../../components/Field";
import { useMe } from "../auth/session";
import { useCreateRole, useUpdateRole } from "./api";
import { Checkbox, CheckboxGroup, toggled } from "../../components/Checkbox";
import { FormAlert } from "../../components/FormAlert";
import { groupPermissions, permissionVerb } from "./permissions";
import type { Role } from "./types";

/** Creates a custom role (`role` null) or changes one: description and permissions. */
export function RoleDialog({
  open,
  role,
  permissions,
  onClose,
}: {
  open: boolean;
  role: Role | null;
  /** Every permission there is, for the checkboxes. */
  permissions: readonly string[];
  onClose: () => void;
}) {
  return (
    <Dialog open={open} title={role ? `Edit role ${role.name}` : "Create role"} onClose={onClose} wide>
      {open && <RoleForm key={role?.name ?? ""} role={role} permissions={permissions} onDone={onClose} />}
    </Dialog>
  );
}

function RoleForm({
  role,
  permissions,
  onDone,
}: {
  role: Role | null;
  permissions: readonly string[];
  onDone: () => void;
}) {
  const toast = useToast();
  const held = useMe().data?.user.permissions ?? [];
  const create = useCreateRole();
  const update = useUpdateRole();
  const mutation = role ? update : create;
  const [name, setName] = useState(role?.name ?? "");
  const [description, setDescription] = useState(role?.description ?? "");
  const [chosen, setChosen] = useState<string[]>(role?.permissions ?? []);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    mutation.mutate(
      { name: name.trim(), description: description.trim(), permissions: chosen },
      {
        onSuccess: (saved) => {
          toast(`Role ${saved.name} ${role ? "saved" : "created"}`, "success");
          onDone();
        },
      },
    );
  };
  const error = mutation.error;
  return (
    <form onSubmit={submit} className="flex flex-col gap-4" noValidate>
      {!role && (
        <TextField
          label="Name"
          autoComplete="off"
          required
          value={name}
          onChange={(e) => setName(e.target.value)}
          hint="Letters, digits, '.', '_' and '-'; it cannot be changed later."
          error={fieldError(error, "name")}
        />
      )}
      <TextField
        label="Description"
        autoComplete="off"
        value={description}
        onChange={(e) => setDescription(e.target.value)}
        error={fieldError(error, "description")}
      />
      <CheckboxGroup legend="Permissions" error={fieldError(error, "permissions")}>
        <p className="text-xs text-muted">You can grant only permissions that you hold yourself.</p>
        <div className="grid max-h-[50vh] grid-cols-1 gap-3 overflow-y-auto sm:grid-cols-2">
          {groupPermissions(permissions).map((group) => (
            <fieldset key={group.area} className="rounded-md border border-line p-3">
              <legend className="px-1 text-xs font-semibold text-muted">{group.title}</legend>
              <div className="flex flex-col gap-1.5">
                {group.permissions.map((permission) => (
                  <Checkbox
                    key={permission}
                    label={<span className="font-mono text-xs">{permission}</span>}
                    hint={held.includes(permission) ? permissionVerb(permission) : "you do not hold this"}
                    checked={chosen.includes(permission)}
                    // Granting what one lacks is refused by the server; removing it is allowed.
                    disabled={!held.includes(permission) && !chosen.includes(permission)}
                    onChange={(e) => setChosen(toggled(chosen, permission, e.target.checked))}
                  />
                ))}
              </div>
            </fieldset>
          ))}
        </div>
      </CheckboxGroup>
      <FormAlert error={error} fields={["name", "description", "permissions"]} />
      <div className="flex justify-end gap-2">
        <Button onClick={onDone}>Cancel</Button>
        <Button type="submit" variant="primary" busy={mutation.isPending}>
          {role ? "Save" : "Create role"}
        </Button>
      </div>
    </form>
  );
}
