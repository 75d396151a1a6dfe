import { useState } from "react";
import { fieldError } from "../../api/errors";
import { useToast } from "../../app/toasts";
import { Button } from "../../components/Button";
import { Dialog } from "../../components/Dialog";
import { SelectField, TextField } from "../../components/Field";
import { FormAlert } from "../../components/FormAlert";
import { Panel } from "../../components/Page";
import { EmptyState, ErrorState, Loading } from "../../components/States";
import { Table, Td, Th } from "../../components/Table";
import { When } from "../../components/When";
import { useNow } from "../../lib/useNow";
import { usePolicyVersion, usePolicyVersions, useRollbackPolicy } from "./api";
import { DiffView } from "./DiffView";
import { documentText } from "./policyView";
import type { PolicyDetail, PolicyVersion } from "./types";

/** Every version with author, time and comment; the changes between any two; a version's
 * document; and Rollback (a new version holding an earlier one's document). */
export function HistoryPanel({ policy, canWrite }: { policy: PolicyDetail; canWrite: boolean }) {
  const versions = usePolicyVersions(policy.id);
  const now = useNow(60_000);
  const [shown, setShown] = useState<number | null>(null);
  const [rollbackTo, setRollbackTo] = useState<PolicyVersion | null>(null);
  const newest = policy.version;
  const [from, setFrom] = useState(Math.max(1, newest - 1));
  const [to, setTo] = useState(newest);

  if (versions.isPending) return <Loading label="Loading history" />;
  if (versions.isError) return <ErrorState error={versions.error} onRetry={() => void versions.refetch()} />;
  const items = versions.data;
  return (
    <div className="flex flex-col gap-4">
      <Panel title="Versions">
        <Table label="Policy versions">
          <thead>
            <tr>
              <Th>Version</Th>
              <Th>Saved</Th>
              <Th>Author</Th>
              <Th>Comment</Th>
              <Th>SHA-256</Th>
              <Th>
                <span className="sr-only">Actions</span>
              </Th>
            </tr>
          </thead>
          <tbody>
            {items.map((version) => (
              <tr key={version.version}>
                <Td className="font-medium">
                  v{version.version}
                  {version.version === newest && <span className="text-xs text-muted"> newest</span>}
                </Td>
                <Td className="whitespace-nowrap">
                  <When value={version.created_at} now={now} />
                </Td>
                <Td>{version.author}</Td>
                <Td className="max-w-xs break-words">{version.comment || <span className="text-muted">—</span>}</Td>
                <Td className="font-mono text-xs" title={version.sha256}>
                  {version.sha256.slice(0, 12)}
                </Td>
                <Td className="text-right whitespace-nowrap">
                  <div className="flex justify-end gap-2">
                    <Button
                      variant="ghost"
                      aria-pressed={shown === version.version}
                      onClick={() => setShown(shown === version.version ? null : version.version)}
                    >
                      {shown === version.version ? "Hide document" : `Show v${version.version}`}
                    </Button>
                    {canWrite && version.version !== newest && (
                      <Button onClick={() => setRollbackTo(version)}>Roll back to v{version.version}</Button>
                    )}
                  </div>
                </Td>
              </tr>
            ))}
          </tbody>
        </Table>
      </Panel>
      {shown !== null && <VersionDocument policyId={policy.id} version={shown} />}
      <Panel title="Changes between versions">
        {items.length < 2 ? (
          <EmptyState title="Only one version so far">Each save adds a version to compare.</EmptyState>
        ) : (
          <div className="flex flex-col gap-3">
            <div className="grid max-w-md grid-cols-2 gap-3">
              <SelectField label="From" value={from} onChange={(event) => setFrom(Number(event.target.value))}>
                {items.map((v) => (
                  <option key={v.version} value={v.version}>
                    v{v.version}
                  </option>
                ))}
              </SelectField>
              <SelectField label="To" value={to} onChange={(event) => setTo(Number(event.target.value))}>
                {items.map((v) => (
                  <option key={v.version} value={v.version}>
                    v{v.version}
                  </option>
                ))}
              </SelectField>
            </div>
            {from === to ? (
              <p className="text-sm text-muted">Choose two different versions.</p>
            ) : (
              <DiffView policyId={policy.id} from={from} to={to} />
            )}
          </div>
        )}
      </Panel>
      {canWrite && (
        <RollbackDialog policy={policy} target={rollbackTo} onClose={() => setRollbackTo(null)} />
      )}
    </div>
  );
}

function VersionDocument({ policyId, version }: { policyId: number; version: number }) {
  const found = usePolicyVersion(policyId, version);
  return (
    <Panel title={`Document of v${version}`}>
      {found.isPending ? (
        <Loading label="Loading version" />
      ) : found.isError ? (
        <ErrorState error={found.error} onRetry={() => void found.refetch()} />
      ) : (
        <pre
          aria-label={`Document of v${version}`}
          className="max-h-[32rem] overflow-auto rounded-md bg-raised p-3 font-mono text-xs"
        >
          {documentText(found.data.document)}
        </pre>
      )}
    </Panel>
  );
}

function RollbackDialog({
  policy,
  target,
  onClose,
}: {
  policy: PolicyDetail;
  target: PolicyVersion | null;
  onClose: () => void;
}) {
  const rollback = useRollbackPolicy(policy.id);
  const toast = useToast();
  const [comment, setComment] = useState("");
  const close = () => {
    onClose();
    setComment("");
    rollback.reset();
  };
  const confirm = () => {
    if (!target) return;
    const text = comment.trim();
    rollback.mutate(
      { version: target.version, base_version: policy.version, ...(text ? { comment: text } : {}) },
      {
        onSuccess: (saved) => {
          toast(`Version ${saved.version} holds the document of v${target.version}.`, "success");
          close();
        },
      },
    );
  };
  return (
    <Dialog open={target !== null} title={`Roll back to v${target?.version ?? ""}`} onClose={close}>
      <p className="text-sm text-ink">
        Saves the document of v{target?.version} as a new version (v{policy.version + 1}); the history keeps every
        version. Agents get it with the next apply (Apply now on the status page) or when they connect.
      </p>
      <TextField
        label="Comment"
        value={comment}
        onChange={(event) => setComment(event.target.value)}
        placeholder={`rollback to version ${target?.version ?? ""}`}
        error={fieldError(rollback.error, "comment")}
        autoComplete="off"
      />
      <FormAlert error={rollback.error} fields={["comment"]} />
      <div className="flex justify-end gap-2">
        <Button onClick={close}>Cancel</Button>
        <Button variant="primary" busy={rollback.isPending} onClick={confirm}>
          Roll back
        </Button>
      </div>
    </Dialog>
  );
}
