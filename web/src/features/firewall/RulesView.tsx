import { Td, Th } from "../../components/Table";
import type { PlacedProblems } from "./problems";
import { ProblemList } from "./ProblemList";
import type { ChainView } from "./policyView";

/**
 * The document's chains and rules as tables, read-only, with each problem in the rows right
 * under the rule it concerns (a rule and its problems form one row group named "Rule ID").
 */
export function RulesView({
  chains,
  placed,
  lines,
}: {
  chains: readonly ChainView[];
  placed: PlacedProblems;
  lines: ReadonlyMap<string, number> | undefined;
}) {
  return (
    <div className="flex flex-col gap-4">
      <ProblemList problems={placed.document} lines={lines} label="Problems of the document" />
      {chains.map((chain) => (
        <section key={chain.chain} aria-label={`Chain ${chain.chain}`} className="flex flex-col gap-2">
          <h3 className="text-sm font-semibold text-ink">
            {chain.chain}{" "}
            <span className="font-normal text-muted">
              · default {chain.policy} · {chain.rules.length} {chain.rules.length === 1 ? "rule" : "rules"}
            </span>
          </h3>
          <ProblemList problems={placed.chains.get(chain.chain) ?? []} lines={lines} label={`Problems of chain ${chain.chain}`} />
          {chain.rules.length > 0 && (
            <div className="relative -mx-4 overflow-x-auto px-4">
              <table aria-label={`Rules of ${chain.chain}`} className="w-full min-w-[36rem] border-collapse text-left text-sm">
                <thead>
                  <tr>
                    <Th className="w-10">#</Th>
                    <Th>Rule</Th>
                    <Th>Source</Th>
                    <Th>Destination</Th>
                    <Th>Traffic</Th>
                    <Th>Action</Th>
                  </tr>
                </thead>
                {chain.rules.map((rule) => {
                  const problems = placed.rules.get(rule.key) ?? [];
                  const hasError = problems.some((p) => p.severity === "error");
                  const marker = hasError ? "border-l-bad" : problems.length > 0 ? "border-l-warn" : "border-l-transparent";
                  const name = rule.id || `#${rule.index + 1}`;
                  return (
                    <tbody key={rule.key} aria-label={`Rule ${name}`}>
                      <tr className={`border-l-4 ${marker} ${rule.enabled ? "" : "text-muted"}`}>
                        <Td className="tabular-nums text-muted">{rule.index + 1}</Td>
                        <Td className="max-w-56">
                          <span className="font-mono text-xs font-medium">{rule.id || "(no id)"}</span>
                          {!rule.enabled && <span className="ml-2 text-xs text-muted">disabled</span>}
                          {rule.comment && <p className="truncate text-xs text-muted" title={rule.comment}>{rule.comment}</p>}
                        </Td>
                        <Td className="max-w-48 break-words font-mono text-xs">{rule.source}</Td>
                        <Td className="max-w-48 break-words font-mono text-xs">{rule.destination}</Td>
                        <Td className="max-w-56 break-words font-mono text-xs">{rule.traffic}</Td>
                        <Td>
                          <ActionText action={rule.action} />
                        </Td>
                      </tr>
                      {problems.length > 0 && (
                        <tr className={`border-l-4 ${marker}`}>
                          <td className="border-b border-line" />
                          <td colSpan={5} className="border-b border-line px-3 pb-2">
                            <ProblemList problems={problems} lines={lines} label={`Problems of rule ${name}`} />
                          </td>
                        </tr>
                      )}
                    </tbody>
                  );
                })}
              </table>
            </div>
          )}
        </section>
      ))}
    </div>
  );
}

function ActionText({ action }: { action: string }) {
  const tone = action === "accept" ? "text-ok" : action === "drop" || action === "reject" ? "text-bad" : "text-ink";
  return <span className={`font-medium ${tone}`}>{action || "—"}</span>;
}
