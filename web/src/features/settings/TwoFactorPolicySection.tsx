import { useState } from "react";
import { fieldError } from "../../api/errors";
import { useToast } from "../../app/toasts";
import { Button } from "../../components/Button";
import { Badge, Panel } from "../../components/Page";
import { ErrorState, Loading } from "../../components/States";
import { useCan } from "../auth/session";
import { useRoles } from "../users/api";
import { Checkbox, CheckboxGroup } from "../../components/Checkbox";
import { FormAlert } from "../../components/FormAlert";
import { useAuthSettings, useSaveTwoFactorPolicy } from "./api";
import { requiredRoles, sameRoles } from "./policy";

/** Which roles must use two-factor authentication: checkboxes and Save with settings:write, a
 * plain list without it. */
export function TwoFactorPolicySection() {
  const canWrite = useCan("settings:write");
  const canReadRoles = useCan("roles:read");
  const settings = useAuthSettings();
  const roles = useRoles(canReadRoles);
  // Owned here, not by the form: the form is remounted when the saved list changes (a new key),
  // which would drop callbacks given to mutate().
  const toast = useToast();
  const save = useSaveTwoFactorPolicy(() => toast("Two-factor policy saved", "success"));
  return (
    <Panel title="Two-factor policy">
      {settings.isPending || (canReadRoles && roles.isPending) ? (
        <Loading label="Loading the two-factor policy" />
      ) : settings.isError ? (
        <ErrorState error={settings.error} onRetry={() => void settings.refetch()} />
      ) : (
        (() => {
          // Without roles:read only the required names are known.
          const names = roles.data?.map((role) => role.name) ?? settings.data.require_2fa_roles;
          return canWrite ? (
            <PolicyForm
              key={settings.data.require_2fa_roles.join(",")}
              saved={settings.data.require_2fa_roles}
              roles={names}
              save={save}
            />
          ) : (
            <PolicyList required={settings.data.require_2fa_roles} roles={names} />
          );
        })()
      )}
    </Panel>
  );
}

function PolicyList({ required, roles }: { required: readonly string[]; roles: readonly string[] }) {
  return (
    <div className="flex flex-col gap-2">
      <p className="text-sm text-muted">Members of these roles must sign in with two-factor authentication.</p>
      {roles.length === 0 ? (
        <p className="text-sm">No role requires two-factor authentication.</p>
      ) : (
        <ul aria-label="Roles and their two-factor requirement" className="flex flex-col gap-1 text-sm">
          {roles.map((role) => (
            <li key={role} className="flex items-center gap-2">
              <span className="min-w-24 font-medium">{role}</span>
              {required.includes(role) ? <Badge tone="ok">Required</Badge> : <Badge>Not required</Badge>}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function PolicyForm({
  saved,
  roles,
  save,
}: {
  saved: readonly string[];
  roles: readonly string[];
  save: ReturnType<typeof useSaveTwoFactorPolicy>;
}) {
  const [chosen, setChosen] = useState<string[]>([...saved]);
  const changed = !sameRoles(chosen, saved);
  return (
    <form
      className="flex flex-col gap-4"
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate(chosen);
      }}
    >
      <CheckboxGroup legend="Require two-factor authentication for" error={fieldError(save.error, "require_2fa_roles")}>
        <p className="text-xs text-muted">
          Members of a checked role who have not set up 2FA must do so before they can do anything else, at their
          next request (you too, if you hold the role).
        </p>
        <div className="flex flex-wrap gap-x-6 gap-y-2">
          {roles.map((role) => (
            <Checkbox
              key={role}
              label={role}
              checked={chosen.includes(role)}
              onChange={(e) => setChosen(requiredRoles(roles, chosen, role, e.target.checked))}
            />
          ))}
        </div>
      </CheckboxGroup>
      <FormAlert error={save.error} fields={["require_2fa_roles"]} />
      <div className="flex flex-wrap gap-2">
        <Button type="submit" variant="primary" busy={save.isPending} disabled={!changed}>
          Save
        </Button>
        {changed && (
          <Button variant="ghost" onClick={() => setChosen([...saved])}>
            Undo changes
          </Button>
        )}
      </div>
    </form>
  );
}
