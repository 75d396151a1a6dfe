import { describe, expect, it } from "vitest";
import { allowedActions, statusLabel } from "./lifecycle";

const targets = (status: Parameters<typeof allowedActions>[0]) => allowedActions(status).map((a) => a.to);

describe("allowedActions", () => {
  it("offers acknowledge, resolve and false positive on a new alert", () => {
    expect(allowedActions("new").map((a) => a.label)).toEqual(["Acknowledge", "Resolve", "False positive"]);
  });

  it("never offers to go back to new from acknowledged, nor to acknowledge twice", () => {
    expect(targets("acknowledged")).toEqual(["resolved", "false_positive"]);
  });

  it("lets a closed alert be reclassified or reopened as new, but not acknowledged", () => {
    expect(targets("resolved")).toEqual(["false_positive", "new"]);
    expect(targets("false_positive")).toEqual(["resolved", "new"]);
    expect(allowedActions("resolved").find((a) => a.to === "new")?.label).toBe("Reopen");
  });

  it("offers nothing for a status it does not know (a newer server)", () => {
    expect(allowedActions("escalated" as never)).toEqual([]);
  });

  it("names statuses for people", () => {
    expect(statusLabel("false_positive")).toBe("False positive");
    expect(statusLabel("weird")).toBe("weird");
  });
});
