import type { Role, UserChanges, UserRecord } from "./types";

// The server has no route that lists every permission, but the built-in admin role holds all of
// them (include/sentinel/auth/permissions.h), so the union of the roles' permissions is the full
// list. The caller's own permissions are added in case a custom role set is incomplete.

/** Areas in the order the server declares them; an area the portal does not know goes last. */
const areaOrder = [
  "users",
  "roles",
  "sessions",
  "tokens",
  "audit",
  "settings",
  "agents",
  "events",
  "alerts",
  "scans",
  "firewall",
  "rules",
];

const areaTitles: Record<string, string> = {
  users: "Users",
  roles: "Roles",
  sessions: "Sessions",
  tokens: "API tokens",
  audit: "Audit log",
  settings: "Settings",
  agents: "Agents",
  events: "Events",
  alerts: "Alerts",
  scans: "Scans",
  firewall: "Firewall",
  rules: "Rules",
};

const verbTitles: Record<string, string> = {
  read: "view",
  write: "change",
  admin: "manage everyone's",
};

/** Permissions that belong together in a form: one area ("users"), its title and its names. */
export interface PermissionGroup {
  area: string;
  title: string;
  permissions: string[];
}

function areaOf(permission: string): string {
  const colon = permission.indexOf(":");
  return colon < 0 ? permission : permission.slice(0, colon);
}

function areaRank(area: string): number {
  const index = areaOrder.indexOf(area);
  return index < 0 ? areaOrder.length : index;
}

/** Every permission named by any role or held by the caller, unique. */
export function knownPermissions(roles: readonly Role[], held: readonly string[] = []): string[] {
  const all = new Set<string>(held);
  for (const role of roles) for (const permission of role.permissions) all.add(permission);
  return [...all];
}

/** Permissions grouped by area in the server's order; within an area read before write before admin. */
export function groupPermissions(permissions: readonly string[]): PermissionGroup[] {
  const groups = new Map<string, string[]>();
  for (const permission of new Set(permissions)) {
    const area = areaOf(permission);
    const list = groups.get(area) ?? [];
    list.push(permission);
    groups.set(area, list);
  }
  const verbRank = (p: string) => {
    const index = Object.keys(verbTitles).indexOf(p.slice(p.indexOf(":") + 1));
    return index < 0 ? 99 : index;
  };
  return [...groups.entries()]
    .sort(([a], [b]) => areaRank(a) - areaRank(b) || a.localeCompare(b))
    .map(([area, list]) => ({
      area,
      title: areaTitles[area] ?? area,
      permissions: list.sort((a, b) => verbRank(a) - verbRank(b) || a.localeCompare(b)),
    }));
}

/** "change" for "users:write": what the permission lets its holder do, for a checkbox's hint. */
export function permissionVerb(permission: string): string {
  const verb = permission.slice(permission.indexOf(":") + 1);
  return verbTitles[verb] ?? verb;
}

/** The fields of an edit form that differ from the user as loaded; an empty password is no change. */
export function userChanges(
  user: UserRecord,
  edited: { display_name: string; roles: readonly string[]; disabled: boolean; password: string },
): UserChanges {
  const changes: UserChanges = {};
  if (edited.display_name.trim() !== user.display_name) changes.display_name = edited.display_name.trim();
  const before = [...user.roles].sort();
  const after = [...new Set(edited.roles)].sort();
  if (before.length !== after.length || before.some((role, i) => role !== after[i])) changes.roles = after;
  if (edited.disabled !== user.disabled) changes.disabled = edited.disabled;
  if (edited.password.length > 0) changes.password = edited.password;
  return changes;
}

/** Whether `permissions` allow changing anything (a ":write" or ":admin" permission). A read-only
 * user (role viewer) is shown no actions at all, not even on their own API tokens and sessions. */
export function canChangeAnything(permissions: readonly string[]): boolean {
  return permissions.some((p) => p.endsWith(":write") || p.endsWith(":admin"));
}
