// Answers of the agents and inventory API, as src/agents/agent_json.cpp and
// src/inventory/routes.cpp write them (checked against a running server).

export type AgentStatus = "online" | "offline" | "revoked";

/** GET /api/v1/agents/{id}, one item of GET /api/v1/agents, and `agent` of a stream message. */
export interface Agent {
  id: string;
  hostname: string;
  os: string;
  kernel: string;
  arch: string;
  agent_version: string;
  group: string | null;
  labels: Record<string, string>;
  status: AgentStatus;
  /** ISO 8601 times; null when it has not happened. */
  enrolled_at: string;
  first_seen: string | null;
  last_seen: string | null;
  address: string | null;
  revoked_at: string | null;
  certificate: { serial: string; not_after: string } | null;
}

/** GET /api/v1/agents?limit&offset: one page; `total` counts every match. */
export interface AgentPage {
  items: Agent[];
  total: number;
}

/** What a stream message of type "agent" says happened. */
export type AgentAction = "enrolled" | "connected" | "disconnected" | "updated" | "revoked" | "deleted";

/** POST /api/v1/agents/enroll-tokens body. */
export interface EnrollTokenRequest {
  group?: string;
  labels?: Record<string, string>;
  expires_in_minutes?: number;
}

/** POST /api/v1/agents/enroll-tokens answer: the token text is in it this once only. */
export interface CreatedEnrollToken {
  id: number;
  token: string;
  expires_at: string;
  group: string | null;
  labels: Record<string, string>;
  /** "sentinel-agent --server URL --enroll-token TOKEN --data-dir /var/lib/sentinel-agent" */
  command: string;
}

/** PATCH /api/v1/agents/{id} body: a null group clears it, a null label value removes the label. */
export interface AgentUpdate {
  group?: string | null;
  labels?: Record<string, string | null>;
}

/** GET /api/v1/agents/{id}/packages: a bare array, sorted by name. */
export interface PackageItem {
  name: string;
  version: string;
  arch: string;
  source: "dpkg" | "rpm";
}

/** Items of GET /api/v1/agents/{id}/inventory/processes. Times are Unix seconds. */
export interface ProcessItem {
  pid: number;
  ppid: number;
  uid: number;
  user: string;
  name: string;
  cmdline: string;
  start_time: number;
}

/** Items of GET /api/v1/agents/{id}/inventory/listening. */
export interface ListeningItem {
  protocol: "tcp" | "udp";
  address: string;
  port: number;
  pid: number | null;
  process: string | null;
  uid: number;
  user: string;
}

/** Items of GET /api/v1/agents/{id}/inventory/users. */
export interface UserItem {
  name: string;
  uid: number;
  gid: number;
  home: string;
  shell: string;
}

/** The inventory sections the server knows (include/sentinel/inventory/sections.h). */
export type InventorySection =
  | "system"
  | "interfaces"
  | "disks"
  | "packages"
  | "processes"
  | "listening"
  | "users"
  | "groups"
  | "sessions";

/** GET /api/v1/agents/{id}/inventory/{section}. */
export interface SectionAnswer<T> {
  items: T[];
}

/** One inventory item as stored: the fields of its section's schema. */
export type InventoryItem = Record<string, unknown>;

/** One entry of GET /api/v1/agents/{id}/changes (newest first; `before` pages by id). */
export interface InventoryChange {
  id: number;
  time: string;
  section: InventorySection | string;
  kind: "added" | "removed" | "changed";
  key: string;
  before: InventoryItem | null;
  after: InventoryItem | null;
}

export interface ChangesAnswer {
  items: InventoryChange[];
}

/** A stream message of type "event": one stored event of an agent. */
export interface EventMessage {
  type: "event";
  event: { agent_id: string; seq: number | null; time: number; type: string; data: unknown };
}
