import { describe, expect, it } from "vitest";
import { changeLabel, changeTone, diffSummary, entriesText, fieldsText, isEmptyDiff, objectTypeLabel, whereText } from "./diff";
import type { PolicyDiff } from "./types";

const empty: PolicyDiff = { description_changed: false, default_policies: [], objects: [], rules: [] };

describe("the version diff in words", () => {
  it("names each kind of change with a tone", () => {
    expect(changeLabel("added")).toBe("Added");
    expect(changeLabel("moved")).toBe("Moved");
    expect(changeTone("added")).toBe("ok");
    expect(changeTone("removed")).toBe("bad");
    expect(changeTone("changed")).toBe("warn");
    expect(changeTone("moved")).toBe("neutral");
  });

  it("says where a rule was and went, counting rules from 1", () => {
    expect(whereText({ chain: "input", index: 0 }, { chain: "input", index: 2 })).toBe("input #1 → input #3");
    expect(whereText({ chain: "input", index: 1 }, { chain: "input", index: 1 })).toBe("input #2");
    expect(whereText(null, { chain: "output", index: 0 })).toBe("output #1");
    expect(whereText({ chain: "forward", index: 4 }, null)).toBe("forward #5");
  });

  it("spells fields, objects and their entries", () => {
    expect(fieldsText(["position", "ports", "in_interface"])).toBe("order, ports, in interface");
    expect(fieldsText(undefined)).toBe("");
    expect(objectTypeLabel("address_set")).toBe("Address set");
    expect(entriesText(["10.0.0.0/8"], ["192.0.2.7"])).toBe("+10.0.0.0/8 −192.0.2.7");
  });

  it("sums a diff up, and knows an empty one", () => {
    const diff: PolicyDiff = {
      description_changed: true,
      default_policies: [{ chain: "input", before: "accept", after: "drop" }],
      objects: [{ change: "changed", type: "port_set", name: "web", added_entries: ["8443"] }],
      rules: [
        { change: "changed", id: "ssh", before: { chain: "input", index: 0 }, after: { chain: "input", index: 0 }, fields: ["ports"] },
        { change: "added", id: "web", before: null, after: { chain: "input", index: 1 } },
        { change: "added", id: "dns", before: null, after: { chain: "output", index: 0 } },
      ],
    };
    expect(diffSummary(diff)).toBe("3 rules: 2 added, 1 changed; 1 object changed; default policy of input; description");
    expect(isEmptyDiff(diff)).toBe(false);
    expect(isEmptyDiff(empty)).toBe(true);
    expect(diffSummary(empty)).toBe("");
  });
});
