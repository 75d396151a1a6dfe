import { describe, expect, it } from "vitest";
import { groupChanges, summarise } from "./timelineGroups";
import type { InventoryChange } from "./types";

let id = 100;
function change(time: string, section: string, kind: InventoryChange["kind"]): InventoryChange {
  id -= 1;
  return { id, time, section, kind, key: `k${id}`, before: null, after: null };
}

describe("groupChanges", () => {
  it("folds a pass's process churn into one line and keeps a lone package change as it is", () => {
    const t1 = "2026-11-25T12:00:30Z";
    const t0 = "2026-11-25T12:00:00Z";
    const items = [
      change(t1, "processes", "added"),
      change(t1, "processes", "added"),
      change(t1, "processes", "removed"),
      change(t1, "packages", "changed"),
      change(t0, "processes", "added"),
    ];
    const groups = groupChanges(items);
    expect(groups.map((g) => [g.section, g.changes.length, g.folded, g.summary])).toEqual([
      ["processes", 3, true, "2 processes started, 1 exited"],
      ["packages", 1, false, ""],
      ["processes", 1, false, ""],
    ]);
    expect(groups[0]?.key).toBe(items[0]?.id);
  });

  it("folds more than five changes of any section from one pass", () => {
    const time = "2026-11-25T12:00:00Z";
    const five = groupChanges(Array.from({ length: 5 }, () => change(time, "packages", "added")));
    expect(five[0]?.folded).toBe(false);
    const six = groupChanges(Array.from({ length: 6 }, () => change(time, "packages", "added")));
    expect(six[0]?.folded).toBe(true);
    expect(six[0]?.summary).toBe("6 packages installed");
  });
});

describe("summarise", () => {
  it("counts each kind with the section's words", () => {
    const time = "t";
    expect(
      summarise("listening", [change(time, "listening", "removed"), change(time, "listening", "changed")]),
    ).toBe("1 port closed, 1 changed");
  });
});
