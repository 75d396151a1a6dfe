import { useId } from "react";
import { Checkbox } from "../../components/Checkbox";
import { TextField } from "../../components/Field";
import { chooseBackend, nmapScriptCategories, type NewScanForm } from "./newScan";
import { RadioCardGroup } from "./RadioCard";

const scanners = [
  { id: "engine", label: "Built-in engine", description: "SYN or connect() scan with our service probes" },
  { id: "nmap", label: "nmap", description: "nmap -sV, with NSE scripts and OS detection" },
] as const;

/** Which scanner runs the job and, for nmap, its scripts and OS detection; each with the
 * server's refusal of it (a missing nmap is a refusal of the scanner). Choosing nmap puts the job
 * back on this server. */
export function ScannerFields({
  form,
  update,
  messageFor,
}: {
  form: NewScanForm;
  update: (change: Partial<NewScanForm>) => void;
  messageFor: (field: string) => string | undefined;
}) {
  const errorId = useId();
  const osError = messageFor("nmap.os_detection");
  return (
    <>
      <RadioCardGroup
        legend="Scanner"
        name="backend"
        options={scanners}
        value={form.backend}
        onChange={(backend) => update(chooseBackend(backend))}
        error={messageFor("backend") ?? messageFor("nmap")}
      />

      {form.backend === "nmap" && (
        <div className="flex flex-col gap-3 border-l-2 border-line pl-3">
          <TextField
            label="NSE scripts"
            value={form.scripts}
            onChange={(event) => update({ scripts: event.target.value })}
            placeholder="default, ssl-cert, http-title"
            hint={`Script names or the categories ${nmapScriptCategories.join(", ")}, separated by commas. Scripts that guess passwords, attack or flood a service are refused.`}
            error={messageFor("nmap.scripts")}
            autoComplete="off"
            spellCheck={false}
          />
          <div className="flex flex-col gap-1">
            <Checkbox
              label="OS detection"
              hint="nmap -O: guesses each host's operating system. Needs raw sockets on the server."
              checked={form.osDetection}
              onChange={(event) => update({ osDetection: event.target.checked })}
              aria-invalid={osError ? true : undefined}
              aria-describedby={osError ? `${errorId}-os` : undefined}
            />
            {osError && (
              <p id={`${errorId}-os`} className="text-xs text-bad">
                {osError}
              </p>
            )}
          </div>
        </div>
      )}
    </>
  );
}
