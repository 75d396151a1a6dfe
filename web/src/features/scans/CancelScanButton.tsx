import { describeError } from "../../api/errors";
import { useToast } from "../../app/toasts";
import { Button } from "../../components/Button";
import { useCancelScan } from "./api";

/** Cancels a queued or running scan (scans:write; the caller decides whether to show it). */
export function CancelScanButton({ id, className }: { id: number; className?: string }) {
  const cancel = useCancelScan();
  const toast = useToast();
  return (
    <Button
      variant="secondary"
      className={className}
      busy={cancel.isPending}
      aria-label={`Cancel scan ${id}`}
      onClick={() =>
        cancel.mutate(id, {
          onSuccess: () => toast(`Scan ${id} cancelled.`, "success"),
          onError: (error) => toast(`Could not cancel scan ${id}: ${describeError(error)}`, "error"),
        })
      }
    >
      Cancel
    </Button>
  );
}
