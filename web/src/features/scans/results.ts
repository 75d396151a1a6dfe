// The results view's pure parts: how a service reads, and the filter box over hosts and ports.

import type { ScanHost, ScanPort, ServiceInfo } from "./types";

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

/** What the filter box matches a port by: "22", "22/tcp", service, product, version, extra info. */
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
  ].map((word) => word.toLowerCase());
}

/**
 * The hosts and ports that match every word of `text` (case-insensitive). A word matches a host
 * by its address or a host name (then all its ports stay), or a port by its number ("443" is
 * exact, "443/tcp" too), service, product, version or extra info (then only matching ports stay).
 */
export function filterHosts(hosts: readonly ScanHost[], text: string): ScanHost[] {
  const words = text.toLowerCase().split(/\s+/).filter((word) => word.length > 0);
  if (words.length === 0) return [...hosts];
  const out: ScanHost[] = [];
  for (const host of hosts) {
    const hostWords = [host.address, ...host.hostnames].map((word) => word.toLowerCase());
    const remaining = words.filter((word) => !hostWords.some((hostWord) => hostWord.includes(word)));
    if (remaining.length === 0) {
      out.push(host);
      continue;
    }
    const ports = host.ports.filter((port) => {
      const portText = portWords(port);
      return remaining.every((word) =>
        /^\d+(\/\w+)?$/.test(word)
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
