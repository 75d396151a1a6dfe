import { describe, expect, it } from "vitest";
import { newScanBody, parseScripts, type NewScanForm } from "./newScan";

const form = (overrides: Partial<NewScanForm> = {}): NewScanForm => ({
  targets: "127.0.0.1",
  profile: "quick",
  ports: "",
  confirmLarge: false,
  backend: "engine",
  scripts: "",
  osDetection: false,
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

  it("names the field when targets or custom ports are missing", () => {
    expect(newScanBody(form({ targets: " ,\n" }))).toMatchObject({ field: "targets" });
    expect(newScanBody(form({ profile: "custom", ports: "  " }))).toMatchObject({ field: "ports" });
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
