import { describe, expect, it } from "vitest";
import { countPorts, filterHosts, productText, serviceText } from "./results";
import type { ScanHost, ScanPort, ServiceInfo } from "./types";

const service = (overrides: Partial<ServiceInfo> = {}): ServiceInfo => ({
  service: null,
  product: null,
  version: null,
  extra_info: null,
  cpe: [],
  ...overrides,
});

const port = (number: number, info: Partial<ServiceInfo> | null = null): ScanPort => ({
  port: number,
  protocol: "tcp",
  state: "open",
  service: info ? service(info) : null,
  tunnel: null,
  tls: null,
});

const hosts: ScanHost[] = [
  {
    address: "127.0.0.1",
    hostnames: ["localhost"],
    ports: [port(22, { service: "ssh", product: "OpenSSH", version: "9.2p1" }), port(8080, { service: "http" })],
  },
  { address: "127.0.0.2", hostnames: [], ports: [port(443, { service: "https", product: "nginx" }), port(4433)] },
  { address: "127.0.0.3", hostnames: [], ports: [] },
];

const summary = (found: ScanHost[]) => found.map((host) => `${host.address}:${host.ports.map((p) => p.port).join(",")}`);

describe("how a service reads", () => {
  it("joins product, version and extra info", () => {
    expect(productText(service({ product: "OpenSSH", version: "9.2p1", extra_info: "protocol 2.0" }))).toBe(
      "OpenSSH 9.2p1 (protocol 2.0)",
    );
    expect(productText(service({ extra_info: "protocol 2.0" }))).toBe("protocol 2.0");
    expect(productText(null)).toBe("");
    expect(serviceText(service({ service: "ssh", product: "OpenSSH" }))).toBe("ssh OpenSSH");
    expect(serviceText(null)).toBe("unknown service");
  });
});

describe("the results filter", () => {
  it("keeps everything for an empty filter", () => {
    expect(summary(filterHosts(hosts, "  "))).toEqual(["127.0.0.1:22,8080", "127.0.0.2:443,4433", "127.0.0.3:"]);
  });

  it("keeps a whole host matched by address or host name", () => {
    expect(summary(filterHosts(hosts, "127.0.0.2"))).toEqual(["127.0.0.2:443,4433"]);
    expect(summary(filterHosts(hosts, "LOCALHOST"))).toEqual(["127.0.0.1:22,8080"]);
  });

  it("matches a port number exactly, with or without its protocol", () => {
    expect(summary(filterHosts(hosts, "443"))).toEqual(["127.0.0.2:443"]);
    expect(summary(filterHosts(hosts, "443/tcp"))).toEqual(["127.0.0.2:443"]);
    expect(summary(filterHosts(hosts, "80"))).toEqual([]);
  });

  it("matches service, product and version as parts, and needs every word", () => {
    expect(summary(filterHosts(hosts, "http"))).toEqual(["127.0.0.1:8080", "127.0.0.2:443"]);
    expect(summary(filterHosts(hosts, "openssh 9.2"))).toEqual(["127.0.0.1:22"]);
    expect(summary(filterHosts(hosts, "127.0.0.1 http"))).toEqual(["127.0.0.1:8080"]);
    expect(summary(filterHosts(hosts, "nginx ssh"))).toEqual([]);
  });

  it("counts open ports", () => {
    expect(countPorts(hosts)).toBe(4);
  });
});
