import { describe, expect, it } from "vitest";
import { searchRows, sortRows } from "./sortRows";

const ports = [
  { port: 443, process: "nginx" },
  { port: 22, process: "sshd" },
  { port: 8080, process: null },
  { port: 53, process: "systemd-resolved" },
];

describe("sortRows", () => {
  it("sorts numbers by size both ways, keeping empty values last", () => {
    expect(sortRows(ports, (p) => p.port, false).map((p) => p.port)).toEqual([22, 53, 443, 8080]);
    expect(sortRows(ports, (p) => p.port, true).map((p) => p.port)).toEqual([8080, 443, 53, 22]);
    expect(sortRows(ports, (p) => p.process, true).map((p) => p.process)).toEqual([
      "systemd-resolved",
      "sshd",
      "nginx",
      null,
    ]);
  });

  it("sorts text without regard to case and with numbers in it by value", () => {
    const names = ["lib10", "Lib9", "apt"].map((name) => ({ name }));
    expect(sortRows(names, (n) => n.name, false).map((n) => n.name)).toEqual(["apt", "Lib9", "lib10"]);
  });
});

describe("searchRows", () => {
  it("finds text in any listed field, ignoring case", () => {
    expect(searchRows(ports, "SSH", (p) => [p.process, p.port]).map((p) => p.port)).toEqual([22]);
    expect(searchRows(ports, "80", (p) => [p.process, p.port]).map((p) => p.port)).toEqual([8080]);
    expect(searchRows(ports, " ", (p) => [p.process])).toBe(ports);
  });
});
