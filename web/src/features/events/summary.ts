import type { FieldValue, HostEvent } from "./types";

type Data = HostEvent["data"];

/** A value as text: lists and objects as compact JSON. */
export function valueText(value: FieldValue | undefined): string {
  if (value === undefined) return "";
  if (value === null) return "null";
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}

function text(data: Data, name: string): string {
  const value = data[name];
  return value === null ? "" : valueText(value);
}

function joined(...parts: string[]): string {
  return parts.filter((part) => part !== "").join(" ");
}

function endpoint(data: Data, side: "source" | "destination"): string {
  const ip = text(data, `${side}.ip`);
  const port = text(data, `${side}.port`);
  if (!ip) return "";
  return port ? (ip.includes(":") ? `[${ip}]:${port}` : `${ip}:${port}`) : ip;
}

/**
 * One line saying what an event is about, for tables and the evidence timeline: the message of a
 * log line, "modified /etc/passwd" for a file change, the command line of a process start, who
 * talked to whom for a connection. Other types fall back to a message or to their first fields.
 */
export function summaryLine(event: Pick<HostEvent, "type" | "data">): string {
  const data = event.data ?? {};
  switch (event.type) {
    case "log":
      return text(data, "message") || joined(text(data, "event.action"), text(data, "user.name"));
    case "fim":
      return joined(text(data, "event.action"), text(data, "file.path"));
    case "fim.batch": {
      const count = text(data, "fim.count");
      const directory = text(data, "file.directory");
      return joined(count ? `${count} changes` : "Many changes", directory ? `under ${directory}` : "");
    }
    case "process.start":
      return (
        text(data, "process.command_line") || text(data, "process.executable") || text(data, "process.name")
      );
    case "network.connection": {
      const from = endpoint(data, "source");
      const to = endpoint(data, "destination");
      const process = text(data, "process.name");
      return joined(
        text(data, "network.direction"),
        text(data, "network.transport"),
        from && to ? `${from} → ${to}` : from || to,
        process ? `(${process})` : "",
      );
    }
    default: {
      const message = text(data, "message");
      if (message) return message;
      return fieldRows(data)
        .filter(([name]) => !hiddenInSummary.has(name))
        .slice(0, 4)
        .map(([name, value]) => `${name}=${value.length > 80 ? `${value.slice(0, 79)}…` : value}`)
        .join(" ");
    }
  }
}

// Added to every event by the server's normaliser: they say nothing about this one event.
const hiddenInSummary = new Set(["event.type", "agent.id", "host.name", "host.hostname"]);

/** Fields worth a glance beside the summary line, in this order, when the event has them. */
const keyFieldNames = [
  "event.outcome",
  "user.name",
  "user.target.name",
  "source.ip",
  "destination.ip",
  "destination.port",
  "process.name",
  "process.pid",
  "file.hash.sha256",
];

/** [name, value] of the key fields present in `data` and not already in the summary line. */
export function keyFields(event: Pick<HostEvent, "type" | "data">): [string, string][] {
  const line = summaryLine(event);
  const data = event.data ?? {};
  return keyFieldNames
    .map((name): [string, string] => [name, text(data, name)])
    .filter(([, value]) => value !== "" && !line.includes(value));
}

/** Every field as [name, text] sorted by name, for the full view; empty values kept ("" says
 * something: the field was there). */
export function fieldRows(data: Record<string, FieldValue> | null | undefined): [string, string][] {
  if (!data || typeof data !== "object") return [];
  return Object.entries(data)
    .map(([name, value]): [string, string] => [name, valueText(value)])
    .sort(([a], [b]) => a.localeCompare(b));
}

/** Event types as people say them. */
export function typeLabel(type: string): string {
  const labels: Record<string, string> = {
    log: "Log line",
    fim: "File change",
    "fim.batch": "File changes",
    "process.start": "Process start",
    "network.connection": "Connection",
    "collector.stats": "Collector counters",
  };
  return labels[type] ?? type;
}
