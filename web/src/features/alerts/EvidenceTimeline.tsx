import { useId, useState } from "react";
import { Link } from "react-router";
import { formatTime } from "../../lib/time";
import { EventFields } from "../events/EventFields";
import { keyFields, summaryLine, typeLabel } from "../events/summary";
import type { HostEvent } from "../events/types";

/** The events behind the alert, oldest first: time, type and what happened in one line; each can
 * be opened to every field. */
export function EvidenceTimeline({ events, count }: { events: readonly HostEvent[]; count: number }) {
  return (
    <div className="flex flex-col gap-3">
      {count > events.length && events.length > 0 && (
        <p className="text-sm text-muted">
          The first {events.length.toLocaleString()} of {count.toLocaleString()} matches are kept as evidence.
        </p>
      )}
      <ol aria-label="Evidence events" className="flex flex-col">
        {events.map((event) => (
          <EvidenceItem key={event.id} event={event} />
        ))}
      </ol>
    </div>
  );
}

function EvidenceItem({ event }: { event: HostEvent }) {
  const [open, setOpen] = useState(false);
  const panelId = useId();
  const line = summaryLine(event);
  const extra = keyFields(event);
  return (
    <li className="relative border-l-2 border-line py-2 pl-4">
      <span aria-hidden="true" className="absolute top-3.5 -left-[5px] h-2 w-2 rounded-full bg-accent" />
      <div className="flex flex-wrap items-baseline gap-x-3 gap-y-1 text-sm">
        <time className="whitespace-nowrap text-muted tabular-nums">{formatTime(event.time)}</time>
        <span className="rounded bg-raised px-1.5 py-0.5 text-xs text-muted">{typeLabel(event.type)}</span>
        <button
          type="button"
          aria-expanded={open}
          aria-controls={panelId}
          onClick={() => setOpen((o) => !o)}
          className="ml-auto text-xs text-accent hover:underline"
        >
          {open ? "Hide fields" : "All fields"}
          <span className="sr-only"> of event {event.id}</span>
        </button>
      </div>
      <p className="mt-1 font-mono text-xs break-all whitespace-pre-wrap text-ink">{line || "—"}</p>
      {extra.length > 0 && (
        <ul className="mt-1 flex flex-wrap gap-1.5" aria-label="Key fields">
          {extra.map(([name, value]) => (
            <li key={name} className="max-w-full rounded border border-line px-1.5 py-0.5 font-mono text-xs break-all">
              <span className="text-muted">{name}=</span>
              {value}
            </li>
          ))}
        </ul>
      )}
      {open && (
        <div id={panelId} className="mt-2 rounded-md border border-line bg-surface p-3">
          <EventFields data={event.data} label={`Fields of event ${event.id}`} />
          <p className="mt-2 text-xs text-muted">
            Received {formatTime(event.received)} ·{" "}
            <Link
              to={`/events?agent=${encodeURIComponent(event.agent_id)}&type=${encodeURIComponent(event.type)}`}
              className="text-accent hover:underline"
            >
              More {typeLabel(event.type).toLowerCase()} events from this host
            </Link>
          </p>
        </div>
      )}
    </li>
  );
}
