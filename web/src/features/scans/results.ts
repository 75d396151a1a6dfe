// The results view's pure parts: how a service, an OS guess and a script's output read, and the
// filter box over hosts and ports.

import type { ScanHost, ScanPort, ScriptOutput, ServiceInfo } from "./types";

/** "OpenSSH 9.2p1 (protocol 2.0)": product, version and extra info, or "" when none is known. */
export function productText(service: ServiceInfo | null | undefined): string {
  if (!service) return "";
  const main = [service.product, service.version].filter((part) => part).join(" ");
  if (!service.extra_info) return main;
  return main ? `${main} (${service.extra_info})` : service.extra_info;
}

/** "ssh OpenSSH 9.2p1", "http", or "unknown service". */
export function serviceText(service: ServiceInfo | null | undefined): string {
  const name = service?.service ?? "";
  const product = productText(service);
  const text = [name, product].filter((part) => part).join(" ");
  return text || "unknown service";
}

/** The name nmap-services gives a port no service was named on ("https-alt"), also for TLS with
 * nothing known inside; null when a service was named or the port has no name. */
export function portGuess(port: Pick<ScanPort, "service" | "tunnel" | "port_name">): string | null {
  const name = port.service?.service ?? "";
  const unnamed = name === "" || (name === "ssl" && !port.tunnel);
  return unnamed && port.port_name ? port.port_name : null;
}

/** "Linux 5.0 - 5.2 (accuracy 95%)", or null when nmap made no guess (or did not run). */
export function osText(host: Pick<ScanHost, "os" | "os_accuracy">): string | null {
  if (!host.os) return null;
  return host.os_accuracy > 0 ? `${host.os} (accuracy ${Math.round(host.os_accuracy)}%)` : host.os;
}

const reasons: Record<string, string> = {
  "echo-reply": "ping reply",
  "syn-ack": "TCP SYN-ACK",
  rst: "TCP reset",
  "icmp-unreachable": "ICMP unreachable from the host",
  "arp-response": "ARP reply",
  "ndp-response": "NDP neighbor advertisement",
};

/** How host discovery found a host up, as people read it ("found by ARP reply, MAC 02:…"), or
 * null when the job did not look for hosts first. */
export function foundText(host: Pick<ScanHost, "reason" | "mac">): string | null {
  if (!host.reason) return host.mac ? `MAC ${host.mac}` : null;
  const how = `found by ${reasons[host.reason] ?? host.reason}`;
  return host.mac ? `${how}, MAC ${host.mac}` : how;
}

/**
 * A script's output as it should show: nmap starts a structured output on a new line and indents
 * every line of it, so blank lines at both ends and the indent all lines share are dropped.
 */
export function scriptText(output: string): string {
  const lines = output.replace(/\r\n?/g, "\n").replace(/^\s*\n/, "").trimEnd().split("\n");
  const indents = lines.filter((line) => line.trim()).map((line) => /^[ \t]*/.exec(line)?.[0].length ?? 0);
  const common = indents.length > 0 ? Math.min(...indents) : 0;
  return lines.map((line) => line.slice(common)).join("\n");
}

/** Outputs longer than this show collapsed, behind (the start of) their first line. */
const shortLines = 4;
const shortChars = 300;
const firstLineChars = 80;

/** How a script's output shows: in full when short, else collapsed behind its first line. */
export function scriptView(script: ScriptOutput): { text: string; long: boolean; firstLine: string; lines: number } {
  const text = scriptText(script.output);
  const lines = text ? text.split("\n").length : 0;
  const first = text.split("\n", 1)[0] ?? "";
  const firstLine = first.length > firstLineChars ? `${first.slice(0, firstLineChars)}…` : first;
  return { text, long: lines > shortLines || text.length > shortChars, firstLine, lines };
}

const scriptWords = (scripts: readonly ScriptOutput[]) => scripts.flatMap((script) => [script.id, script.output]);

/** What the filter box matches a port by: "22", "22/tcp", service, product, version, extra info,
 * its nmap-services name, its scripts' names and outputs. */
function portWords(port: ScanPort): string[] {
  const service = port.service;
  return [
    String(port.port),
    `${port.port}/${port.protocol}`,
    service?.service ?? "",
    service?.product ?? "",
    service?.version ?? "",
    service?.extra_info ?? "",
    ...(service?.cpe ?? []),
    port.tunnel ?? "",
    port.port_name ?? "",
    ...scriptWords(port.scripts),
  ].map((word) => word.toLowerCase());
}

/** A filter word that names a port ("443", "443/tcp"): it matches port numbers only. */
const portNumber = /^\d+(\/\w+)?$/;

/** Whether `word` matches a host by its address or a host name, or (unless it names a port) its
 * OS guess or its scripts' names and outputs. */
function matchesHost(host: ScanHost, word: string): boolean {
  const names = [host.address, ...host.hostnames, host.mac ?? ""];
  const facts = portNumber.test(word) ? [] : [host.os ?? "", ...scriptWords(host.scripts)];
  return [...names, ...facts].some((text) => text.toLowerCase().includes(word));
}

/**
 * The hosts and ports that match every word of `text` (case-insensitive). A word matches a host
 * by its address, a host name, its OS guess or a host script (then all its ports stay), or a port
 * by its number ("443" is exact, "443/tcp" too), service, product, version, extra info or a port
 * script's name or output (then only matching ports stay).
 */
export function filterHosts(hosts: readonly ScanHost[], text: string): ScanHost[] {
  const words = text.toLowerCase().split(/\s+/).filter((word) => word.length > 0);
  if (words.length === 0) return [...hosts];
  const out: ScanHost[] = [];
  for (const host of hosts) {
    const remaining = words.filter((word) => !matchesHost(host, word));
    if (remaining.length === 0) {
      out.push(host);
      continue;
    }
    const ports = host.ports.filter((port) => {
      const portText = portWords(port);
      return remaining.every((word) =>
        portNumber.test(word)
          ? portText.slice(0, 2).includes(word)
          : portText.some((portWord) => portWord.includes(word)),
      );
    });
    if (ports.length > 0) out.push({ ...host, ports });
  }
  return out;
}

/** Open ports over all `hosts`. */
export function countPorts(hosts: readonly ScanHost[]): number {
  return hosts.reduce((sum, host) => sum + host.ports.length, 0);
}
