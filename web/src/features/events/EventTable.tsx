import { Table, Td, Th } from "../../components/Table";
import { formatTime } from "../../lib/time";
import { summaryLine, typeLabel } from "./summary";
import type { HostEvent } from "./types";

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
    <Table label="Events">
      <thead>
        <tr>
          <Th>Time</Th>
          <Th>Host</Th>
          <Th>Type</Th>
          <Th>Summary</Th>
          <Th>
            <span className="sr-only">Details</span>
          </Th>
        </tr>
      </thead>
      <tbody>
        {events.map((event) => {
          const host = hostnames.get(event.agent_id);
          return (
            <tr key={event.id}>
              <Td className="whitespace-nowrap tabular-nums">{formatTime(event.time)}</Td>
              <Td className="whitespace-nowrap">
                {host ?? <span className="font-mono text-xs">{event.agent_id || "—"}</span>}
              </Td>
              <Td className="whitespace-nowrap" title={event.type}>
                {typeLabel(event.type)}
              </Td>
              <Td className="max-w-xl">
                <p className="truncate font-mono text-xs leading-5" title={summaryLine(event)}>
                  {summaryLine(event) || "—"}
                </p>
              </Td>
              <Td className="text-right">
                <button
                  type="button"
                  className="rounded px-2 text-accent hover:underline"
                  onClick={() => onOpen(event)}
                >
                  Details<span className="sr-only"> of event {event.id}</span>
                </button>
              </Td>
            </tr>
          );
        })}
      </tbody>
    </Table>
  );
}
