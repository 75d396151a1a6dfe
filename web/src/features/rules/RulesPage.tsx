import { useSearchParams } from "react-router";
import { describeError } from "../../api/errors";
import { useToast } from "../../app/toasts";
import { Button } from "../../components/Button";
import { TextField } from "../../components/Field";
import { Page, Panel } from "../../components/Page";
import { EmptyState, ErrorState, Loading } from "../../components/States";
import { Table, Td, Th } from "../../components/Table";
import { formatTime } from "../../lib/time";
import { SeverityBadge } from "../alerts/badges";
import { TagChips } from "../alerts/TagChips";
import { useCan } from "../auth/session";
import { useReloadRules, useRules } from "./api";
import { filterRules, problemLines, reloadMessage, sortFiles } from "./filterRules";
import type { RuleFile, RulesStatus } from "./types";

/** The detection rules: problems in rule files first, then every loaded rule with a filter. */
export function RulesPage() {
  const canRead = useCan("rules:read");
  const canWrite = useCan("rules:write");
  return (
    <Page title="Rules" actions={canRead && canWrite ? <ReloadButton /> : undefined}>
      {canRead ? (
        <RulesView />
      ) : (
        <EmptyState title="Your role cannot see detection rules.">It needs the permission rules:read.</EmptyState>
      )}
    </Page>
  );
}

function ReloadButton() {
  const reload = useReloadRules();
  const toast = useToast();
  return (
    <Button
      variant="primary"
      busy={reload.isPending}
      onClick={() =>
        reload.mutate(undefined, {
          onSuccess: (status) =>
            toast(reloadMessage(status.rules.length, status.problems), status.problems > 0 ? "info" : "success"),
          onError: (error) => toast(`Could not reload the rules: ${describeError(error)}`, "error"),
        })
      }
    >
      Reload rules
    </Button>
  );
}

function RulesView() {
  const rules = useRules();
  if (rules.isPending) return <Loading label="Loading rules" />;
  if (rules.isError) return <ErrorState error={rules.error} onRetry={() => void rules.refetch()} />;
  return <RulesContent status={rules.data} />;
}

function RulesContent({ status }: { status: RulesStatus }) {
  const [params, setParams] = useSearchParams();
  const text = params.get("q") ?? "";
  const setText = (value: string) => setParams(value ? { q: value } : {}, { replace: true });
  const shown = filterRules(status.rules, text);
  const broken = sortFiles(status.files).filter((file) => file.errors.length > 0);

  return (
    <>
      <p className="text-sm text-muted">
        {status.rules.length.toLocaleString()} {status.rules.length === 1 ? "rule" : "rules"} from{" "}
        {status.files.length.toLocaleString()} {status.files.length === 1 ? "file" : "files"}, loaded {formatTime(status.loaded)}.
      </p>
      {broken.length > 0 && <Problems files={broken} total={status.problems} />}
      <Panel title="Loaded rules">
        <div className="flex flex-col gap-3">
          <div className="max-w-md">
            <TextField
              label="Filter rules"
              type="search"
              placeholder="Title, tag (T1110), severity, file…"
              autoComplete="off"
              value={text}
              onChange={(event) => setText(event.target.value)}
            />
          </div>
          {shown.length === 0 ? (
            <EmptyState title={status.rules.length === 0 ? "No rules are loaded" : "No rule matches the filter"} />
          ) : (
            <RuleTable rules={shown} />
          )}
        </div>
      </Panel>
      <Panel title="Rule files">
        <FileTable files={sortFiles(status.files)} />
      </Panel>
    </>
  );
}

/** Files whose rules did not all load, each problem as file:line:column reason. */
function Problems({ files, total }: { files: RuleFile[]; total: number }) {
  return (
    <section
      aria-labelledby="rule-problems"
      className="flex flex-col gap-3 rounded-lg border-2 border-bad/50 bg-bad/5 p-4"
    >
      <h2 id="rule-problems" className="font-semibold text-bad">
        {total.toLocaleString()} {total === 1 ? "problem" : "problems"} in {files.length.toLocaleString()} rule{" "}
        {files.length === 1 ? "file" : "files"}
      </h2>
      <p className="text-sm text-ink">Rules with problems are not loaded; the other rules of these files are.</p>
      {files.map((file) => (
        <div key={file.file} className="flex flex-col gap-1">
          <h3 className="font-mono text-sm font-medium break-all">
            {file.file}{" "}
            <span className="font-sans text-xs font-normal text-muted">
              ({file.rules.toLocaleString()} {file.rules === 1 ? "rule" : "rules"} loaded)
            </span>
          </h3>
          <ul aria-label={`Problems in ${file.file}`} className="flex flex-col gap-1">
            {problemLines(file).map((line, index) => (
              <li key={index} className="font-mono text-xs break-all text-bad">
                {line}
              </li>
            ))}
          </ul>
        </div>
      ))}
    </section>
  );
}

function RuleTable({ rules }: { rules: RulesStatus["rules"] }) {
  return (
    <Table label="Rules">
      <thead>
        <tr>
          <Th>Title</Th>
          <Th>Severity</Th>
          <Th>Kind</Th>
          <Th>Tags</Th>
          <Th>File</Th>
        </tr>
      </thead>
      <tbody>
        {rules.map((rule) => (
          <tr key={`${rule.file}:${rule.id}`}>
            <Td className="max-w-md whitespace-normal">
              <p className="font-medium">{rule.title}</p>
              {rule.description && <p className="text-xs text-muted">{rule.description}</p>}
              <p className="font-mono text-xs text-muted">{rule.id}</p>
            </Td>
            <Td>
              <SeverityBadge severity={rule.severity} />
            </Td>
            <Td>{rule.kind === "correlation" ? "Correlation" : "Sigma"}</Td>
            <Td className="max-w-xs whitespace-normal">
              <TagChips tags={rule.tags} label={`Tags of ${rule.title}`} />
            </Td>
            <Td className="font-mono text-xs">{rule.file}</Td>
          </tr>
        ))}
      </tbody>
    </Table>
  );
}

function FileTable({ files }: { files: RuleFile[] }) {
  if (files.length === 0) return <EmptyState title="No rule files" />;
  return (
    <Table label="Rule files">
      <thead>
        <tr>
          <Th>File</Th>
          <Th className="text-right">Rules</Th>
          <Th>State</Th>
        </tr>
      </thead>
      <tbody>
        {files.map((file) => (
          <tr key={file.file}>
            <Td className="font-mono text-xs">{file.file}</Td>
            <Td className="text-right tabular-nums">{file.rules.toLocaleString()}</Td>
            <Td>
              {file.errors.length === 0 ? (
                <span className="text-ok">OK</span>
              ) : (
                <span className="text-bad">
                  {file.errors.length.toLocaleString()} {file.errors.length === 1 ? "problem" : "problems"}
                </span>
              )}
            </Td>
          </tr>
        ))}
      </tbody>
    </Table>
  );
}
