// Address checks for the block and allow-list forms, so that a typo is named as it is typed. The
// server parses again, strictly, and has the last word.

const ipv4Octet = /^(?:0|[1-9]\d{0,2})$/;

/** "203.0.113.9": four decimal octets 0-255 without leading zeros. */
export function isIpv4(text: string): boolean {
  const parts = text.split(".");
  return parts.length === 4 && parts.every((p) => ipv4Octet.test(p) && Number(p) <= 255);
}

const hexGroup = /^[0-9a-fA-F]{1,4}$/;

/** "2001:db8::1", "::", "::ffff:192.0.2.1": up to eight hex groups, one "::" at most. */
export function isIpv6(text: string): boolean {
  if (!text.includes(":")) return false;
  const halves = text.split("::");
  if (halves.length > 2) return false;
  const groups = (half: string) => (half === "" ? [] : half.split(":"));
  const head = groups(halves[0] ?? "");
  const tail = halves.length === 2 ? groups(halves[1] ?? "") : [];
  const all = [...head, ...tail];
  let count = all.length;
  const last = all[all.length - 1];
  // An embedded IPv4 address at the end counts as two groups.
  if (last !== undefined && last.includes(".")) {
    if (!isIpv4(last)) return false;
    all.pop();
    count += 1;
  }
  if (!all.every((g) => hexGroup.test(g))) return false;
  return halves.length === 2 ? count <= 7 : count === 8;
}

/** One IPv4 or IPv6 address, no prefix. */
export function isAddress(text: string): boolean {
  return isIpv4(text) || isIpv6(text);
}

/** An address, or a network "10.0.0.0/8" / "2001:db8::/32". Host bits are the server's to judge. */
export function isNetwork(text: string): boolean {
  const slash = text.indexOf("/");
  if (slash < 0) return isAddress(text);
  const address = text.slice(0, slash);
  const prefix = text.slice(slash + 1);
  if (!/^(?:0|[1-9]\d{0,2})$/.test(prefix)) return false;
  if (isIpv4(address)) return Number(prefix) <= 32;
  if (isIpv6(address)) return Number(prefix) <= 128;
  return false;
}
