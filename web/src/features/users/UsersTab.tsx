import { useState } from "react";
import { useToast } from "../../app/toasts";
import { Button } from "../../components/Button";
import { Badge, Panel } from "../../components/Page";
import { EmptyState, ErrorState, Loading } from "../../components/States";
import { Table, Td, Th } from "../../components/Table";
import { describeError } from "../../api/errors";
import { formatTime } from "../../lib/time";
import { useCan, useMe } from "../auth/session";
import { useDeleteUser, useResetTotp, useUnlockUser, useUsers } from "./api";
import { ConfirmMutationDialog } from "../../components/ConfirmDialog";
import type { UserRecord } from "./types";
import { CreateUserDialog, EditUserDialog } from "./UserDialogs";

/** The users table; with users:write, the actions to create, change, unlock and delete them. */
export function UsersTab() {
  const canWrite = useCan("users:write");
  const myId = useMe().data?.user.id;
  const users = useUsers();
  const toast = useToast();
  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState<UserRecord | null>(null);
  const [resetting, setResetting] = useState<UserRecord | null>(null);
  const [deleting, setDeleting] = useState<UserRecord | null>(null);
  const unlock = useUnlockUser();
  const resetTotp = useResetTotp();
  const remove = useDeleteUser();

  const doUnlock = (user: UserRecord) =>
    unlock.mutate(user.id, {
      onSuccess: () => toast(`${user.username} can sign in again`, "success"),
      onError: (error) => toast(describeError(error), "error"),
    });

  return (
    <Panel>
      {canWrite && (
        <div className="mb-3 flex justify-end">
          <Button variant="primary" onClick={() => setCreating(true)}>
            Create user
          </Button>
        </div>
      )}
      {users.isPending ? (
        <Loading label="Loading users" />
      ) : users.isError ? (
        <ErrorState error={users.error} onRetry={() => void users.refetch()} />
      ) : users.data.length === 0 ? (
        <EmptyState title="No users yet." />
      ) : (
        <Table label="Users">
          <thead>
            <tr>
              <Th>Username</Th>
              <Th>Display name</Th>
              <Th>Roles</Th>
              <Th>2FA</Th>
              <Th>Status</Th>
              <Th>Created</Th>
              {canWrite && (
                <Th>
                  <span className="sr-only">Actions</span>
                </Th>
              )}
            </tr>
          </thead>
          <tbody>
            {users.data.map((user) => (
              <tr key={user.id}>
                <Td className="font-medium">
                  {user.username}
                  {user.id === myId && <span className="ml-2 text-xs text-muted">(you)</span>}
                </Td>
                <Td>{user.display_name || <span className="text-muted">—</span>}</Td>
                <Td>
                  <div className="flex flex-wrap gap-1">
                    {user.roles.map((role) => (
                      <Badge key={role}>{role}</Badge>
                    ))}
                  </div>
                </Td>
                <Td>{user.totp_enabled ? <Badge tone="ok">On</Badge> : <Badge>Off</Badge>}</Td>
                <Td>{user.disabled ? <Badge tone="bad">Disabled</Badge> : <Badge tone="ok">Active</Badge>}</Td>
                <Td className="whitespace-nowrap text-muted">{formatTime(user.created_at)}</Td>
                {canWrite && (
                  <Td>
                    <div className="flex justify-end gap-1">
                      <Button variant="ghost" aria-label={`Edit ${user.username}`} onClick={() => setEditing(user)}>
                        Edit
                      </Button>
                      {user.totp_enabled && (
                        <Button
                          variant="ghost"
                          aria-label={`Reset 2FA of ${user.username}`}
                          onClick={() => setResetting(user)}
                        >
                          Reset 2FA
                        </Button>
                      )}
                      <Button
                        variant="ghost"
                        aria-label={`Unlock ${user.username}`}
                        busy={unlock.isPending && unlock.variables === user.id}
                        onClick={() => doUnlock(user)}
                      >
                        Unlock
                      </Button>
                      {user.id !== myId && (
                        <Button
                          variant="ghost"
                          className="text-bad!"
                          aria-label={`Delete ${user.username}`}
                          onClick={() => setDeleting(user)}
                        >
                          Delete
                        </Button>
                      )}
                    </div>
                  </Td>
                )}
              </tr>
            ))}
          </tbody>
        </Table>
      )}

      {canWrite && (
        <>
          <CreateUserDialog open={creating} onClose={() => setCreating(false)} />
          <EditUserDialog user={editing} onClose={() => setEditing(null)} />
          <ConfirmMutationDialog
            target={resetting}
            mutation={resetTotp}
            variables={(t) => t.id}
            done={(t) => `2FA of ${t.username} is off`}
            onClose={() => setResetting(null)}
            title="Reset two-factor authentication"
            confirmLabel="Reset 2FA"
          >
            Turn off two-factor authentication for <strong>{resetting?.username}</strong>, for example after a lost
            phone? They sign in with their password alone until they set it up again (or are asked to, when their role
            requires it).
          </ConfirmMutationDialog>
          <ConfirmMutationDialog
            target={deleting}
            mutation={remove}
            variables={(t) => t.id}
            done={(t) => `User ${t.username} deleted`}
            onClose={() => setDeleting(null)}
            title="Delete user"
            confirmLabel="Delete user"
          >
            Delete <strong>{deleting?.username}</strong> with their sessions and API tokens? This cannot be undone; the
            audit log keeps their past actions.
          </ConfirmMutationDialog>
        </>
      )}
    </Panel>
  );
}
