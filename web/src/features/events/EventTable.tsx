import { formatTime } from "../../lib/time";
import { summaryLine, typeLabel } from "./summary";
import type { HostEvent } from "./types";

const th = "border-b border-line px-3 py-2 text-xs font-semibold tracking-wide text-muted uppercase";
const td = "border-b border-line px-3 py-2 align-top";

/** Search results; "Details" opens every field of one event. */
export function EventTable({
  events,
  hostnames,
  onOpen,
}: {
  events: readonly HostEvent[];
  hostnames: ReadonlyMap<string, string>;
  onOpen: (event: HostEvent) => void;
}) {
  return (
    <div className="relative -mx-4 overflow-x-auto px-4">
      <table aria-label="Events" className="w-full min-w-max border-collapse text-left text-sm">
        <thead>
          <tr>
            <th scope="col" className={th}>Time</th>
            <th scope="col" className={th}>Host</th>
            <th scope="col" className={th}>Type</th>
            <th scope="col" className={th}>Summary</th>
            <th scope="col" className={th}>
              <span className="sr-only">Details</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {events.map((event) => {
            const host = hostnames.get(event.agent_id);
            return (
              <tr key={event.id}>
                <td className={`${td} whitespace-nowrap tabular-nums`}>{formatTime(event.time)}</td>
                <td className={`${td} whitespace-nowrap`}>
                  {host ?? <span className="font-mono text-xs">{event.agent_id || "—"}</span>}
                </td>
                <td className={`${td} whitespace-nowrap`} title={event.type}>
                  {typeLabel(event.type)}
                </td>
                <td className={`${td} max-w-xl`}>
                  <p className="truncate font-mono text-xs leading-5" title={summaryLine(event)}>
                    {summaryLine(event) || "—"}
                  </p>
                </td>
                <td className={`${td} text-right`}>
                  <button
                    type="button"
                    className="rounded px-2 text-accent hover:underline"
                    onClick={() => onOpen(event)}
                  >
                    Details<span className="sr-only"> of event {event.id}</span>
                  </button>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
