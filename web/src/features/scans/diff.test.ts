import { describe, expect, it } from "vitest";
import { changeCounts, changeDetail, changeLabel, changeNoun, changeSummary, changeTone, changeWhere } from "./diff";
import type { ScanChange, ServiceInfo } from "./types";

const service = (name: string, product: string | null = null): ServiceInfo => ({
  service: name,
  product,
  version: null,
  extra_info: null,
  cpe: [],
});

const change = (overrides: Partial<ScanChange>): ScanChange => ({
  action: "port_opened",
  address: "127.0.0.1",
  port: 22,
  protocol: "tcp",
  before: null,
  after: null,
  ...overrides,
});

describe("a change against the previous scan", () => {
  it("says what kind of change it is, new exposure as a warning", () => {
    expect(changeLabel("host_new")).toBe("New host");
    expect(changeLabel("port_opened")).toBe("New open port");
    expect(changeLabel("service_changed")).toBe("Changed service");
    expect(changeLabel("port_closed")).toBe("Closed port");
    expect(changeLabel("host_gone")).toBe("Host gone");
    expect(changeTone("port_opened")).toBe("warn");
    expect(changeTone("port_closed")).toBe("neutral");
  });

  it("says where: the host, or the host and port", () => {
    expect(changeWhere(change({ action: "host_new", port: null, protocol: null }))).toBe("127.0.0.1");
    expect(changeWhere(change({ port: 8443 }))).toBe("127.0.0.1 port 8443/tcp");
  });

  it("describes the service before and after", () => {
    const before = service("ssh", "OpenSSH");
    const changed = change({ action: "service_changed", before, after: service("http", "nginx") });
    expect(changeDetail(changed)).toBe("ssh OpenSSH → http nginx");
    expect(changeDetail(change({ action: "port_opened", after: service("http") }))).toBe("http");
    expect(changeDetail(change({ action: "port_opened" }))).toBe("");
    expect(changeDetail(change({ action: "port_closed", before: service("ftp") }))).toBe("was ftp");
  });

  it("sums the changes up in a fixed order with plurals", () => {
    const counts = changeCounts({ port_closed: 1, host_new: 1, port_opened: 2 });
    expect(changeSummary(counts)).toBe("1 new host, 2 new open ports, 1 closed port");
    expect(changeSummary(changeCounts({}))).toBe("");
  });

  it("takes the server's counts of the whole diff, 0 for the kinds missing, unknown kinds left out", () => {
    expect(changeCounts({ port_opened: 2, service_changed: 1, host_gone: 1, made_up: 9 })).toEqual({
      host_new: 0,
      port_opened: 2,
      service_changed: 1,
      port_closed: 0,
      host_gone: 1,
    });
    expect(Object.values(changeCounts(undefined))).toEqual([0, 0, 0, 0, 0]);
    expect(changeSummary(changeCounts({ port_opened: 1234 }))).toBe("1,234 new open ports");
    expect(changeNoun("port_closed", 1)).toBe("closed port");
    expect(changeNoun("port_closed", 0)).toBe("closed ports");
  });
});
