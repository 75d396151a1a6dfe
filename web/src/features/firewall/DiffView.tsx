import { ErrorState, Loading } from "../../components/States";
import { Table, Td, Th } from "../../components/Table";
import { usePolicyDiff } from "./api";
import {
  changeLabel,
  changeTone,
  diffSummary,
  entriesText,
  fieldsText,
  isEmptyDiff,
  objectTypeLabel,
  whereText,
} from "./diff";
import { ToneBadge } from "./ToneBadge";

/** The per-rule and per-object changes from one version to another. */
export function DiffView({ policyId, from, to }: { policyId: number; from: number; to: number }) {
  const diff = usePolicyDiff(policyId, { from, to });
  if (diff.isPending) return <Loading label="Comparing" />;
  if (diff.isError) return <ErrorState error={diff.error} onRetry={() => void diff.refetch()} />;
  const changes = diff.data.diff;
  if (isEmptyDiff(changes)) {
    return (
      <p role="status" className="text-sm text-muted">
        v{from} and v{to} hold the same policy.
      </p>
    );
  }
  return (
    <div className="flex flex-col gap-3">
      <p role="status" className="text-sm text-ink">
        From v{from} to v{to}: {diffSummary(changes)}
      </p>
      {changes.default_policies.length > 0 && (
        <ul aria-label="Default policy changes" className="text-sm">
          {changes.default_policies.map((change) => (
            <li key={change.chain}>
              Default policy of <span className="font-medium">{change.chain}</span>: {change.before} → {change.after}
            </li>
          ))}
        </ul>
      )}
      {changes.description_changed && <p className="text-sm">The description changed.</p>}
      {changes.rules.length > 0 && (
        <Table label="Rule changes">
          <thead>
            <tr>
              <Th>Change</Th>
              <Th>Rule</Th>
              <Th>Where</Th>
              <Th>Fields</Th>
            </tr>
          </thead>
          <tbody>
            {changes.rules.map((rule, index) => (
              <tr key={`${rule.id}-${index}`}>
                <Td>
                  <ToneBadge tone={changeTone(rule.change)}>{changeLabel(rule.change)}</ToneBadge>
                </Td>
                <Td className="font-mono text-xs">{rule.id}</Td>
                <Td className="whitespace-nowrap">{whereText(rule.before, rule.after)}</Td>
                <Td>{fieldsText(rule.fields) || <span className="text-muted">—</span>}</Td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
      {changes.objects.length > 0 && (
        <Table label="Object changes">
          <thead>
            <tr>
              <Th>Change</Th>
              <Th>Object</Th>
              <Th>Entries</Th>
            </tr>
          </thead>
          <tbody>
            {changes.objects.map((object) => (
              <tr key={`${object.type}-${object.name}`}>
                <Td>
                  <ToneBadge tone={changeTone(object.change)}>{changeLabel(object.change)}</ToneBadge>
                </Td>
                <Td>
                  {objectTypeLabel(object.type)} <span className="font-mono text-xs">{object.name}</span>
                  {object.fields && object.fields.length > 0 && (
                    <span className="block text-xs text-muted">{fieldsText(object.fields)}</span>
                  )}
                </Td>
                <Td className="font-mono text-xs break-words">
                  {entriesText(object.added_entries, object.removed_entries) || "—"}
                </Td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
    </div>
  );
}
