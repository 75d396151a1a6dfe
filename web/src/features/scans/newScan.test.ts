import { describe, expect, it } from "vitest";
import { newScanBody, type NewScanForm } from "./newScan";

const form = (overrides: Partial<NewScanForm> = {}): NewScanForm => ({
  targets: "127.0.0.1",
  profile: "quick",
  ports: "",
  confirmLarge: false,
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
