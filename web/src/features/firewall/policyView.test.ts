import { describe, expect, it } from "vitest";
import { chainsOf, documentText, listText, newPolicyTemplate, readDraft } from "./policyView";

describe("the rules view of a document", () => {
  it("reads each chain's default policy and rules in words", () => {
    const chains = chainsOf({
      chains: {
        input: {
          policy: "drop",
          rules: [
            { id: "ssh-admins", source: "admins", protocol: "tcp", ports: 22, action: "accept", comment: "admins only" },
            { id: "web", protocol: ["tcp"], ports: ["web", "8000-8080"], in_interface: "eth*", action: "accept" },
            { id: "ping", service: "ping", action: "accept" },
            { id: "old", enabled: false, protocol: "udp", ports: 69, action: "accept" },
            { id: "log-rest", action: "log", log: { rate: "10/minute", prefix: "fw: " } },
          ],
        },
        output: {
          policy: "accept",
          rules: [{ id: "dns", destination: { not: ["10.0.0.0/8", "192.168.0.0/16"] }, service: "dns", action: "drop" }],
        },
      },
    });
    expect(chains.map((c) => [c.chain, c.policy, c.rules.length])).toEqual([
      ["input", "drop", 5],
      ["output", "accept", 1],
      ["forward", "accept", 0],
    ]);
    const [ssh, web, ping, old, log] = chains[0]?.rules ?? [];
    expect(ssh).toMatchObject({
      key: "input:0",
      id: "ssh-admins",
      source: "admins",
      destination: "any",
      traffic: "tcp port 22",
      action: "accept",
      comment: "admins only",
      enabled: true,
    });
    expect(web?.traffic).toBe("tcp port web, 8000-8080 · in eth*");
    expect(ping?.traffic).toBe("service ping");
    expect(old?.enabled).toBe(false);
    expect(log?.action).toBe("log 10/minute");
    expect(log?.traffic).toBe("any");
    expect(chains[1]?.rules[0]).toMatchObject({ key: "output:0", destination: "not 10.0.0.0/8, 192.168.0.0/16" });
  });

  it("still gives every rule a row when the document is malformed, so its problems have a place", () => {
    const chains = chainsOf({ chains: { input: { rules: [42, { action: "drop" }] }, output: "nonsense" } });
    expect(chains[0]?.rules.map((r) => [r.key, r.id, r.action])).toEqual([
      ["input:0", "", ""],
      ["input:1", "", "drop"],
    ]);
    expect(chains[1]?.rules).toEqual([]);
    expect(chainsOf(null).every((c) => c.rules.length === 0)).toBe(true);
  });

  it("writes lists, single values and negations", () => {
    expect(listText([22, "80-90", "web"])).toBe("22, 80-90, web");
    expect(listText("10.0.0.0/8")).toBe("10.0.0.0/8");
    expect(listText({ not: "bad" })).toBe("not bad");
    expect(listText(undefined)).toBe("");
  });
});

describe("the editor's draft", () => {
  it("is a policy document only when the text is a JSON object", () => {
    expect(readDraft(newPolicyTemplate).ok).toBe(true);
    const list = readDraft("[1, 2]");
    expect(!list.ok && list.error.message).toBe("A policy document is a JSON object: { ... }.");
    const broken = readDraft('{"chains": }');
    expect(!broken.ok && broken.error.line).toBe(1);
  });
});

describe("the editor's text of a stored document", () => {
  it("indents objects and keeps short lists of values on one line", () => {
    const document = {
      format: 1,
      objects: { port_sets: { web: { ports: [80, 443, "8000-8080"] } }, services: {} },
      chains: { input: { policy: "drop", rules: [{ id: "ssh", protocol: ["tcp"], ports: [22], action: "accept" }] } },
    };
    const text = documentText(document);
    expect(text).toBe(
      [
        "{",
        '  "format": 1,',
        '  "objects": {',
        '    "port_sets": {',
        '      "web": {',
        '        "ports": [80, 443, "8000-8080"]',
        "      }",
        "    },",
        '    "services": {}',
        "  },",
        '  "chains": {',
        '    "input": {',
        '      "policy": "drop",',
        '      "rules": [',
        "        {",
        '          "id": "ssh",',
        '          "protocol": ["tcp"],',
        '          "ports": [22],',
        '          "action": "accept"',
        "        }",
        "      ]",
        "    }",
        "  }",
        "}",
        "",
      ].join("\n"),
    );
    const reading = readDraft(text);
    expect(reading.ok && reading.document).toEqual(document);
  });

  it("breaks a long list over lines", () => {
    const addresses = Array.from({ length: 12 }, (_, i) => `10.0.${i}.0/24`);
    const text = documentText({ addresses });
    // "{", the key, one line per entry, "]", "}" and the final newline.
    expect(text.split("\n")).toHaveLength(addresses.length + 5);
    const reading = readDraft(text);
    expect(reading.ok && reading.document).toEqual({ addresses });
  });
});
