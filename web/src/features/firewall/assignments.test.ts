import { describe, expect, it } from "vitest";
import { assignmentsBody, assignmentText, rowsOf } from "./assignments";

describe("the assignments editor", () => {
  it("turns stored assignments into rows and back", () => {
    const rows = rowsOf([
      { policy_id: 1, group: "web", priority: 5, created_at: "", created_by: "admin" },
      { policy_id: 1, agent_id: "a-1", priority: -1, created_at: "", created_by: "admin" },
    ]);
    expect(rows).toEqual([
      { kind: "group", value: "web", priority: "5" },
      { kind: "agent", value: "a-1", priority: "-1" },
    ]);
    expect(assignmentsBody(rows)).toEqual({
      body: { assignments: [{ group: "web", priority: 5 }, { agent_id: "a-1", priority: -1 }] },
    });
    expect(assignmentsBody([])).toEqual({ body: { assignments: [] } });
    expect(assignmentsBody([{ kind: "group", value: " db ", priority: " " }])).toEqual({
      body: { assignments: [{ group: "db", priority: 0 }] },
    });
  });

  it("names the row at fault", () => {
    expect(assignmentsBody([{ kind: "agent", value: "", priority: "0" }])).toEqual({ row: 0, message: "Name the agent." });
    expect(
      assignmentsBody([
        { kind: "group", value: "web", priority: "1" },
        { kind: "group", value: "web", priority: "2" },
      ]),
    ).toEqual({ row: 1, message: "The group web is listed twice." });
    // A group and an agent may share a name.
    expect("body" in assignmentsBody([{ kind: "group", value: "x", priority: "1" }, { kind: "agent", value: "x", priority: "1" }])).toBe(true);
    expect(assignmentsBody([{ kind: "group", value: "web", priority: "high" }])).toEqual({
      row: 0,
      message: "The priority is a whole number.",
    });
  });

  it("describes an assignment", () => {
    expect(assignmentText({ group: "web", priority: 5 })).toBe("group web (priority 5)");
    expect(assignmentText({ agent_id: "a-1", priority: 0 })).toBe("agent a-1 (priority 0)");
  });
});
