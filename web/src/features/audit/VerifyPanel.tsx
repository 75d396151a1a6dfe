import { Button } from "../../components/Button";
import { describeError } from "../../api/errors";
import { formatTime } from "../../lib/time";
import { useAuditVerification } from "./api";

/** The hash chain's state, where nobody misses it: intact with the count checked, or where it
 * breaks and why; "Verify again" checks the whole chain anew. */
export function VerifyPanel() {
  const verification = useAuditVerification();
  const { data } = verification;
  const tone = verification.isError ? "bad" : !data ? "line" : data.intact ? "ok" : "bad";
  const border = { ok: "border-ok/40 bg-ok/10", bad: "border-bad/40 bg-bad/10", line: "border-line bg-panel" }[tone];
  return (
    <section
      aria-label="Audit chain verification"
      className={`flex flex-wrap items-center justify-between gap-3 rounded-lg border p-4 ${border}`}
    >
      <div role="status" aria-live="polite" className="flex min-w-0 items-start gap-3">
        <span aria-hidden="true" className={`text-2xl leading-none ${tone === "ok" ? "text-ok" : tone === "bad" ? "text-bad" : "text-muted"}`}>
          {tone === "ok" ? "✓" : tone === "bad" ? "✗" : "…"}
        </span>
        <div className="min-w-0">
          {verification.isError ? (
            <>
              <p className="font-medium text-bad">The audit chain could not be verified.</p>
              <p className="text-sm text-muted">{describeError(verification.error)}</p>
            </>
          ) : !data ? (
            <p className="font-medium text-ink">Verifying the audit chain…</p>
          ) : data.intact ? (
            <>
              <p className="font-medium text-ok">Audit chain intact</p>
              <p className="text-sm text-muted">
                {data.checked.toLocaleString()} {data.checked === 1 ? "entry" : "entries"} checked, none altered or
                missing · {formatTime(verification.dataUpdatedAt)}
              </p>
            </>
          ) : (
            <>
              <p className="font-medium text-bad">
                Audit chain broken{data.first_broken_seq !== null && ` at entry #${data.first_broken_seq}`}
              </p>
              <p className="text-sm text-ink">{data.problem || "An entry does not match the chain."}</p>
              <p className="text-sm text-muted">
                {data.checked.toLocaleString()} entries checked · {formatTime(verification.dataUpdatedAt)}. Entries from
                there on may have been altered or removed.
              </p>
            </>
          )}
        </div>
      </div>
      <Button busy={verification.isFetching} onClick={() => void verification.refetch()}>
        Verify again
      </Button>
    </section>
  );
}
