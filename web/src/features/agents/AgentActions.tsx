import { useState } from "react";
import { useNavigate } from "react-router";
import { describeError } from "../../api/errors";
import { useToast } from "../../app/toasts";
import { Button } from "../../components/Button";
import { Dialog } from "../../components/Dialog";
import { useDeleteAgent, useRevokeAgent } from "./api";
import { EditLabelsDialog } from "./EditLabelsDialog";
import type { Agent } from "./types";

type Open = "" | "labels" | "revoke" | "delete";

/** Edit labels, Revoke and Delete, each behind a dialog. Render only for users with agents:write. */
export function AgentActions({ agent }: { agent: Agent }) {
  const [open, setOpen] = useState<Open>("");
  const close = () => setOpen("");
  return (
    <>
      <Button onClick={() => setOpen("labels")}>Edit labels</Button>
      {agent.status !== "revoked" && (
        <Button variant="danger" onClick={() => setOpen("revoke")}>
          Revoke
        </Button>
      )}
      <Button variant="ghost" onClick={() => setOpen("delete")}>
        Delete
      </Button>
      <EditLabelsDialog agent={agent} open={open === "labels"} onClose={close} />
      <Dialog open={open === "revoke"} title={`Revoke ${agent.hostname}?`} onClose={close}>
        <RevokeConfirm agent={agent} onClose={close} />
      </Dialog>
      <Dialog open={open === "delete"} title={`Delete ${agent.hostname}?`} onClose={close}>
        <DeleteConfirm agent={agent} onClose={close} />
      </Dialog>
    </>
  );
}

function RevokeConfirm({ agent, onClose }: { agent: Agent; onClose: () => void }) {
  const toast = useToast();
  const revoke = useRevokeAgent(agent.id);
  return (
    <>
      <p className="text-sm">
        The agent's connection is closed and its certificate stops working: it cannot reconnect. Its inventory and
        events stay. To bring the host back, enrol it again with a new token.
      </p>
      {revoke.isError && (
        <p role="alert" className="text-sm text-bad">
          {describeError(revoke.error)}
        </p>
      )}
      <div className="flex justify-end gap-2">
        <Button onClick={onClose}>Cancel</Button>
        <Button
          variant="danger"
          busy={revoke.isPending}
          onClick={() =>
            revoke.mutate(undefined, {
              onSuccess: () => {
                toast(`Revoked ${agent.hostname}.`, "success");
                onClose();
              },
            })
          }
        >
          Revoke agent
        </Button>
      </div>
    </>
  );
}

function DeleteConfirm({ agent, onClose }: { agent: Agent; onClose: () => void }) {
  const toast = useToast();
  const navigate = useNavigate();
  const remove = useDeleteAgent(agent.id);
  return (
    <>
      <p className="text-sm">
        Everything stored about {agent.hostname} is deleted: its inventory, its change history and its events.
        {agent.status !== "revoked" && " Its certificate stops working too."} This cannot be undone.
      </p>
      {remove.isError && (
        <p role="alert" className="text-sm text-bad">
          {describeError(remove.error)}
        </p>
      )}
      <div className="flex justify-end gap-2">
        <Button onClick={onClose}>Cancel</Button>
        <Button
          variant="danger"
          busy={remove.isPending}
          onClick={() =>
            remove.mutate(undefined, {
              onSuccess: () => {
                toast(`Deleted ${agent.hostname}.`, "success");
                navigate("/agents", { replace: true });
              },
            })
          }
        >
          Delete agent
        </Button>
      </div>
    </>
  );
}
