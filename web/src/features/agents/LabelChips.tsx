/** Labels as small "key=value" chips, in key order; `none` when there are none. */
export function LabelChips({ labels, none = "" }: { labels: Record<string, string>; none?: string }) {
  const keys = Object.keys(labels).sort();
  if (keys.length === 0) return none ? <span className="text-muted">{none}</span> : null;
  return (
    <span className="inline-flex flex-wrap gap-1">
      {keys.map((key) => (
        <span key={key} className="rounded bg-raised px-1.5 py-0.5 font-mono text-xs text-ink">
          {key}={labels[key]}
        </span>
      ))}
    </span>
  );
}
