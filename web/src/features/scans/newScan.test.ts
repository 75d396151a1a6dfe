import { describe, expect, it } from "vitest";
import { chooseBackend, newScanBody, parseScripts, type NewScanForm } from "./newScan";

const form = (overrides: Partial<NewScanForm> = {}): NewScanForm => ({
  targets: "127.0.0.1",
  profile: "quick",
  ports: "",
  confirmLarge: false,
  backend: "engine",
  scripts: "",
  osDetection: false,
  runsOn: "server",
  group: "",
  discovery: true,
  maxRate: "",
  ...overrides,
});

describe("the new-scan body", () => {
  it("sends the targets as a list with the chosen profile", () => {
    expect(newScanBody(form({ targets: "127.0.0.1,\n127.0.0.2  !127.0.0.3" }))).toEqual({
      body: { targets: ["127.0.0.1", "127.0.0.2", "!127.0.0.3"], profile: "quick" },
    });
  });

  it("sends custom ports without a profile, spaces removed", () => {
    expect(newScanBody(form({ profile: "custom", ports: " 22, 80,8000-8100 " }))).toEqual({
      body: { targets: ["127.0.0.1"], ports: "22,80,8000-8100" },
    });
  });

  it("sends the confirmation for a large scan only when given", () => {
    expect(newScanBody(form({ profile: "full", confirmLarge: true }))).toEqual({
      body: { targets: ["127.0.0.1"], profile: "full", confirm_large: true },
    });
  });

  it("sends a max rate only when filled, as a number, on the server or agents", () => {
    expect(newScanBody(form({ maxRate: "  " }))).toEqual({ body: { targets: ["127.0.0.1"], profile: "quick" } });
    expect(newScanBody(form({ maxRate: " 20 " }))).toEqual({
      body: { targets: ["127.0.0.1"], profile: "quick", max_rate: 20 },
    });
    expect(newScanBody(form({ maxRate: "0.5", runsOn: "group", group: "edge" }))).toEqual({
      body: { targets: ["127.0.0.1"], profile: "quick", max_rate: 0.5, agents: { group: "edge" } },
    });
  });

  it("names max_rate when the rate is not a positive number up to 1,000,000", () => {
    for (const maxRate of ["0", "-5", "fast", "1000001", "Infinity"]) {
      expect(newScanBody(form({ maxRate }))).toMatchObject({ field: "max_rate" });
    }
  });

  it("names the field when targets or custom ports are missing", () => {
    expect(newScanBody(form({ targets: " ,\n" }))).toMatchObject({ field: "targets" });
    expect(newScanBody(form({ profile: "custom", ports: "  " }))).toMatchObject({ field: "ports" });
  });
});

describe("finding live hosts first", () => {
  it("is the server's default, so a checked box sends nothing", () => {
    expect(newScanBody(form())).toEqual({ body: { targets: ["127.0.0.1"], profile: "quick" } });
  });

  it("sends discovery false when unchecked, for either scanner", () => {
    expect(newScanBody(form({ discovery: false }))).toEqual({
      body: { targets: ["127.0.0.1"], profile: "quick", discovery: false },
    });
    expect(newScanBody(form({ discovery: false, backend: "nmap" }))).toMatchObject({
      body: { backend: "nmap", discovery: false },
    });
  });

  it("sends discovery false for agents too, which find live hosts first by default", () => {
    expect(newScanBody(form({ runsOn: "networks" }))).toEqual({
      body: { targets: ["127.0.0.1"], profile: "quick", agents: { networks: true } },
    });
    expect(newScanBody(form({ discovery: false, runsOn: "networks" }))).toEqual({
      body: { targets: ["127.0.0.1"], profile: "quick", discovery: false, agents: { networks: true } },
    });
  });
});

describe("the nmap backend in the body", () => {
  it("sends no backend for our engine, whatever the nmap inputs hold", () => {
    expect(newScanBody(form({ scripts: "ssh-brute", osDetection: true }))).toEqual({
      body: { targets: ["127.0.0.1"], profile: "quick" },
    });
  });

  it("sends the scripts once each, in order, and OS detection", () => {
    const scripts = " default, ssl-cert,\nhttp-title , default,";
    expect(newScanBody(form({ backend: "nmap", scripts, osDetection: true }))).toEqual({
      body: {
        targets: ["127.0.0.1"],
        profile: "quick",
        backend: "nmap",
        nmap: { scripts: ["default", "ssl-cert", "http-title"], os_detection: true },
      },
    });
    expect(newScanBody(form({ backend: "nmap" }))).toMatchObject({
      body: { backend: "nmap", nmap: { scripts: [], os_detection: false } },
    });
  });

  it("refuses what the server's syntax refuses, naming the entries, in the scripts field", () => {
    expect(newScanBody(form({ backend: "nmap", scripts: "http-title, SSL-Cert, smb;ls" }))).toEqual({
      field: "nmap.scripts",
      message:
        '"SSL-Cert", "smb;ls" are not script or category names: lower-case letters, digits, - and _, ' +
        "at most 64 characters.",
    });
    expect(parseScripts("a".repeat(64))).toEqual({ scripts: ["a".repeat(64)] });
    const tooLong = `"${"a".repeat(20)}…" is not`;
    expect(parseScripts("a".repeat(65))).toMatchObject({ message: expect.stringContaining(tooLong) });
    expect(parseScripts("*")).toHaveProperty("message");
  });

  it("allows at most 64 entries", () => {
    const names = (count: number) => Array.from({ length: count }, (_, i) => `script-${i}`).join(",");
    expect(parseScripts(names(64))).toHaveProperty("scripts");
    expect(parseScripts(names(65))).toEqual({ message: "Name at most 64 scripts or categories." });
  });
});

describe("where the job runs, in the body", () => {
  it("sends no agents for this server, whatever the group input holds", () => {
    expect(newScanBody(form({ group: "web" }))).toEqual({ body: { targets: ["127.0.0.1"], profile: "quick" } });
  });

  it("sends the group's name, trimmed", () => {
    expect(newScanBody(form({ runsOn: "group", group: "  web-eu " }))).toEqual({
      body: { targets: ["127.0.0.1"], profile: "quick", agents: { group: "web-eu" } },
    });
  });

  it("asks for the group's name in the group field when it is empty", () => {
    expect(newScanBody(form({ runsOn: "group", group: "  " }))).toEqual({
      field: "agents.group",
      message: "Enter the name of the agents' group.",
    });
  });

  it("sends the agents in the target networks, whatever the group input holds", () => {
    expect(newScanBody(form({ runsOn: "networks", group: "web" }))).toEqual({
      body: { targets: ["127.0.0.1"], profile: "quick", agents: { networks: true } },
    });
  });

  it("takes the job back to this server when nmap is chosen, and leaves it where it is for our engine", () => {
    expect(chooseBackend("nmap")).toEqual({ backend: "nmap", runsOn: "server" });
    expect(chooseBackend("engine")).toEqual({ backend: "engine" });
    const moved = { ...form({ runsOn: "networks", group: "web" }), ...chooseBackend("nmap") };
    expect(newScanBody(moved)).toEqual({
      body: { targets: ["127.0.0.1"], profile: "quick", backend: "nmap", nmap: { scripts: [], os_detection: false } },
    });
  });

  it("refuses agents with nmap in the scanner field, as the server does", () => {
    for (const runsOn of ["group", "networks"] as const) {
      expect(newScanBody(form({ backend: "nmap", runsOn, group: "web" }))).toEqual({
        field: "backend",
        message: "A scan split across agents runs on the built-in engine, not nmap.",
      });
    }
  });
});
