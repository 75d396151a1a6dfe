/** Labels as small "key=value" chips, in key order; `none` when there are none. `nowrap` keeps them
 * on one line (in a table row, where the cell cuts off what does not fit). */
export function LabelChips({
  labels,
  none = "",
  nowrap = false,
}: {
  labels: Record<string, string>;
  none?: string;
  nowrap?: boolean;
}) {
  const keys = Object.keys(labels).sort();
  if (keys.length === 0) return none ? <span className="text-muted">{none}</span> : null;
  return (
    <span className={`inline-flex gap-1 ${nowrap ? "whitespace-nowrap" : "flex-wrap"}`}>
      {keys.map((key) => (
        <span key={key} className="rounded bg-raised px-1.5 py-0.5 font-mono text-xs text-ink">
          {key}={labels[key]}
        </span>
      ))}
    </span>
  );
}
