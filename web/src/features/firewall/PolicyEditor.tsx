import { useEffect, useId, useMemo, useRef, useState } from "react";
import { useNavigate } from "react-router";
import { ApiError, fieldError } from "../../api/errors";
import { useToast } from "../../app/toasts";
import { Button } from "../../components/Button";
import { TextField } from "../../components/Field";
import { FormAlert } from "../../components/FormAlert";
import { Panel } from "../../components/Page";
import { useCreatePolicy, useUpdatePolicy, useValidatePolicy, type PolicyFields } from "./api";
import { AgentField } from "./AgentField";
import { chainsOf, documentText, newPolicyTemplate, readDraft } from "./policyView";
import { hasErrors, placeProblems, problemSummary, refusalProblems } from "./problems";
import { RulesView } from "./RulesView";
import type { PolicyDetail, Problem } from "./types";

/** What the last check found, and the text it checked (problems belong to that text). */
interface Checked {
  text: string;
  lines: ReadonlyMap<string, number>;
  problems: Problem[];
  /** "validated" by Validate, "saved" with the warnings of a save, "refused" by a save. */
  source: "validated" | "saved" | "refused";
  agent: string;
}

// A refused document ("document", invalid_policy) is shown as a sentence, with every problem at its rule
// (the Rules panel places them; the sentence does not list them again).
const fields = ["name", "description", "comment"] as const;

/**
 * The policy editor: the document as JSON in a monospace text area, Validate (optionally for an
 * agent, adding the cut-off check) and Save, with the rules beside it and every problem next to
 * its rule. Saving an existing policy names the version the draft is based on; when someone saved
 * since, the 409 says so and Reload fetches their version. Read-only without firewall:write.
 */
