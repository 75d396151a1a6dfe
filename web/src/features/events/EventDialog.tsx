import { Link } from "react-router";
import { Dialog } from "../../components/Dialog";
import { formatTime } from "../../lib/time";
import { EventFields } from "./EventFields";
import { summaryLine, typeLabel } from "./summary";
import type { HostEvent } from "./types";

/** Every field of one event; a field can become a filter of the search. */
export function EventDialog({
  event,
  hostname,
  canAgents,
  onClose,
  onFilter,
}: {
  event: HostEvent | null;
  hostname?: string;
  canAgents: boolean;
  onClose: () => void;
  onFilter?: (name: string, value: string) => void;
}) {
  return (
    <Dialog open={event !== null} title="Event details" onClose={onClose} wide>
      {event && (
        <div className="flex max-h-[70vh] flex-col gap-4 overflow-y-auto">
          <p className="font-mono text-xs break-all whitespace-pre-wrap">{summaryLine(event) || "—"}</p>
          <dl className="grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1 text-sm">
            <dt className="text-muted">Time</dt>
            <dd>{formatTime(event.time)}</dd>
            <dt className="text-muted">Received</dt>
            <dd>{formatTime(event.received)}</dd>
            <dt className="text-muted">Type</dt>
            <dd>
              {typeLabel(event.type)} <span className="font-mono text-xs text-muted">{event.type}</span>
            </dd>
            <dt className="text-muted">Host</dt>
            <dd className="min-w-0 break-all">
              {canAgents && event.agent_id ? (
                <Link to={`/agents/${encodeURIComponent(event.agent_id)}`} className="text-accent hover:underline">
                  {hostname ?? event.agent_id}
                </Link>
              ) : (
                (hostname ?? event.agent_id) || "—"
              )}
            </dd>
            <dt className="text-muted">Event id</dt>
            <dd className="font-mono text-xs">
              {event.id}
              {event.seq !== null && ` (agent sequence ${event.seq})`}
            </dd>
          </dl>
          <EventFields data={event.data} label="Event fields" onFilter={onFilter} />
        </div>
      )}
    </Dialog>
  );
}
