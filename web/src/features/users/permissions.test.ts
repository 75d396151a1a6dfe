import { describe, expect, it } from "vitest";
import { canChangeAnything, groupPermissions, knownPermissions, permissionVerb, userChanges } from "./permissions";
import type { Role, UserRecord } from "./types";

const role = (name: string, permissions: string[], builtin = true): Role => ({
  name,
  description: "",
  permissions,
  builtin,
});

describe("knownPermissions", () => {
  it("joins every role's permissions and the caller's without repeats", () => {
    const roles = [role("admin", ["users:read", "users:write"]), role("viewer", ["agents:read", "users:read"])];
    expect(knownPermissions(roles, ["sessions:admin"]).sort()).toEqual([
      "agents:read",
      "sessions:admin",
      "users:read",
      "users:write",
    ]);
  });
});

describe("groupPermissions", () => {
  it("groups by area in the server's order, read before write before admin", () => {
    const groups = groupPermissions(["agents:write", "users:write", "agents:read", "sessions:admin", "users:read"]);
    expect(groups.map((g) => g.area)).toEqual(["users", "sessions", "agents"]);
    expect(groups[0]).toEqual({ area: "users", title: "Users", permissions: ["users:read", "users:write"] });
    expect(groups[2]?.permissions).toEqual(["agents:read", "agents:write"]);
  });

  it("keeps an area the portal does not know, after the known ones", () => {
    const groups = groupPermissions(["zeta:read", "users:read", "beta:write"]);
    expect(groups.map((g) => g.title)).toEqual(["Users", "beta", "zeta"]);
  });

  it("lists a repeated permission once", () => {
    expect(groupPermissions(["rules:read", "rules:read"])[0]?.permissions).toEqual(["rules:read"]);
  });
});

describe("permissionVerb", () => {
  it("names what the permission allows", () => {
    expect(permissionVerb("users:write")).toBe("change");
    expect(permissionVerb("tokens:admin")).toBe("manage everyone's");
    expect(permissionVerb("x:other")).toBe("other");
  });
});

describe("userChanges", () => {
  const user: UserRecord = {
    id: 2,
    username: "vera",
    display_name: "Vera",
    roles: ["viewer", "analyst"],
    disabled: false,
    totp_enabled: false,
    created_at: 0,
    updated_at: 0,
  };

  it("sends nothing when nothing changed, whatever the role order", () => {
    expect(userChanges(user, { display_name: "Vera ", roles: ["analyst", "viewer"], disabled: false, password: "" })).toEqual(
      {},
    );
  });

  it("sends only the changed fields", () => {
    expect(
      userChanges(user, { display_name: "Vera V", roles: ["viewer"], disabled: true, password: "New-Password-123" }),
    ).toEqual({ display_name: "Vera V", roles: ["viewer"], disabled: true, password: "New-Password-123" });
  });
});

describe("canChangeAnything", () => {
  it("is false for the viewer's read-only permissions and true with any write or admin one", () => {
    const viewer = ["agents:read", "alerts:read", "events:read", "firewall:read", "rules:read", "scans:read"];
    expect(canChangeAnything(viewer)).toBe(false);
    expect(canChangeAnything([...viewer, "agents:write"])).toBe(true);
    expect(canChangeAnything(["sessions:admin"])).toBe(true);
    expect(canChangeAnything([])).toBe(false);
  });
});