export function PolicyEditor({
  policy,
  canWrite,
  onReload,
}: {
  /** Undefined for a new policy. */
  policy?: PolicyDetail;
  canWrite: boolean;
  /** Fetches the newest version; resolves with it. */
  onReload?: () => Promise<PolicyDetail | undefined>;
}) {
  const toast = useToast();
  const navigate = useNavigate();
  const textId = useId();
  const original = policy ? documentText(policy.document) : newPolicyTemplate;
  const [name, setName] = useState(policy?.name ?? "");
  const [description, setDescription] = useState(policy?.description ?? "");
  const [comment, setComment] = useState("");
  const [text, setText] = useState(original);
  /** The text as last saved or loaded: anything else is an unsaved edit. */
  const [savedText, setSavedText] = useState(original);
  const [baseVersion, setBaseVersion] = useState(policy?.version ?? 0);
  const [agent, setAgent] = useState("");
  const [checked, setChecked] = useState<Checked | null>(null);
  const [syntaxShown, setSyntaxShown] = useState(false);
  const [discarded, setDiscarded] = useState<string | null>(null);

  const validate = useValidatePolicy();
  const create = useCreatePolicy();
  const update = useUpdatePolicy(policy?.id ?? 0);
  const save = policy ? update : create;

  const dirty = text !== savedText;
  // A newer version arrived (a rollback, a reload) while nothing was edited: show it.
  useEffect(() => {
    if (!policy || policy.version === baseVersion || dirty) return;
    const fresh = documentText(policy.document);
    setText(fresh);
    setSavedText(fresh);
    setBaseVersion(policy.version);
    setName(policy.name);
    setDescription(policy.description);
    setChecked(null);
  }, [policy, baseVersion, dirty]);

  const draft = useMemo(() => readDraft(text), [text]);
  // While the text does not read as JSON, the rules stay as they last read.
  const lastReadable = useRef(draft.ok ? draft : readDraft(original));
  if (draft.ok) lastReadable.current = draft;
  const shown = lastReadable.current.ok ? lastReadable.current.document : {};
  const chains = useMemo(() => chainsOf(shown), [shown]);
  const problems = checked?.problems ?? [];
  const placed = useMemo(() => placeProblems(problems, chains.flatMap((chain) => chain.rules)), [problems, chains]);
  const stale = checked !== null && checked.text !== text;

  const edit = (next: string) => {
    setText(next);
    if (save.isError) save.reset();
  };

  const runValidate = (document: unknown, lines: ReadonlyMap<string, number>, checkedText: string) => {
    const agentId = agent.trim();
    validate.mutate(agentId ? { document, agent_id: agentId } : { document }, {
      onSuccess: (result) =>
        setChecked({ text: checkedText, lines, problems: result.problems, source: "validated", agent: agentId }),
    });
  };

  const onValidate = () => {
    setSyntaxShown(true);
    if (!draft.ok) return;
    runValidate(draft.document, draft.lines, text);
  };

  const onSave = () => {
    setSyntaxShown(true);
    if (!draft.ok) return;
    const body: PolicyFields = { name: name.trim(), description, document: draft.document, comment: comment.trim() };
    const savedFrom = text;
    const lines = draft.lines;
    const onError = (error: unknown) => {
      if (!(error instanceof ApiError) || error.code !== "invalid_policy") return;
      // The refusal lists every problem: each goes next to its rule. A server that lists none is
      // asked through Validate.
      const refused = refusalProblems(error);
      if (refused.length > 0) {
        setChecked({ text: savedFrom, lines, problems: refused, source: "refused", agent: "" });
      } else {
        runValidate(body.document, lines, savedFrom);
      }
    };
    if (!policy) {
      create.mutate(body, {
        onSuccess: (saved) => {
          toast(`Policy ${saved.name} created (version 1).`, "success");
          navigate(`/firewall/policies/${saved.id}`, { replace: true });
        },
        onError,
      });
      return;
    }
    update.mutate(
      { ...body, base_version: baseVersion },
      {
        onSuccess: (saved) => {
          setSavedText(savedFrom);
          setBaseVersion(saved.version);
          setComment("");
          setChecked(
            saved.warnings.length > 0
              ? { text: savedFrom, lines, problems: saved.warnings, source: "saved", agent: "" }
              : null,
          );
          toast(`Saved version ${saved.version} of ${saved.name}.`, "success");
        },
        onError,
      },
    );
  };

  const conflict = save.error instanceof ApiError && save.error.code === "version_conflict";
  const reload = async () => {
    if (!onReload) return;
    const fresh = await onReload();
    if (!fresh) return;
    setDiscarded(text);
    const freshText = documentText(fresh.document);
    setText(freshText);
    setSavedText(freshText);
    setBaseVersion(fresh.version);
    setName(fresh.name);
    setDescription(fresh.description);
    setChecked(null);
    save.reset();
  };

  const syntaxError = !draft.ok && (syntaxShown || text.trim() !== "") ? draft.error : null;

  return (
    <div className="grid grid-cols-1 gap-4 xl:grid-cols-[minmax(0,5fr)_minmax(0,7fr)]">
      <Panel title="Document">
        <form
          className="flex flex-col gap-3"
          noValidate
          onSubmit={(event) => {
            event.preventDefault();
            onSave();
          }}
        >
          <div className="grid grid-cols-1 gap-3 sm:grid-cols-2">
            <TextField
              label="Name"
              value={name}
              onChange={(event) => setName(event.target.value)}
              error={fieldError(save.error, "name")}
              readOnly={!canWrite}
              autoComplete="off"
              required
            />
            <TextField
              label="Description"
              value={description}
              onChange={(event) => setDescription(event.target.value)}
              error={fieldError(save.error, "description")}
              readOnly={!canWrite}
              autoComplete="off"
            />
          </div>
          <div className="flex flex-col gap-1">
            <label htmlFor={textId} className="text-sm font-medium text-ink">
              Policy document (JSON)
            </label>
            <textarea
              id={textId}
              value={text}
              onChange={(event) => edit(event.target.value)}
              readOnly={!canWrite}
              rows={24}
              spellCheck={false}
              autoComplete="off"
              aria-invalid={syntaxError ? true : undefined}
              aria-describedby={syntaxError ? `${textId}-syntax` : `${textId}-hint`}
              className="w-full resize-y rounded-md border border-line bg-panel px-3 py-2 font-mono text-xs leading-5 text-ink focus:border-accent aria-invalid:border-bad"
            />
            {syntaxError ? (
              <p id={`${textId}-syntax`} role="alert" className="text-sm text-bad">
                Line {syntaxError.line}, column {syntaxError.column}: {syntaxError.message}
              </p>
            ) : (
              <p id={`${textId}-hint`} className="text-xs text-muted">
                Objects (address sets, port sets, services) and the input, output and forward chains; see
                src/firewall/policy/README.md for every field.
              </p>
            )}
          </div>
          {canWrite && (
            <>
              <TextField
                label="Comment for this version"
                value={comment}
                onChange={(event) => setComment(event.target.value)}
                error={fieldError(save.error, "comment")}
                autoComplete="off"
                hint="Shown in the history."
              />
              <AgentField
                label="Validate for agent (optional)"
                value={agent}
                onChange={setAgent}
                error={fieldError(validate.error, "agent_id")}
                hint="Adds the check that the policy does not cut this agent off the server."
              />
            </>
          )}
          {conflict ? (
            <div role="alert" className="flex flex-col gap-2 rounded-md bg-bad/10 px-3 py-2 text-sm text-bad">
              <p>
                <strong>Version conflict.</strong> {(save.error as ApiError).message}
              </p>
              <div className="flex flex-wrap items-center gap-2">
                <Button onClick={() => void reload()}>Reload newest version</Button>
                <span className="text-xs text-muted">Your edits are replaced; they stay below to copy.</span>
              </div>
            </div>
          ) : (
            <FormAlert error={save.error} fields={fields} listProblems={false} />
          )}
          <FormAlert error={validate.error} fields={["agent_id"]} />
          {canWrite && (
            <div className="flex flex-wrap items-center justify-end gap-2">
              {dirty && policy && <span className="mr-auto text-xs text-muted">Unsaved changes (based on v{baseVersion})</span>}
              <Button onClick={onValidate} busy={validate.isPending}>
                Validate
              </Button>
              <Button type="submit" variant="primary" busy={save.isPending}>
                {policy ? "Save new version" : "Create policy"}
              </Button>
            </div>
          )}
          {discarded !== null && (
            <details className="rounded-md border border-line px-3 py-2 text-sm">
              <summary className="cursor-pointer text-muted">Your edits before the reload</summary>
              <pre className="mt-2 max-h-64 overflow-auto font-mono text-xs">{discarded}</pre>
            </details>
          )}
        </form>
      </Panel>
      <Panel title="Rules">
        <div className="flex flex-col gap-3">
          <CheckSummary checked={checked} stale={stale} />
          {!draft.ok && <p className="text-xs text-muted">The text does not read as JSON; the rules are as they last read.</p>}
          <RulesView chains={chains} placed={placed} lines={checked?.lines} />
        </div>
      </Panel>
    </div>
  );
}

function CheckSummary({ checked, stale }: { checked: Checked | null; stale: boolean }) {
  if (!checked) {
    return <p className="text-xs text-muted">Validate to see every problem next to its rule.</p>;
  }
  const refused = hasErrors(checked.problems);
  const what =
    checked.source === "saved"
      ? "Saved with"
      : checked.source === "refused"
        ? "Not saved:"
        : checked.agent
          ? `Validated for agent ${checked.agent}:`
          : "Validated:";
  return (
    <p role="status" className={`text-sm ${refused ? "text-bad" : checked.problems.length > 0 ? "text-warn" : "text-ok"}`}>
      {what} {problemSummary(checked.problems)}
      {refused && checked.source === "validated" ? " — the server refuses to save it." : "."}
      {stale && <span className="ml-1 text-xs text-muted">(The text changed since.)</span>}
    </p>
  );
}
