import { describe, expect, it } from "vitest";
import { parseTag, tagChips } from "./attack";

describe("parseTag", () => {
  it("links a technique to its ATT&CK page", () => {
    expect(parseTag("attack.t1110")).toEqual({
      label: "T1110",
      url: "https://attack.mitre.org/techniques/T1110/",
      description: "ATT&CK technique T1110",
    });
  });

  it("links a sub-technique to its own page", () => {
    const chip = parseTag("attack.t1110.001");
    expect(chip.label).toBe("T1110.001");
    expect(chip.url).toBe("https://attack.mitre.org/techniques/T1110/001/");
  });

  it("reads tactics, groups and software, in any case", () => {
    expect(parseTag("attack.credential_access")).toMatchObject({
      label: "Credential access",
      url: "https://attack.mitre.org/tactics/TA0006/",
    });
    expect(parseTag("ATTACK.T1078").label).toBe("T1078");
    expect(parseTag("attack.g0016").url).toBe("https://attack.mitre.org/groups/G0016/");
    expect(parseTag("attack.s0154").url).toBe("https://attack.mitre.org/software/S0154/");
  });

  it("keeps other tags as written, without a link", () => {
    expect(parseTag("cve.2021-44228")).toEqual({ label: "cve.2021-44228", description: "Tag cve.2021-44228" });
    expect(parseTag("attack.t11").url).toBeUndefined();
    expect(parseTag("attack.not_a_tactic").url).toBeUndefined();
  });
});

describe("tagChips", () => {
  it("puts tactics first, then techniques by id, then the rest in their order", () => {
    const chips = tagChips(["detection.emerging", "attack.t1110", "attack.t1078", "attack.initial_access", "cve.x"]);
    expect(chips.map((c) => c.label)).toEqual(["Initial access", "T1078", "T1110", "detection.emerging", "cve.x"]);
  });
});
