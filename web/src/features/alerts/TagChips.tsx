import { tagChips } from "./attack";

/** Rule tags as chips; ATT&CK ones link to their page on attack.mitre.org in a new tab. */
export function TagChips({ tags, label = "Tags" }: { tags: readonly string[]; label?: string }) {
  if (tags.length === 0) return <span className="text-muted">—</span>;
  const chips = tagChips(tags);
  return (
    <ul aria-label={label} className="flex flex-wrap gap-1.5">
      {chips.map((chip, index) => (
        <li key={`${chip.label}-${index}`}>
          {chip.url ? (
            <a
              href={chip.url}
              target="_blank"
              rel="noreferrer"
              title={`${chip.description} on attack.mitre.org`}
              className="inline-flex rounded border border-line bg-raised px-2 py-0.5 font-mono text-xs text-accent hover:underline"
            >
              {chip.label}
            </a>
          ) : (
            <span title={chip.description} className="inline-flex rounded border border-line px-2 py-0.5 font-mono text-xs text-muted">
              {chip.label}
            </span>
          )}
        </li>
      ))}
    </ul>
  );
}
