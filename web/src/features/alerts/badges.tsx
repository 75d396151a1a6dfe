import { Badge } from "../../components/Page";
import { statusLabel, statusTone } from "./lifecycle";
import { severityClasses, severityLabel } from "./severity";

/** The severity as a coloured badge that also says it in words. */
export function SeverityBadge({ severity }: { severity: string }) {
  return (
    <span className={`inline-flex rounded px-2 py-0.5 text-xs font-semibold whitespace-nowrap ${severityClasses(severity)}`}>
      {severityLabel(severity)}
    </span>
  );
}

export function StatusBadge({ status }: { status: string }) {
  return <Badge tone={statusTone(status)}>{statusLabel(status)}</Badge>;
}
