import { describeError } from "../../api/errors";
import { Spinner } from "../../components/Button";
import { entryVerdict, summaryLines, type TargetsCheck, type Tone } from "./scope";

const toneClass: Record<Tone, string> = { ok: "text-ok", bad: "text-bad", muted: "text-muted" };
const th = "border-b border-line px-2 py-1 text-xs font-semibold tracking-wide text-muted uppercase";
const td = "border-b border-line px-2 py-1 align-top";

/**
 * What the server says of the targets before the scan starts (POST /api/v1/scan-scopes/check):
 * the scopes, a verdict on the whole list and one row per entry. Advice only: the server checks
 * again on submit, so a failed check never stands in the way.
 */
export function ScopeCheckView({
  scopes,
  check,
  checking,
  error,
}: {
  scopes: { list: readonly string[]; loading: boolean; failed: boolean };
  /** Null while the targets are empty. */
  check: TargetsCheck | null;
  /** An edit waits to be sent, or its answer to come. */
  checking: boolean;
  /** Why the last check failed, if it did. */
  error: unknown;
}) {
  const failed = error !== null && error !== undefined && !checking;
  const lines = check && !scopes.loading && !scopes.failed ? summaryLines(check, scopes.list.length > 0) : [];
  return (
    <section aria-label="Scope check" className="flex flex-col gap-1 rounded-md bg-raised px-3 py-2 text-sm">
      <p className="text-xs text-muted">
        {scopes.loading
          ? "Loading the scan scopes…"
          : scopes.failed
            ? "The scan scopes could not be loaded; the server checks the targets when the scan starts."
            : scopes.list.length > 0
              ? `Scan scopes: ${scopes.list.join(", ")}`
              : "Scan scopes: none configured (scanner.scopes, --scan-scope)."}
      </p>
      <div aria-live="polite" className="flex flex-col gap-1">
        {check && checking && (
          <p className="flex items-center gap-2 text-muted">
            <Spinner small />
            <span>Checking the targets…</span>
          </p>
        )}
        {check && failed && (
          <p className="text-bad">
            The targets could not be checked: {describeError(error)} The server checks them again when the scan
            starts.
          </p>
        )}
        {lines.map((line) => (
          <p key={line.text} className={toneClass[line.tone]}>
            {line.text}
          </p>
        ))}
      </div>
      {check && check.entries.length > 0 && <EntryTable check={check} failed={failed} />}
    </section>
  );
}

/** One row per entry: what it covers and whether the scopes hold it. */
function EntryTable({ check, failed }: { check: TargetsCheck; failed: boolean }) {
  const total = check.addresses;
  return (
    <div className="max-h-48 overflow-auto">
      <table aria-label="Targets checked" className="w-full border-collapse text-left text-xs">
        <thead>
          <tr>
            <th scope="col" className={th}>Target</th>
            <th scope="col" className={`${th} text-right`}>Addresses</th>
            <th scope="col" className={th}>Scope</th>
          </tr>
        </thead>
        <tbody>
          {check.entries.map(({ entry, state }, i) => {
            const verdict = entryVerdict(state, failed);
            return (
              <tr key={`${i}:${entry}`}>
                <td className={`${td} font-mono break-all text-ink`}>{entry}</td>
                <td className={`${td} text-right tabular-nums text-ink`}>
                  {"addresses" in state ? state.addresses.toLocaleString("en-US") : "—"}
                </td>
                <td className={`${td} break-words ${toneClass[verdict.tone]}`}>{verdict.text}</td>
              </tr>
            );
          })}
        </tbody>
        {check.entries.length > 1 && (
          <tfoot>
            <tr>
              <th scope="row" className={`${td} font-medium text-ink`}>
                Whole list
              </th>
              <td className={`${td} text-right tabular-nums font-medium text-ink`}>
                {total ? `${total.exact ? "" : "≤ "}${total.count.toLocaleString("en-US")}` : "—"}
              </td>
              <td className={`${td} text-muted`}>
                {total && !total.exact ? "overlaps and exclusions not taken off" : ""}
              </td>
            </tr>
          </tfoot>
        )}
      </table>
    </div>
  );
}
