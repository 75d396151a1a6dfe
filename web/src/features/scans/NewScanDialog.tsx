import { useId, useMemo, useState, type FormEvent } from "react";
import { fieldError } from "../../api/errors";
import { useToast } from "../../app/toasts";
import { Button } from "../../components/Button";
import { Checkbox } from "../../components/Checkbox";
import { Dialog } from "../../components/Dialog";
import { TextField } from "../../components/Field";
import { FormAlert } from "../../components/FormAlert";
import { useScanScopes, useStartScan } from "./api";
import { profiles } from "./jobs";
import { largeScanAddresses, newScanBody, type NewScanForm } from "./newScan";
import { RadioCard } from "./RadioCard";
import { ScannerFields } from "./ScannerFields";
import { checkTargets, parseScopes, type ScopeCheck } from "./scope";

/** Starts a scan (POST /api/v1/scans): targets, a profile or a port list, the scanner (our engine
 * or nmap with its scripts), and a scope check as the user types. The server checks the scope
 * again; its refusal is shown here. */
export function NewScanDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  return (
    <Dialog open={open} title="New scan" onClose={onClose} wide>
      <NewScanFormView onClose={onClose} />
    </Dialog>
  );
}

const fields = [
  "targets",
  "ports",
  "profile",
  "confirm_large",
  "backend",
  "nmap",
  "nmap.scripts",
  "nmap.os_detection",
] as const;

function NewScanFormView({ onClose }: { onClose: () => void }) {
  const toast = useToast();
  const start = useStartScan();
  const [form, setForm] = useState<NewScanForm>({
    targets: "",
    profile: "quick",
    ports: "",
    confirmLarge: false,
    backend: "engine",
    scripts: "",
    osDetection: false,
  });
  const [problem, setProblem] = useState<{ field: string; message: string } | null>(null);
  const targetsId = useId();
  // An edit answers the last refusal: its message goes until the next attempt.
  const update = (change: Partial<NewScanForm>) => {
    setForm((current) => ({ ...current, ...change }));
    setProblem(null);
    if (start.isError) start.reset();
  };

  const scopes = useScanScopes();
  const scopeList = useMemo(() => (scopes.data?.items ?? []).map((scope) => scope.cidr), [scopes.data]);
  const scopeRanges = useMemo(() => parseScopes(scopeList), [scopeList]);
  const check = useMemo(() => checkTargets(form.targets, scopeRanges), [form.targets, scopeRanges]);

  const error = start.error;
  const messageFor = (field: string) => (problem?.field === field ? problem.message : fieldError(error, field));
  const targetsError = messageFor("targets");
  const portsError = messageFor("ports");
  const confirmError = messageFor("confirm_large");
  const large = check.addresses > largeScanAddresses || confirmError !== undefined;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const result = newScanBody({ ...form, confirmLarge: form.confirmLarge && large });
    if (!("body" in result)) {
      setProblem(result);
      return;
    }
    setProblem(null);
    start.mutate(result.body, {
      onSuccess: (job) => {
        toast(`Scan ${job.id} queued.`, "success");
        onClose();
      },
    });
  };

  return (
    <form onSubmit={submit} className="flex flex-col gap-4" noValidate>
      <div className="flex flex-col gap-1">
        <label htmlFor={targetsId} className="text-sm font-medium text-ink">
          Targets
        </label>
        <textarea
          id={targetsId}
          rows={4}
          value={form.targets}
          onChange={(event) => update({ targets: event.target.value })}
          placeholder={"127.0.0.1\n10.0.0.0/24, 10.0.1.5-40\n!10.0.0.1"}
          spellCheck={false}
          autoComplete="off"
          aria-invalid={targetsError ? true : undefined}
          aria-describedby={`${targetsId}-hint${targetsError ? ` ${targetsId}-error` : ""}`}
          className="w-full rounded-md border border-line bg-panel px-3 py-2 font-mono text-sm text-ink placeholder:text-muted focus:border-accent aria-invalid:border-bad"
        />
        <p id={`${targetsId}-hint`} className="text-xs text-muted">
          Addresses, CIDRs, ranges or host names, separated by commas or new lines; put ! before one to exclude it.
        </p>
        {targetsError && (
          <p id={`${targetsId}-error`} role="alert" className="text-sm text-bad">
            {targetsError}
          </p>
        )}
      </div>

      <ScopeCheckView
        scopes={scopeList}
        loading={scopes.isPending}
        failed={scopes.isError}
        check={form.targets.trim() ? check : null}
      />

      <fieldset className="flex flex-col gap-2">
        <legend className="mb-1 text-sm font-medium text-ink">Profile</legend>
        <div className="grid grid-cols-1 gap-2 sm:grid-cols-2">
          {[...profiles, { id: "custom" as const, label: "Custom ports", ports: "a list or ranges of ports" }].map(
            (profile) => (
              <RadioCard
                key={profile.id}
                name="profile"
                value={profile.id}
                label={profile.label}
                description={profile.ports}
                checked={form.profile === profile.id}
                onSelect={() => update({ profile: profile.id })}
              />
            ),
          )}
        </div>
        {messageFor("profile") && <p className="text-xs text-bad">{messageFor("profile")}</p>}
      </fieldset>

      {form.profile === "custom" && (
        <TextField
          label="Ports"
          value={form.ports}
          onChange={(event) => update({ ports: event.target.value })}
          placeholder="22,80,443,8000-8100"
          hint="Port numbers and ranges separated by commas, topN (top200) or all."
          error={portsError}
          autoComplete="off"
          spellCheck={false}
        />
      )}

      <ScannerFields form={form} update={update} messageFor={messageFor} />

      {large && (
        <div className="flex flex-col gap-1">
          <Checkbox
            label={`Scan ${check.addresses > 0n ? check.addresses.toLocaleString("en-US") : "more than 65,536"} addresses`}
            hint="Scans of more than 65,536 addresses must be confirmed."
            checked={form.confirmLarge}
            onChange={(event) => update({ confirmLarge: event.target.checked })}
          />
          {confirmError && <p className="text-xs text-bad">{confirmError}</p>}
        </div>
      )}

      <FormAlert error={error} fields={fields} />
      <div className="flex justify-end gap-2">
        <Button onClick={onClose}>Cancel</Button>
        <Button type="submit" variant="primary" busy={start.isPending}>
          Start scan
        </Button>
      </div>
    </form>
  );
}

