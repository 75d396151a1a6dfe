import { ErrorState, Loading } from "../../components/States";
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
import { td, th, ToneBadge } from "./When";

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
        <div className="relative -mx-4 overflow-x-auto px-4">
          <table aria-label="Rule changes" className="w-full min-w-max border-collapse text-left text-sm">
            <thead>
              <tr>
                <th scope="col" className={th}>Change</th>
                <th scope="col" className={th}>Rule</th>
                <th scope="col" className={th}>Where</th>
                <th scope="col" className={th}>Fields</th>
              </tr>
            </thead>
            <tbody>
              {changes.rules.map((rule, index) => (
                <tr key={`${rule.id}-${index}`}>
                  <td className={td}>
                    <ToneBadge tone={changeTone(rule.change)}>{changeLabel(rule.change)}</ToneBadge>
                  </td>
                  <td className={`${td} font-mono text-xs`}>{rule.id}</td>
                  <td className={`${td} whitespace-nowrap`}>{whereText(rule.before, rule.after)}</td>
                  <td className={td}>{fieldsText(rule.fields) || <span className="text-muted">—</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {changes.objects.length > 0 && (
        <div className="relative -mx-4 overflow-x-auto px-4">
          <table aria-label="Object changes" className="w-full min-w-max border-collapse text-left text-sm">
            <thead>
              <tr>
                <th scope="col" className={th}>Change</th>
                <th scope="col" className={th}>Object</th>
                <th scope="col" className={th}>Entries</th>
              </tr>
            </thead>
            <tbody>
              {changes.objects.map((object) => (
                <tr key={`${object.type}-${object.name}`}>
                  <td className={td}>
                    <ToneBadge tone={changeTone(object.change)}>{changeLabel(object.change)}</ToneBadge>
                  </td>
                  <td className={td}>
                    {objectTypeLabel(object.type)} <span className="font-mono text-xs">{object.name}</span>
                    {object.fields && object.fields.length > 0 && (
                      <span className="block text-xs text-muted">{fieldsText(object.fields)}</span>
                    )}
                  </td>
                  <td className={`${td} font-mono text-xs break-words`}>
                    {entriesText(object.added_entries, object.removed_entries) || "—"}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
