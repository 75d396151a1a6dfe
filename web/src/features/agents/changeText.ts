// Inventory changes as sentences for the timeline: "Package openssl upgraded 3.0.11 → 3.0.13".
// Item fields are the section schemas of src/inventory/model/sections.cpp.

import type { InventoryChange, InventoryItem } from "./types";
import { compareVersions } from "./versionCompare";

/** 65_173_102_592 → "65.2 GB" (powers of 1000, as disk tools print them). */
export function formatBytes(bytes: number): string {
  const units = ["B", "kB", "MB", "GB", "TB", "PB"];
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}

function text(item: InventoryItem | null, field: string): string {
  const value = item?.[field];
  return typeof value === "string" || typeof value === "number" ? String(value) : "";
}

function showValue(field: string, value: unknown): string {
  if (value === null || value === undefined) return "none";
  if (Array.isArray(value)) return value.length ? value.map(String).join(", ") : "none";
  if (typeof value === "number" && field.endsWith("_bytes")) return formatBytes(value);
  if (typeof value === "boolean") return value ? "yes" : "no";
  if (value === "") return "empty";
  return String(value);
}

// Field names as the timeline says them; the rest have their underscores made spaces.
const fieldNames: Record<string, string> = {
  free_bytes: "free space",
  total_bytes: "size",
  memory_bytes: "memory",
  cpu_cores: "CPU cores",
  cpu_model: "CPU",
  os_pretty_name: "OS",
  os_name: "OS name",
  os_version: "OS version",
  os_id: "OS id",
  fs_type: "file system",
  mtu: "MTU",
  mac: "MAC address",
  uid: "UID",
  gid: "GID",
  pid: "PID",
  ppid: "parent PID",
  cmdline: "command line",
};

/** "shell /bin/sh → /bin/bash; home /home/a → /srv/a": the fields that differ between two items. */
export function fieldChanges(before: InventoryItem | null, after: InventoryItem | null): string {
  const fields = [...new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})])];
  return fields
    .filter((field) => JSON.stringify(before?.[field]) !== JSON.stringify(after?.[field]))
    .map((field) => {
      const name = fieldNames[field] ?? field.replace(/_/g, " ");
      return `${name} ${showValue(field, before?.[field])} → ${showValue(field, after?.[field])}`;
    })
    .join("; ");
}

function hostPort(item: InventoryItem | null): string {
  const address = text(item, "address");
  const port = text(item, "port");
  return address.includes(":") ? `[${address}]:${port}` : `${address}:${port}`;
}

function packageSentence(change: InventoryChange): string {
  const item = change.after ?? change.before;
  const name = text(item, "name");
  const before = text(change.before, "version");
  const after = text(change.after, "version");
  if (change.kind === "added") return `Package ${name} ${after} installed`;
  if (change.kind === "removed") return `Package ${name} ${before} removed`;
  if (before !== after) {
    const verb = compareVersions(after, before) < 0 ? "downgraded" : "upgraded";
    return `Package ${name} ${verb} ${before} → ${after}`;
  }
  return `Package ${name} changed: ${fieldChanges(change.before, change.after)}`;
}

function listeningSentence(change: InventoryChange): string {
  const item = change.after ?? change.before;
  const port = `${text(item, "protocol").toUpperCase()} port ${hostPort(item)}`;
  const process = text(item, "process");
  if (change.kind === "added") return `${port} opened${process ? ` by ${process}` : ""}`;
  if (change.kind === "removed") return `${port} closed${process ? ` (was ${process})` : ""}`;
  return `${port} changed: ${fieldChanges(change.before, change.after)}`;
}

// How the timeline names an item of a section, and what its appearing and going are called.
const named: Record<string, { noun: string; added: string; removed: string }> = {
  users: { noun: "User", added: "created", removed: "deleted" },
  groups: { noun: "Group", added: "created", removed: "deleted" },
  interfaces: { noun: "Network interface", added: "added", removed: "removed" },
  disks: { noun: "Disk", added: "mounted", removed: "unmounted" },
};

/** One change as a sentence a person reads in the timeline. */
export function describeChange(change: InventoryChange): string {
  const item = change.after ?? change.before;
  const differences = () => fieldChanges(change.before, change.after);
  switch (change.section) {
    case "packages":
      return packageSentence(change);
    case "listening":
      return listeningSentence(change);
    case "processes": {
      const who = `Process ${text(item, "name")} (pid ${text(item, "pid")}, ${text(item, "user")})`;
      if (change.kind === "added") return `${who} started`;
      if (change.kind === "removed") return `${who} exited`;
      return `${who} changed: ${differences()}`;
    }
    case "sessions": {
      const user = text(item, "user");
      const tty = text(item, "tty");
      const host = text(item, "host");
      if (change.kind === "added") return `${user} logged in on ${tty}${host ? ` from ${host}` : ""}`;
      if (change.kind === "removed") return `${user} logged out of ${tty}`;
      return `Session of ${user} on ${tty} changed: ${differences()}`;
    }
    case "system":
      return `System changed: ${differences()}`;
    case "users":
    case "groups":
    case "interfaces":
    case "disks": {
      const { noun, added, removed } = named[change.section] ?? { noun: "", added: "", removed: "" };
      const name = `${noun} ${change.key}`;
      if (change.kind === "changed") return `${name} changed: ${differences()}`;
      const where = change.section === "disks" ? ` (${text(item, "fs_type")} on ${text(item, "device")})` : "";
      return `${name} ${change.kind === "added" ? added : removed}${where}`;
    }
    default:
      return `${change.section} ${change.key} ${change.kind}${change.kind === "changed" ? `: ${differences()}` : ""}`;
  }
}
