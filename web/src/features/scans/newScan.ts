// The new-scan form as a request body (POST /api/v1/scans), with the mistakes the form can catch
// before asking. Pure.

import { splitTargets } from "./scope";
import type { NewScan, ScanBackend, ScanProfile } from "./types";

/** Jobs over this many addresses need "confirm_large" (src/scan: kLargeScanAddresses). */
export const largeScanAddresses = 65536;

/** The script categories a nmap job may name; the server refuses the others (brute, dos, …). */
export const nmapScriptCategories = ["default", "safe", "discovery", "version"] as const;

/** The highest "max_rate" a job may ask for (src/scanner: kMaxProbeRate). */
export const maxProbeRate = 1_000_000;

/** How many script entries one job may name (src/scanner: kMaxNmapScripts). */
export const maxNmapScripts = 64;

const scriptName = /^[a-z0-9_-]{1,64}$/;

/** Where a job runs: on this server, on the agents of a group, or on the agents that sit in the
 * target networks (each network scanned only from inside it). */
export type RunsOn = "server" | "group" | "networks";

export interface NewScanForm {
  targets: string;
  profile: ScanProfile | "custom";
  /** The port list of the custom profile: "22,80,443", "1-1024", "top200", "all". */
  ports: string;
  confirmLarge: boolean;
  backend: ScanBackend;
  /** NSE scripts and categories, separated by commas: "default, ssl-cert". nmap only. */
  scripts: string;
  /** nmap only. */
  osDetection: boolean;
  /** Anything but "server" needs our engine. */
  runsOn: RunsOn;
  /** The agents' group when `runsOn` is "group". */
  group: string;
  /** Find the live hosts first and port-scan only those; unchecked scans every address, like
   * nmap -Pn. On the server and on agents alike. */
  discovery: boolean;
  /** Probes per second for the whole job as typed; empty: no cap (the engine's own pace). */
  maxRate: string;
}

export type NewScanResult =
  | { body: NewScan }
  | {
      field: "targets" | "ports" | "nmap.scripts" | "backend" | "agents.group" | "max_rate";
      message: string;
    };

/** The entries of the scripts input, once each in the order typed; or what is wrong with them. */
export function parseScripts(text: string): { scripts: string[] } | { message: string } {
  const scripts = [...new Set(text.split(/[\s,]+/).filter((entry) => entry.length > 0))];
  const bad = scripts.filter((entry) => !scriptName.test(entry));
  if (bad.length > 0) {
    const named = bad.map((entry) => `"${entry.length > 20 ? `${entry.slice(0, 20)}…` : entry}"`).join(", ");
    const noun = bad.length === 1 ? "is not a script or category name" : "are not script or category names";
    return { message: `${named} ${noun}: lower-case letters, digits, - and _, at most 64 characters.` };
  }
  if (scripts.length > maxNmapScripts) return { message: `Name at most ${maxNmapScripts} scripts or categories.` };
  return { scripts };
}

/** The change of choosing a scanner: nmap runs on this server only, so choosing it takes the job
 * back from the agents. */
export function chooseBackend(backend: ScanBackend): Partial<NewScanForm> {
  return backend === "nmap" ? { backend, runsOn: "server" } : { backend };
}

/** The body to send, or the field at fault with a sentence for it. */
export function newScanBody(form: NewScanForm): NewScanResult {
  const targets = splitTargets(form.targets);
  if (targets.length === 0) return { field: "targets", message: "Enter at least one address, range, CIDR or host name." };
  const body: NewScan = { targets };
  if (form.profile === "custom") {
    const ports = form.ports.replace(/\s+/g, "");
    if (!ports) return { field: "ports", message: "List the ports to scan, e.g. 22,80,443 or 1-1024." };
    body.ports = ports;
  } else {
    body.profile = form.profile;
  }
  if (form.confirmLarge) body.confirm_large = true;
  if (form.backend === "nmap") {
    const parsed = parseScripts(form.scripts);
    if ("message" in parsed) return { field: "nmap.scripts", message: parsed.message };
    body.backend = "nmap";
    body.nmap = { scripts: parsed.scripts, os_detection: form.osDetection };
  }
  // Finding hosts first is the default on the server and in agents' shards alike: only turning
  // it off is sent.
  if (!form.discovery) body.discovery = false;
  // Sent only when filled: without it the job keeps the engine's own pace.
  const maxRate = form.maxRate.trim();
  if (maxRate) {
    const rate = Number(maxRate);
    if (!Number.isFinite(rate) || rate <= 0 || rate > maxProbeRate) {
      return { field: "max_rate", message: "Enter probes per second above 0 and at most 1,000,000, or leave it empty." };
    }
    body.max_rate = rate;
  }
  if (form.runsOn === "server") return { body };
  if (form.backend === "nmap") {
    return { field: "backend", message: "A scan split across agents runs on the built-in engine, not nmap." };
  }
  if (form.runsOn === "networks") {
    body.agents = { networks: true };
    return { body };
  }
  const group = form.group.trim();
  if (!group) return { field: "agents.group", message: "Enter the name of the agents' group." };
  body.agents = { group };
  return { body };
}