/** What the browser can tell about the targets and the scopes; the server checks again. */
function ScopeCheckView({
  scopes,
  loading,
  failed,
  check,
}: {
  scopes: readonly string[];
  loading: boolean;
  failed: boolean;
  check: ScopeCheck | null;
}) {
  const lines: { tone: "ok" | "bad" | "muted"; text: string }[] = [];
  if (check && !loading && !failed) {
    for (const { entry, message } of check.invalid) lines.push({ tone: "bad", text: `${entry}: ${message}` });
    if (scopes.length === 0) {
      lines.push({ tone: "bad", text: "No scan scopes are configured, so the server refuses every scan." });
    } else if (check.outside.length > 0) {
      const named = check.outside.map(({ entry, ranges }) =>
        ranges.length === 1 && ranges[0] === entry ? entry : `${entry} (${ranges.join(", ")})`,
      );
      lines.push({ tone: "bad", text: `Outside the scan scopes: ${named.join(", ")}. The server will refuse this scan.` });
    } else if (check.invalid.length === 0 && check.addresses > 0n) {
      const count = check.addresses.toLocaleString("en-US");
      const noun = check.addresses === 1n ? "address is" : "addresses are";
      lines.push({ tone: "ok", text: `All ${count} ${noun} inside the scan scopes.` });
    }
    if (check.names.length > 0) {
      lines.push({ tone: "muted", text: `The server resolves and checks host names: ${check.names.join(", ")}.` });
    }
  }
  const toneClass = { ok: "text-ok", bad: "text-bad", muted: "text-muted" };
  return (
    <section aria-label="Scope check" className="flex flex-col gap-1 rounded-md bg-raised px-3 py-2 text-sm">
      <p className="text-xs text-muted">
        {loading
          ? "Loading the scan scopes…"
          : failed
            ? "The scan scopes could not be loaded; the server checks the targets when the scan starts."
            : scopes.length > 0
              ? `Scan scopes: ${scopes.join(", ")}`
              : "Scan scopes: none configured (scanner.scopes, --scan-scope)."}
      </p>
      <div aria-live="polite" className="flex flex-col gap-1">
        {lines.map((line) => (
          <p key={line.text} className={toneClass[line.tone]}>
            {line.text}
          </p>
        ))}
      </div>
    </section>
  );
}
