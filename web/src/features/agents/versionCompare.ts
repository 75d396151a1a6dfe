// Package version order as dpkg defines it ([epoch:]upstream[-revision], "~" before everything),
// so that the timeline can say "upgraded" or "downgraded". rpm's order agrees on the versions
// distributions actually ship; the server has both (src/inventory/version_compare.cpp).

function order(c: string | undefined): number {
  if (c === undefined) return 0;
  if (c === "~") return -1;
  if (/[0-9]/.test(c)) return 0;
  if (/[A-Za-z]/.test(c)) return c.charCodeAt(0);
  return c.charCodeAt(0) + 256;
}

const isDigit = (c: string | undefined) => c !== undefined && c >= "0" && c <= "9";

// dpkg's verrevcmp: alternating runs of non-digits (by `order`) and digits (by value).
function compareParts(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    while ((i < a.length && !isDigit(a[i])) || (j < b.length && !isDigit(b[j]))) {
      const difference = order(a[i]) - order(b[j]);
      if (difference) return difference;
      i++;
      j++;
    }
    while (a[i] === "0") i++;
    while (b[j] === "0") j++;
    let firstDifference = 0;
    while (isDigit(a[i]) && isDigit(b[j])) {
      if (!firstDifference) firstDifference = a.charCodeAt(i) - b.charCodeAt(j);
      i++;
      j++;
    }
    if (isDigit(a[i])) return 1;
    if (isDigit(b[j])) return -1;
    if (firstDifference) return firstDifference;
  }
  return 0;
}

function split(version: string): { epoch: number; upstream: string; revision: string } {
  const colon = version.indexOf(":");
  const epoch = colon > 0 && /^\d+$/.test(version.slice(0, colon)) ? Number(version.slice(0, colon)) : 0;
  const rest = colon > 0 ? version.slice(colon + 1) : version;
  const dash = rest.lastIndexOf("-");
  return dash < 0
    ? { epoch, upstream: rest, revision: "" }
    : { epoch, upstream: rest.slice(0, dash), revision: rest.slice(dash + 1) };
}

/** Negative when `a` is older than `b`, positive when newer, 0 when the same version. */
export function compareVersions(a: string, b: string): number {
  const left = split(a);
  const right = split(b);
  if (left.epoch !== right.epoch) return left.epoch - right.epoch;
  return compareParts(left.upstream, right.upstream) || compareParts(left.revision, right.revision);
}
