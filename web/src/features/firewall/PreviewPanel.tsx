import { useState, type FormEvent } from "react";
import { fieldError } from "../../api/errors";
import { Button } from "../../components/Button";
import { SelectField } from "../../components/Field";
import { FormAlert } from "../../components/FormAlert";
import { Panel } from "../../components/Page";
import { Loading } from "../../components/States";
import { usePolicyPreview, usePolicyVersions } from "./api";
import { AgentField } from "./AgentField";
import { problemSummary } from "./problems";
import { ProblemList } from "./ProblemList";
import type { PolicyDetail } from "./types";

/** The exact nftables text an agent would load for a version, with the problems for that agent
 * (the cut-off check needs one). */
export function PreviewPanel({ policy }: { policy: PolicyDetail }) {
  const versions = usePolicyVersions(policy.id);
  const [version, setVersion] = useState(policy.version);
  const [agent, setAgent] = useState("");
  const [wanted, setWanted] = useState<{ version: number; agent: string } | null>({ version: policy.version, agent: "" });
  const preview = usePolicyPreview(policy.id, wanted);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setWanted({ version, agent: agent.trim() });
  };

  return (
    <Panel>
      <div className="flex flex-col gap-4">
        <form onSubmit={submit} className="grid grid-cols-1 items-end gap-3 md:grid-cols-[1fr_12rem_auto]" noValidate>
          <AgentField
            label="Agent (optional)"
            value={agent}
            onChange={setAgent}
            error={fieldError(preview.error, "agent")}
            hint="With an agent, the check that it can still reach the server."
          />
          <SelectField label="Version" value={version} onChange={(event) => setVersion(Number(event.target.value))}>
            {(versions.data ?? [{ version: policy.version }]).map((v) => (
              <option key={v.version} value={v.version}>
                v{v.version}
                {v.version === policy.version ? " (newest)" : ""}
              </option>
            ))}
          </SelectField>
          <Button type="submit" variant="primary" busy={preview.isFetching}>
            Show preview
          </Button>
        </form>
        <FormAlert error={preview.error} fields={["agent"]} />
        {preview.isPending && wanted !== null ? (
          <Loading label="Compiling" />
        ) : preview.data ? (
          <>
            <p role="status" className="text-sm text-muted">
              Version {preview.data.version}
              {preview.data.agent_id ? ` for agent ${preview.data.agent_id}` : " for any agent"}:{" "}
              {problemSummary(preview.data.problems)}
            </p>
            <ProblemList problems={preview.data.problems} label="Problems of the preview" />
            {preview.data.nft !== null ? (
              <pre
                aria-label="nftables ruleset"
                className="max-h-[36rem] overflow-auto rounded-md bg-raised p-3 font-mono text-xs leading-5 text-ink"
              >
                {preview.data.nft}
              </pre>
            ) : (
              <p className="text-sm text-bad">Nothing is compiled while the version has errors for this agent.</p>
            )}
          </>
        ) : null}
      </div>
    </Panel>
  );
}
