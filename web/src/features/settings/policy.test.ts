import { describe, expect, it } from "vitest";
import { requiredRoles, sameRoles } from "./policy";

describe("requiredRoles", () => {
  const order = ["admin", "analyst", "viewer"];

  it("adds and removes a role, keeping the list's order", () => {
    expect(requiredRoles(order, ["viewer"], "admin", true)).toEqual(["admin", "viewer"]);
    expect(requiredRoles(order, ["admin", "viewer"], "admin", false)).toEqual(["viewer"]);
    expect(requiredRoles(order, ["admin"], "admin", true)).toEqual(["admin"]);
  });

  it("keeps a required role that the list does not show", () => {
    expect(requiredRoles(order, ["gone"], "admin", true)).toEqual(["admin", "gone"]);
  });
});

describe("sameRoles", () => {
  it("ignores order and repeats", () => {
    expect(sameRoles(["a", "b"], ["b", "a", "a"])).toBe(true);
    expect(sameRoles(["a"], ["a", "b"])).toBe(false);
  });
});
