import { useState, type FormEvent } from "react";
import { fieldError } from "../../api/errors";
import { useToast } from "../../app/toasts";
import { Button } from "../../components/Button";
import { ConfirmMutationDialog } from "../../components/ConfirmDialog";
import { TextField } from "../../components/Field";
import { FormAlert } from "../../components/FormAlert";
import { Panel } from "../../components/Page";
import { ErrorState, Loading } from "../../components/States";
import { Table, Td, Th } from "../../components/Table";
import { When } from "../../components/When";
import { useNow } from "../../lib/useNow";
import { useAddAllowListEntry, useAllowList, useRemoveAllowListEntry } from "./api";
import { allowListBody, type FieldProblem } from "./blocks";
import { ToneBadge } from "./ToneBadge";
import type { AllowListEntry } from "./types";

/** Addresses never blocked: the built-in ones (loopback, the server's own) and admin networks;
 * adding and removing admin networks for firewall:write. */
export function AllowListPanel({ canWrite }: { canWrite: boolean }) {
  const list = useAllowList();
  const remove = useRemoveAllowListEntry();
  const now = useNow(60_000);
  const [target, setTarget] = useState<AllowListEntry | null>(null);
  return (
    <Panel title="Allow-list">
      <div className="flex flex-col gap-3">
        <p className="text-sm text-muted">These addresses are never blocked, by hand or by a rule.</p>
        {list.isPending ? (
          <Loading label="Loading the allow-list" />
        ) : list.isError ? (
          <ErrorState error={list.error} onRetry={() => void list.refetch()} />
        ) : (
          <Table label="Allow-list">
            <thead>
              <tr>
                <Th>Network</Th>
                <Th>Comment</Th>
                <Th>Added</Th>
                {canWrite && (
                  <Th>
                    <span className="sr-only">Actions</span>
                  </Th>
                )}
              </tr>
            </thead>
            <tbody>
              {list.data.map((entry, index) => (
                <tr key={entry.id ?? `builtin-${index}`}>
                  <Td className="font-mono">{entry.cidr}</Td>
                  <Td className="max-w-xs break-words">{entry.comment || <span className="text-muted">—</span>}</Td>
                  <Td className="whitespace-nowrap">
                    {entry.builtin ? (
                      <ToneBadge tone="neutral">Built in</ToneBadge>
                    ) : (
                      <>
                        <When value={entry.created_at} now={now} />
                        {entry.created_by && <span className="block text-xs text-muted">by {entry.created_by}</span>}
                      </>
                    )}
                  </Td>
                  {canWrite && (
                    <Td className="text-right">
                      {!entry.builtin && entry.id !== null && (
                        <Button aria-label={`Remove ${entry.cidr} from the allow-list`} onClick={() => setTarget(entry)}>
                          Remove
                        </Button>
                      )}
                    </Td>
                  )}
                </tr>
              ))}
            </tbody>
          </Table>
        )}
        {canWrite && <AddEntryForm />}
      </div>
      {canWrite && (
        <ConfirmMutationDialog
          target={target}
          mutation={remove}
          variables={(entry) => entry.id ?? 0}
          done={(entry) => `${entry.cidr} removed from the allow-list.`}
          onClose={() => setTarget(null)}
          title={`Remove ${target?.cidr ?? ""}`}
          confirmLabel="Remove"
        >
          Addresses in {target?.cidr} can be blocked again, by hand or by a rule.
        </ConfirmMutationDialog>
      )}
    </Panel>
  );
}

function AddEntryForm() {
  const add = useAddAllowListEntry();
  const toast = useToast();
  const [cidr, setCidr] = useState("");
  const [comment, setComment] = useState("");
  const [problem, setProblem] = useState<FieldProblem | null>(null);
  const clear = () => {
    setProblem(null);
    if (add.isError) add.reset();
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const result = allowListBody(cidr, comment);
    if (!("body" in result)) {
      setProblem(result);
      return;
    }
    add.mutate(result.body, {
      onSuccess: (entry) => {
        const lifted = entry.lifted_blocks.length;
        toast(
          lifted > 0
            ? `${entry.cidr} allow-listed; ${lifted} active ${lifted === 1 ? "block" : "blocks"} inside it lifted.`
            : `${entry.cidr} allow-listed.`,
          "success",
        );
        setCidr("");
        setComment("");
      },
    });
  };
  return (
    <form
      onSubmit={submit}
      aria-label="Add to the allow-list"
      className="grid grid-cols-1 items-start gap-3 md:grid-cols-[1fr_1fr_auto]"
      noValidate
    >
      <TextField
        label="Network to allow"
        value={cidr}
        onChange={(event) => {
          setCidr(event.target.value);
          clear();
        }}
        placeholder="10.20.0.0/16"
        error={problem?.field === "cidr" ? problem.message : fieldError(add.error, "cidr")}
        autoComplete="off"
        spellCheck={false}
      />
      <TextField
        label="Comment"
        value={comment}
        onChange={(event) => {
          setComment(event.target.value);
          clear();
        }}
        placeholder="office network"
        error={fieldError(add.error, "comment")}
        autoComplete="off"
      />
      <Button type="submit" className="md:mt-6" busy={add.isPending}>
        Add
      </Button>
      <div className="md:col-span-3">
        <FormAlert error={add.error} fields={["cidr", "comment"]} />
      </div>
    </form>
  );
}
