import { useEffect, useId, useState } from "react";
import { ApiError } from "../../api/errors";
import { useToast } from "../../app/toasts";
import { Button } from "../../components/Button";
import { FormAlert } from "../../components/FormAlert";
import { Panel } from "../../components/Page";
import { EmptyState, ErrorState, Loading } from "../../components/States";
import { Table, Td, Th } from "../../components/Table";
import { useAgentChoices, useAssignments, useSetAssignments } from "./api";
import { assignmentsBody, newAssignmentRow, rowsOf, type AssignmentRow } from "./assignments";
import type { Assignment } from "./types";

const control =
  "w-full rounded-md border border-line bg-panel px-2 py-1.5 text-sm text-ink focus:border-accent aria-invalid:border-bad";

/** The groups and agents that get this policy, with priorities; editable with firewall:write. */
export function AssignmentsPanel({ policyId, canWrite }: { policyId: number; canWrite: boolean }) {
  const assignments = useAssignments(policyId);
  if (assignments.isPending) return <Loading label="Loading assignments" />;
  if (assignments.isError) return <ErrorState error={assignments.error} onRetry={() => void assignments.refetch()} />;
  return (
    <Panel>
      <div className="flex flex-col gap-3">
        <p className="text-sm text-muted">
          An agent gets one policy: its own assignment wins over its group’s, then the highest priority, then the lowest
          policy id.
        </p>
        {canWrite ? (
          <AssignmentsEditor policyId={policyId} stored={assignments.data} />
        ) : (
          <AssignmentsTable assignments={assignments.data} />
        )}
      </div>
    </Panel>
  );
}

function AssignmentsTable({ assignments }: { assignments: readonly Assignment[] }) {
  if (assignments.length === 0) return <EmptyState title="Not assigned to any group or agent" />;
  return (
    <table aria-label="Assignments" className="w-full border-collapse text-left text-sm">
      <thead>
        <tr>
          <Th>Target</Th>
          <Th>Priority</Th>
          <Th>By</Th>
        </tr>
      </thead>
      <tbody>
        {assignments.map((a) => (
          <tr key={`${a.group ?? ""}:${a.agent_id ?? ""}`}>
            <Td>{a.agent_id !== undefined ? `Agent ${a.agent_id}` : `Group ${a.group ?? ""}`}</Td>
            <Td>{a.priority}</Td>
            <Td>{a.created_by}</Td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function AssignmentsEditor({ policyId, stored }: { policyId: number; stored: readonly Assignment[] }) {
  const save = useSetAssignments(policyId);
  const toast = useToast();
  const { agents, groups } = useAgentChoices();
  const listId = useId();
  const [rows, setRows] = useState<AssignmentRow[]>(() => rowsOf(stored));
  const [problem, setProblem] = useState<{ row: number; message: string } | null>(null);
  useEffect(() => setRows(rowsOf(stored)), [stored]);

  const change = (index: number, patch: Partial<AssignmentRow>) => {
    setRows((current) => current.map((row, i) => (i === index ? { ...row, ...patch } : row)));
    setProblem(null);
    if (save.isError) save.reset();
  };
  const submit = () => {
    const result = assignmentsBody(rows);
    if ("row" in result) {
      setProblem(result);
      return;
    }
    save.mutate(result.body, {
      onSuccess: (items) => toast(`Assignments saved (${items.length}).`, "success"),
    });
  };
  // The server names the entry at fault as "assignments[2].group".
  const serverRow =
    save.error instanceof ApiError && save.error.field ? /^assignments\[(\d+)\]/.exec(save.error.field)?.[1] : undefined;
  const rowError = (index: number) =>
    problem?.row === index ? problem.message : serverRow === String(index) ? (save.error as ApiError).message : undefined;

  return (
    <div className="flex flex-col gap-3">
      {rows.length === 0 ? (
        <p className="text-sm text-muted">Not assigned to any group or agent.</p>
      ) : (
        <Table label="Assignments">
          <thead>
            <tr>
              <Th className="w-32">Kind</Th>
              <Th>Group or agent</Th>
              <Th className="w-28">Priority</Th>
              <Th>
                <span className="sr-only">Actions</span>
              </Th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row, index) => {
              const error = rowError(index);
              return (
                <tr key={index}>
                  <Td>
                    <select
                      aria-label={`Kind of assignment ${index + 1}`}
                      className={control}
                      value={row.kind}
                      onChange={(event) => change(index, { kind: event.target.value as AssignmentRow["kind"] })}
                    >
                      <option value="group">Group</option>
                      <option value="agent">Agent</option>
                    </select>
                  </Td>
                  <Td>
                    <input
                      aria-label={`${row.kind === "group" ? "Group" : "Agent"} of assignment ${index + 1}`}
                      className={control}
                      value={row.value}
                      list={`${listId}-${row.kind}`}
                      aria-invalid={error ? true : undefined}
                      onChange={(event) => change(index, { value: event.target.value })}
                      autoComplete="off"
                      spellCheck={false}
                    />
                    {error && <p className="mt-1 text-xs text-bad">{error}</p>}
                  </Td>
                  <Td>
                    <input
                      aria-label={`Priority of assignment ${index + 1}`}
                      className={control}
                      inputMode="numeric"
                      value={row.priority}
                      onChange={(event) => change(index, { priority: event.target.value })}
                    />
                  </Td>
                  <Td className="text-right">
                    <Button
                      variant="ghost"
                      aria-label={`Remove assignment ${index + 1}`}
                      onClick={() => {
                        setRows((current) => current.filter((_, i) => i !== index));
                        setProblem(null);
                      }}
                    >
                      Remove
                    </Button>
                  </Td>
                </tr>
              );
            })}
          </tbody>
        </Table>
      )}
      <datalist id={`${listId}-group`}>
        {groups.map((group) => (
          <option key={group} value={group} />
        ))}
      </datalist>
      <datalist id={`${listId}-agent`}>
        {agents.map((agent) => (
          <option key={agent.id} value={agent.id}>
            {agent.hostname}
          </option>
        ))}
      </datalist>
      <FormAlert error={serverRow === undefined ? save.error : null} />
      <div className="flex flex-wrap justify-between gap-2">
        <Button onClick={() => setRows((current) => [...current, newAssignmentRow()])}>Add assignment</Button>
        <Button variant="primary" busy={save.isPending} onClick={submit}>
          Save assignments
        </Button>
      </div>
    </div>
  );
}
