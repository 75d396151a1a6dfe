import { fieldError } from "../../api/errors";
import { Spinner } from "../../components/Button";
import { useCan } from "../auth/session";
import { useRoles } from "./api";
import { Checkbox, CheckboxGroup, toggled } from "../../components/Checkbox";

/** The roles a user holds, as one checkbox per role from GET /api/v1/roles. */
export function RoleChecklist({
  value,
  onChange,
  error,
}: {
  value: readonly string[];
  onChange: (roles: string[]) => void;
  error: unknown;
}) {
  const canReadRoles = useCan("roles:read");
  const roles = useRoles(canReadRoles);
  return (
    <CheckboxGroup legend="Roles" error={fieldError(error, "roles")}>
      {!canReadRoles ? (
        <p className="text-sm text-muted">Your role cannot list roles (roles:read), so roles cannot be chosen here.</p>
      ) : roles.isPending ? (
        <Spinner small label="Loading roles" />
      ) : roles.isError ? (
        <p role="alert" className="text-sm text-bad">
          The roles could not be loaded.
        </p>
      ) : (
        roles.data.map((role) => (
          <Checkbox
            key={role.name}
            name="roles"
            value={role.name}
            label={role.name}
            hint={role.description || undefined}
            checked={value.includes(role.name)}
            onChange={(e) => onChange(toggled(value, role.name, e.target.checked))}
          />
        ))
      )}
    </CheckboxGroup>
  );
}
