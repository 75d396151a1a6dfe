/** The roles that require 2FA after a checkbox changed, in the order of the roles list. */
export function requiredRoles(roleOrder: readonly string[], current: readonly string[], role: string, on: boolean): string[] {
  const set = new Set(current);
  if (on) set.add(role);
  else set.delete(role);
  const known = roleOrder.filter((name) => set.has(name));
  // A role that is no longer listed stays as it was; the server decides whether it is valid.
  return [...known, ...[...set].filter((name) => !roleOrder.includes(name))];
}

/** Whether two role lists hold the same names. */
export function sameRoles(a: readonly string[], b: readonly string[]): boolean {
  const left = [...new Set(a)].sort();
  const right = [...new Set(b)].sort();
  return left.length === right.length && left.every((name, i) => name === right[i]);
}
