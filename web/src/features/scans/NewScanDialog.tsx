import { useId, useMemo, useState, type FormEvent } from "react";
import { fieldError } from "../../api/errors";
import { useToast } from "../../app/toasts";
import { Button } from "../../components/Button";
import { Checkbox } from "../../components/Checkbox";
import { Dialog } from "../../components/Dialog";
import { TextField } from "../../components/Field";
import { FormAlert } from "../../components/FormAlert";
import { useScanScopes, useScopeCheck, useStartScan } from "./api";
import { profiles } from "./jobs";
import { largeScanAddresses, newScanBody, type NewScanForm } from "./newScan";
import { RadioCardGroup, type RadioCardOption } from "./RadioCard";
import { RunsOnFields } from "./RunsOnFields";
import { ScannerFields } from "./ScannerFields";
import { addressesText, planScopeCheck, readScopeCheck, sameTargets, splitTargets } from "./scope";
import { ScopeCheckView } from "./ScopeCheckView";
import { useDebounced } from "./useDebounced";

/** Starts a scan (POST /api/v1/scans): targets, a profile or a port list, the scanner (our engine
 * or nmap with its scripts), where it runs (this server or agents), and the server's scope check
 * of the targets as the user types. The server checks the scope again on submit; its refusal is
 * shown here. */
export function NewScanDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  return (
    <Dialog open={open} title="New scan" onClose={onClose} wide>
      <NewScanFormView onClose={onClose} />
    </Dialog>
  );
}

/** How long typing must pause before the targets are sent for a scope check. */
const checkDelayMs = 350;

const profileOptions: readonly RadioCardOption<NewScanForm["profile"]>[] = [
  ...profiles.map((profile) => ({ id: profile.id, label: profile.label, description: profile.ports })),
  { id: "custom", label: "Custom ports", description: "a list or ranges of ports" },
];

const fields = [
  "targets",
  "ports",
  "profile",
  "confirm_large",
  "backend",
  "nmap",
  "nmap.scripts",
  "nmap.os_detection",
  "agents",
  "agents.group",
  "agents.networks",
  "discovery",
  "max_rate",
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
    runsOn: "server",
    group: "",
    discovery: true,
    maxRate: "",
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
  // The rows follow the text as typed; the server is asked once typing pauses.
  const plan = useMemo(() => planScopeCheck(splitTargets(form.targets)), [form.targets]);
  const asked = useDebounced(plan, checkDelayMs);
  const scopeCheck = useScopeCheck(asked.targets);
  const check = useMemo(() => readScopeCheck(plan, scopeCheck.data?.items), [plan, scopeCheck.data]);
  const checking = plan.targets.length > 0 && (!sameTargets(plan.targets, asked.targets) || scopeCheck.isFetching);

  const error = start.error;
  const messageFor = (field: string) => (problem?.field === field ? problem.message : fieldError(error, field));
  const targetsError = messageFor("targets");
  const portsError = messageFor("ports");
  const confirmError = messageFor("confirm_large");
  const total = check.addresses;
  const large = (total !== null && total.count > largeScanAddresses) || confirmError !== undefined;
  const largeText = total
    ? `${total.exact ? "" : "up to "}${addressesText(total.count)}`
    : "more than 65,536 addresses";

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
        scopes={{ list: scopeList, loading: scopes.isPending, failed: scopes.isError }}
        check={plan.entries.length > 0 ? check : null}
        checking={checking}
        error={scopeCheck.error}
      />

      <RadioCardGroup
        legend="Profile"
        name="profile"
        options={profileOptions}
        value={form.profile}
        onChange={(profile) => update({ profile })}
        error={messageFor("profile")}
      />

      {form.profile === "custom" && (
        <TextField
          label="Ports"
          value={form.ports}
          onChange={(event) => update({ ports: event.target.value })}
          placeholder="22,80,443,8000-8100"
          hint="Port numbers and ranges separated by commas, topN (top200) or all; U: marks UDP ports (top1000,U:top20)."
          error={portsError}
          autoComplete="off"
          spellCheck={false}
        />
      )}

      <ScannerFields form={form} update={update} messageFor={messageFor} />

      <RunsOnFields form={form} update={update} messageFor={messageFor} />

      <div className="flex flex-col gap-1">
        <Checkbox
          label="Find live hosts first"
          hint={
            form.runsOn === "server"
              ? "Pings, and ARP or NDP on a local network, decide which hosts are up; only those are port-scanned, and hosts up without open ports are listed too. Unchecked, every address is port-scanned, like nmap -Pn."
              : "Each agent pings its share of the targets, and asks by ARP or NDP on its own local networks, then port-scans only the hosts up; hosts up without open ports are listed too. Unchecked, every address is port-scanned, like nmap -Pn."
          }
          checked={form.discovery}
          onChange={(event) => update({ discovery: event.target.checked })}
        />
        {messageFor("discovery") && <p className="text-xs text-bad">{messageFor("discovery")}</p>}
      </div>

      <TextField
        label="Max rate (probes/s)"
        type="number"
        inputMode="decimal"
        step="any"
        value={form.maxRate}
        onChange={(event) => update({ maxRate: event.target.value })}
        placeholder="No cap"
        hint={
          form.runsOn === "server"
            ? "Probes per second at most, in every phase (like nmap --max-rate), to spare a fragile network. Empty: no cap."
            : "Probes per second at most for the whole scan, split evenly across the agents that scan at once (like nmap --max-rate). Empty: no cap."
        }
        error={messageFor("max_rate")}
        autoComplete="off"
      />

      {large && (
        <div className="flex flex-col gap-1">
          <Checkbox
            label={`Scan ${largeText}`}
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
