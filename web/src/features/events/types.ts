// Answers of GET /api/v1/events and the stream's "event" messages (src/events/event_routes.cpp,
// src/agents/ingest_writer.cpp). An alert's evidence uses the same event object.

/** A data field's value: flat ECS fields hold text or integers (ADR 0004); server-derived
 * inventory events keep their own shape, with lists and objects. */
export type FieldValue = string | number | boolean | null | FieldValue[] | { [key: string]: FieldValue };

/** One stored event. `time` and `received` are ISO 8601 in answers, Unix ms on the stream. */
export interface HostEvent {
  id: number;
  agent_id: string;
  /** The agent's sequence number; null for events the server made itself. */
  seq: number | null;
  time: string | number;
  received?: string | number;
  /** "log", "fim", "fim.batch", "process.start", "network.connection", "package.installed", ... */
  type: string;
  /** Flat dotted ECS names: {"message": ..., "source.ip": ..., "user.name": ...}. */
  data: Record<string, FieldValue>;
}

/** GET /api/v1/events: a page, newest first; `total` counts every match. */
export interface EventPage {
  items: HostEvent[];
  total: number;
}
