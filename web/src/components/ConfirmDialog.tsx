import type { UseMutationResult } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { useToast } from "../app/toasts";
import { Button } from "./Button";
import { Dialog } from "./Dialog";
import { FormAlert } from "./FormAlert";

/** Asks before an action that cannot be undone; shows the server's refusal in place. */
export function ConfirmDialog({
  open,
  title,
  confirmLabel,
  busy,
  error,
  onConfirm,
  onClose,
  children,
}: {
  open: boolean;
  title: string;
  confirmLabel: string;
  busy: boolean;
  error: unknown;
  onConfirm: () => void;
  onClose: () => void;
  children: ReactNode;
}) {
  return (
    <Dialog open={open} title={title} onClose={onClose}>
      <div className="text-sm text-ink">{children}</div>
      <FormAlert error={error} />
      <div className="flex flex-wrap justify-end gap-2">
        <Button onClick={onClose}>Cancel</Button>
        <Button variant="danger" busy={busy} onClick={onConfirm}>
          {confirmLabel}
        </Button>
      </div>
    </Dialog>
  );
}

/**
 * A ConfirmDialog for `target` (open while it is not null) that runs `mutation` with
 * `variables(target)`, then toasts `done(target)` and closes; a refusal stays in the dialog.
 */
export function ConfirmMutationDialog<T, V>({
  target,
  mutation,
  variables,
  done,
  onClose,
  ...dialog
}: {
  target: T | null;
  mutation: UseMutationResult<unknown, unknown, V>;
  variables: (target: T) => V;
  done: (target: T) => string;
  onClose: () => void;
  title: string;
  confirmLabel: string;
  children: ReactNode;
}) {
  const toast = useToast();
  const close = () => {
    onClose();
    mutation.reset();
  };
  const confirm = () => {
    if (target === null) return;
    mutation.mutate(variables(target), {
      onSuccess: () => {
        toast(done(target), "success");
        onClose();
      },
    });
  };
  return (
    <ConfirmDialog
      open={target !== null}
      busy={mutation.isPending}
      error={mutation.error}
      onConfirm={confirm}
      onClose={close}
      {...dialog}
    />
  );
}
