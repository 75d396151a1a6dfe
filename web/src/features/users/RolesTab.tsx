import { useState } from "react";
import { Button } from "../../components/Button";
import { ConfirmMutationDialog } from "../../components/ConfirmDialog";
import { Badge, Panel } from "../../components/Page";
import { EmptyState, ErrorState, Loading } from "../../components/States";
import { useCan, useMe } from "../auth/session";
import { useDeleteRole, useRoles } from "./api";
import { groupPermissions, knownPermissions } from "./permissions";
import { RoleDialog } from "./RoleDialog";
import type { Role } from "./types";

/** Roles with their permissions by area; with roles:write, custom roles can be created, changed
 * and deleted (built-in ones stay read-only). */
export function RolesTab() {
  const canWrite = useCan("roles:write");
  const held = useMe().data?.user.permissions ?? [];
  const roles = useRoles();
  const remove = useDeleteRole();
  const [editing, setEditing] = useState<{ role: Role | null } | null>(null);
  const [deleting, setDeleting] = useState<Role | null>(null);

  if (roles.isPending) return <Loading label="Loading roles" />;
  if (roles.isError) return <ErrorState error={roles.error} onRetry={() => void roles.refetch()} />;
  const all = knownPermissions(roles.data, held);

  return (
    <div className="flex flex-col gap-3">
      {canWrite && (
        <div className="flex justify-end">
          <Button variant="primary" onClick={() => setEditing({ role: null })}>
            Create role
          </Button>
        </div>
      )}
      {roles.data.length === 0 && <EmptyState title="No roles." />}
      <ul aria-label="Roles" className="flex flex-col gap-3">
        {roles.data.map((role) => (
          <li key={role.name}>
            <Panel>
              <div className="flex flex-wrap items-start justify-between gap-3">
                <div className="min-w-0">
                  <h3 className="flex flex-wrap items-center gap-2 font-semibold text-ink">
                    {role.name}
                    {role.builtin ? <Badge>Built-in</Badge> : <Badge tone="ok">Custom</Badge>}
                  </h3>
                  {role.description && <p className="text-sm text-muted">{role.description}</p>}
                </div>
                {canWrite && !role.builtin && (
                  <div className="flex gap-1">
                    <Button aria-label={`Edit role ${role.name}`} onClick={() => setEditing({ role })}>
                      Edit
                    </Button>
                    <Button
                      variant="ghost"
                      className="text-bad!"
                      aria-label={`Delete role ${role.name}`}
                      onClick={() => setDeleting(role)}
                    >
                      Delete
                    </Button>
                  </div>
                )}
              </div>
              {role.permissions.length === 0 ? (
                <p className="mt-3 text-sm text-muted">No permissions.</p>
              ) : (
                <dl className="mt-3 grid grid-cols-1 gap-x-6 gap-y-1 text-sm sm:grid-cols-[max-content_1fr]">
                  {groupPermissions(role.permissions).map((group) => (
                    <div key={group.area} className="contents">
                      <dt className="text-muted">{group.title}</dt>
                      <dd className="mb-1 flex flex-wrap gap-1 sm:mb-0">
                        {group.permissions.map((permission) => (
                          <span key={permission} className="rounded bg-raised px-1.5 py-0.5 font-mono text-xs">
                            {permission}
                          </span>
                        ))}
                      </dd>
                    </div>
                  ))}
                </dl>
              )}
            </Panel>
          </li>
        ))}
      </ul>

      {canWrite && (
        <>
          <RoleDialog
            open={editing !== null}
            role={editing?.role ?? null}
            permissions={all}
            onClose={() => setEditing(null)}
          />
          <ConfirmMutationDialog
            target={deleting}
            mutation={remove}
            variables={(t) => t.name}
            done={(t) => `Role ${t.name} deleted`}
            onClose={() => setDeleting(null)}
            title="Delete role"
            confirmLabel="Delete role"
          >
            Delete the role <strong>{deleting?.name}</strong>? Only a role that nobody holds can be deleted.
          </ConfirmMutationDialog>
        </>
      )}
    </div>
  );
}
