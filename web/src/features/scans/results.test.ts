import { describe, expect, it } from "vitest";
import {
  countPorts,
  filterHosts,
  foundText,
  osText,
  portGuess,
  productText,
  scriptText,
  scriptView,
  serviceText,
} from "./results";
import type { ScanHost, ScanPort, ScriptOutput, ServiceInfo } from "./types";

const service = (overrides: Partial<ServiceInfo> = {}): ServiceInfo => ({
  service: null,
  product: null,
  version: null,
  extra_info: null,
  cpe: [],
  ...overrides,
});

const port = (number: number, info: Partial<ServiceInfo> | null = null, scripts: ScriptOutput[] = []): ScanPort => ({
  port: number,
  protocol: "tcp",
  state: "open",
  service: info ? service(info) : null,
  tunnel: null,
  port_name: null,
  tls: null,
  scripts,
});

const host = (address: string, ports: ScanPort[], overrides: Partial<ScanHost> = {}): ScanHost => ({
  address,
  hostnames: [],
  reason: null,
  mac: null,
  os: null,
  os_accuracy: 0,
  scripts: [],
  ports,
  ...overrides,
});

const hosts: ScanHost[] = [
  host(
    "127.0.0.1",
    [port(22, { service: "ssh", product: "OpenSSH", version: "9.2p1" }), port(8080, { service: "http" })],
    { hostnames: ["localhost"] },
  ),
  host("127.0.0.2", [
    port(443, { service: "https", product: "nginx" }, [{ id: "http-title", output: "Welcome to nginx!" }]),
    port(4433),
  ]),
  host("127.0.0.3", [], { os: "Linux 5.0 - 5.2", os_accuracy: 95, scripts: [{ id: "clock-skew", output: "mean: 2s" }] }),
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

  it("matches a host by its OS guess or host scripts, a port by its scripts", () => {
    expect(summary(filterHosts(hosts, "linux"))).toEqual(["127.0.0.3:"]);
    expect(summary(filterHosts(hosts, "clock-skew"))).toEqual(["127.0.0.3:"]);
    expect(summary(filterHosts(hosts, "http-title"))).toEqual(["127.0.0.2:443"]);
    expect(summary(filterHosts(hosts, "welcome"))).toEqual(["127.0.0.2:443"]);
    // A port number matches ports, not the numbers in an output or an OS version.
    expect(summary(filterHosts(hosts, "2s"))).toEqual(["127.0.0.3:"]);
    expect(summary(filterHosts(hosts, "5"))).toEqual([]);
  });

  it("counts open ports", () => {
    expect(countPorts(hosts)).toBe(4);
  });
});

describe("how a host was found", () => {
  it("names the discovery probe that answered and the MAC when ARP or NDP found it", () => {
    expect(foundText({ reason: "arp-response", mac: "02:00:5e:10:00:01" })).toBe(
      "found by ARP reply, MAC 02:00:5e:10:00:01",
    );
    expect(foundText({ reason: "echo-reply", mac: null })).toBe("found by ping reply");
    expect(foundText({ reason: "something-new", mac: null })).toBe("found by something-new");
  });

  it("says nothing for jobs that did not look for hosts first", () => {
    expect(foundText({ reason: null, mac: null })).toBeNull();
  });

  it("lets the filter find a host by its MAC", () => {
    const found = [host("10.0.0.2", [], { reason: "arp-response", mac: "02:00:5e:10:00:01" }), ...hosts];
    expect(summary(filterHosts(found, "02:00:5e"))).toEqual(["10.0.0.2:"]);
  });
});

describe("how nmap's findings read", () => {
  it("gives the OS guess with its accuracy, when there is one", () => {
    expect(osText({ os: "Linux 5.0 - 5.2", os_accuracy: 95 })).toBe("Linux 5.0 - 5.2 (accuracy 95%)");
    expect(osText({ os: "FreeBSD 13.1", os_accuracy: 0 })).toBe("FreeBSD 13.1");
    expect(osText({ os: null, os_accuracy: 0 })).toBeNull();
  });

  it("drops the blank lines and the shared indent nmap puts around structured output", () => {
    expect(scriptText("\n  Subject: commonName=example.org\r\n  SANs:\n    DNS:example.org\n  \n")).toBe(
      "Subject: commonName=example.org\nSANs:\n  DNS:example.org",
    );
    expect(scriptText("Welcome")).toBe("Welcome");
    expect(scriptText(" \n ")).toBe("");
  });

  it("collapses outputs of many lines or many characters behind their first line", () => {
    expect(scriptView({ id: "http-title", output: "Welcome" })).toEqual({
      text: "Welcome",
      long: false,
      firstLine: "Welcome",
      lines: 1,
    });
    const certificate = { id: "ssl-cert", output: "\n  Subject: a\n  Issuer: b\n  Not before: c\n  Not after: d\n  E: f" };
    expect(scriptView(certificate)).toMatchObject({ long: true, firstLine: "Subject: a", lines: 5 });
    expect(scriptView({ id: "banner", output: "x".repeat(301) })).toMatchObject({
      long: true,
      firstLine: `${"x".repeat(80)}…`,
      lines: 1,
    });
  });
});

describe("portGuess", () => {
  it("names a port no service was named on as nmap-services does", () => {
    expect(portGuess({ service: null, tunnel: null, port_name: "https-alt" })).toBe("https-alt");
    expect(portGuess({ service: service({ service: "ssl" }), tunnel: null, port_name: "https-alt" })).toBe("https-alt");
  });
  it("keeps quiet where a service was named or the port has no name", () => {
    expect(portGuess({ service: service({ service: "http" }), tunnel: "ssl", port_name: "https-alt" })).toBeNull();
    expect(portGuess({ service: service({ service: "ssh" }), tunnel: null, port_name: "ssh" })).toBeNull();
    expect(portGuess({ service: null, tunnel: null, port_name: null })).toBeNull();
  });
  it("lets the filter find a port by its name", () => {
    const guessed = host("127.0.0.9", [{ ...port(8443), port_name: "https-alt" }]);
    expect(filterHosts([guessed], "https-alt")).toHaveLength(1);
  });
});
