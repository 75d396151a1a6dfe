import { fieldRows } from "./summary";
import type { HostEvent } from "./types";

/** Every data field of an event as a two-column table; long values wrap instead of widening the page. */
export function EventFields({
  data,
  label,
  onFilter,
}: {
  data: HostEvent["data"];
  label: string;
  /** When given, each row offers to search for events with the same value. */
  onFilter?: (name: string, value: string) => void;
}) {
  const rows = fieldRows(data);
  if (rows.length === 0) return <p className="text-sm text-muted">This event has no fields.</p>;
  return (
    <table aria-label={label} className="w-full border-collapse text-left text-xs">
      <thead className="sr-only">
        <tr>
          <th scope="col">Field</th>
          <th scope="col">Value</th>
          {onFilter && <th scope="col">Action</th>}
        </tr>
      </thead>
      <tbody>
        {rows.map(([name, value]) => (
          <tr key={name} className="border-b border-line align-top last:border-b-0">
            <th scope="row" className="w-1/3 py-1 pr-3 font-mono font-normal break-all text-muted">
              {name}
            </th>
            <td className="py-1 font-mono break-all whitespace-pre-wrap text-ink">{value}</td>
            {onFilter && (
              <td className="py-1 pl-2 text-right">
                <button
                  type="button"
                  className="rounded px-1.5 text-accent hover:underline"
                  onClick={() => onFilter(name, value)}
                >
                  Filter<span className="sr-only"> by {name}</span>
                </button>
              </td>
            )}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
