import { useEffect, useState } from "react";
import { ApiError, describeError, fieldError } from "../../api/errors";
import { Button } from "../../components/Button";
import { SelectField } from "../../components/Field";
import { Panel } from "../../components/Page";
import { useToast } from "../../app/toasts";
import { useCan, useMe } from "../auth/session";
import { useUsers } from "../users/api";
import { useUpdateAlert } from "./api";
import { allowedActions, statusLabel } from "./lifecycle";
import type { Alert, AlertStatus } from "./types";

/** The lifecycle buttons the alert's status allows, and its assignee. Only for alerts:write. */
export function TriagePanel({ alert }: { alert: Alert }) {
  return (
    <Panel title="Triage">
      <div className="flex flex-col gap-4">
        <StatusActions alert={alert} />
        <Assignment alert={alert} />
      </div>
    </Panel>
  );
}

function StatusActions({ alert }: { alert: Alert }) {
  const update = useUpdateAlert(String(alert.id));
  const toast = useToast();
  const actions = allowedActions(alert.status);
  const move = (to: AlertStatus) =>
    update.mutate(
      { status: to },
      { onSuccess: (changed) => toast(`Alert is now ${statusLabel(changed.status).toLowerCase()}.`, "success") },
    );
  const error = update.error;
  // A refused move (409, field "status") happens when someone else moved the alert first.
  const message =
    error instanceof ApiError && error.status === 409
      ? `${describeError(error)} The alert may have changed meanwhile; its status above is current.`
      : error
        ? describeError(error)
        : null;
  return (
    <div className="flex flex-col gap-2">
      <p className="text-sm text-muted">
        Status: <span className="font-medium text-ink">{statusLabel(alert.status)}</span>
      </p>
      <div role="group" aria-label="Change status" className="flex flex-wrap gap-2">
        {actions.map((action) => (
          <Button
            key={action.to}
            variant={action.to === "acknowledged" ? "primary" : "secondary"}
            busy={update.isPending && update.variables?.status === action.to}
            disabled={update.isPending}
            onClick={() => move(action.to)}
          >
            {action.label}
          </Button>
        ))}
      </div>
      {message && (
        <p role="alert" className="rounded-md bg-bad/10 px-3 py-2 text-sm text-bad">
          {message}
        </p>
      )}
    </div>
  );
}

/** With users:read a picker of every user; without, "Assign to me" only. */
function Assignment({ alert }: { alert: Alert }) {
  const canUsers = useCan("users:read");
  const me = useMe().data?.user.username ?? "";
  const users = useUsers(canUsers);
  const update = useUpdateAlert(String(alert.id));
  const toast = useToast();
  const [choice, setChoice] = useState(alert.assignee ?? "");
  // Follow changes from elsewhere (the stream, another tab) unless a choice is being made.
  useEffect(() => setChoice(alert.assignee ?? ""), [alert.assignee]);

  const assign = (assignee: string | null) =>
    update.mutate(
      { assignee },
      {
        onSuccess: (changed) =>
          toast(changed.assignee ? `Assigned to ${changed.assignee}.` : "Alert unassigned.", "success"),
      },
    );
  const assigneeError = fieldError(update.error, "assignee");
  const otherError = update.error && !assigneeError ? describeError(update.error) : null;

  const picker = canUsers && !users.isError;
  return (
    <form
      className="flex flex-col gap-2"
      onSubmit={(event) => {
        event.preventDefault();
        assign(choice === "" ? null : choice);
      }}
    >
      {picker ? (
        <div className="flex flex-wrap items-end gap-2">
          <div className="min-w-48 flex-1 sm:flex-none">
            <SelectField
              label="Assignee"
              value={choice}
              disabled={users.isPending}
              error={assigneeError}
              onChange={(event) => setChoice(event.target.value)}
            >
              <option value="">Unassigned</option>
              {/* Keep a current assignee selectable even when the list does not (yet) have them. */}
              {alert.assignee && !users.data?.some((u) => u.username === alert.assignee) && (
                <option value={alert.assignee}>{alert.assignee}</option>
              )}
              {(users.data ?? []).map((user) => (
                <option key={user.id} value={user.username}>
                  {user.display_name && user.display_name !== user.username
                    ? `${user.display_name} (${user.username})`
                    : user.username}
                </option>
              ))}
            </SelectField>
          </div>
          <Button type="submit" busy={update.isPending} disabled={choice === (alert.assignee ?? "")}>
            Assign
          </Button>
        </div>
      ) : (
        <div className="flex flex-wrap items-center gap-2">
          <p className="text-sm text-muted">
            Assignee: <span className="font-medium text-ink">{alert.assignee ?? "nobody"}</span>
          </p>
          {alert.assignee !== me && me && (
            <Button busy={update.isPending} onClick={() => assign(me)}>
              Assign to me
            </Button>
          )}
          {assigneeError && <p className="w-full text-xs text-bad">{assigneeError}</p>}
        </div>
      )}
      {otherError && (
        <p role="alert" className="rounded-md bg-bad/10 px-3 py-2 text-sm text-bad">
          {otherError}
        </p>
      )}
    </form>
  );
}
