// The new-scan dialog's scope check: which targets lie outside the scan scopes, worked out in the
// browser as the user types. It mirrors the target syntax of src/scan/target_syntax.cpp (addresses,
// CIDRs, octet ranges, full ranges, '!' exclusions) but only advises: the server checks again and
// its answer is the one that counts. Host names cannot be checked here; the server resolves them.

export type Family = 4 | 6;

/** An inclusive range of addresses of one family. */
export interface AddressRange {
  family: Family;
  first: bigint;
  last: bigint;
}

/** What one target entry is, as far as the browser can tell. */
export type ParsedTarget =
  | { kind: "ranges"; ranges: AddressRange[] }
  | { kind: "name" }
  | { kind: "invalid"; message: string };

/** The outcome of checking a target list against the scopes. */
export interface ScopeCheck {
  /** Entries (exclusions included) in the list. */
  entries: number;
  /** Addresses the list covers after exclusions, host names not counted. */
  addresses: bigint;
  /** Entries with addresses outside every scope, with those addresses as ranges. */
  outside: { entry: string; ranges: string[] }[];
  /** Host names: only the server can resolve and check them. */
  names: string[];
  /** Entries that are not valid targets, with why. */
  invalid: { entry: string; message: string }[];
}

/** Octet ranges that expand to more separate ranges than this are left to the server. */
const maxRangesPerToken = 65536;

const bitsOf = (family: Family) => (family === 4 ? 32 : 128);

/** Splits a list on commas and whitespace, as the server does. */
export function splitTargets(text: string): string[] {
  return text.split(/[\s,]+/).filter((token) => token.length > 0);
}

/** 0..255 without a leading zero (the server refuses octal-looking octets), or null. */
function parseOctet(text: string): number | null {
  if (!/^\d{1,3}$/.test(text) || (text.length > 1 && text.startsWith("0"))) return null;
  const value = Number(text);
  return value <= 255 ? value : null;
}

function parseIpv4(text: string): bigint | null {
  const parts = text.split(".");
  if (parts.length !== 4) return null;
  let value = 0n;
  for (const part of parts) {
    const octet = parseOctet(part);
    if (octet === null) return null;
    value = (value << 8n) | BigInt(octet);
  }
  return value;
}

function parseIpv6(text: string): bigint | null {
  if (text.includes("%") || text.split("::").length > 2) return null;
  const [headText = "", tailText] = text.split("::");
  const groupsOf = (part: string): number[] | null => {
    if (part === "") return [];
    const groups: number[] = [];
    const pieces = part.split(":");
    for (let i = 0; i < pieces.length; i++) {
      const piece = pieces[i] ?? "";
      if (i === pieces.length - 1 && piece.includes(".")) {
        const v4 = parseIpv4(piece);
        if (v4 === null) return null;
        groups.push(Number(v4 >> 16n), Number(v4 & 0xffffn));
      } else if (/^[0-9a-fA-F]{1,4}$/.test(piece)) {
        groups.push(parseInt(piece, 16));
      } else {
        return null;
      }
    }
    return groups;
  };
  const head = groupsOf(headText);
  const tail = tailText === undefined ? [] : groupsOf(tailText);
  if (!head || !tail) return null;
  // An embedded IPv4 address may only end the address.
  if (tailText !== undefined && headText.includes(".")) return null;
  const given = head.length + tail.length;
  if (tailText === undefined ? given !== 8 : given > 7) return null;
  const groups = [...head, ...Array<number>(8 - given).fill(0), ...tail];
  return groups.reduce((value, group) => (value << 16n) | BigInt(group), 0n);
}

function parseAddress(text: string): { family: Family; value: bigint } | string {
  if (text.includes(":")) {
    if (text.includes("%")) return "an IPv6 zone index (%...) is not supported";
    const value = parseIpv6(text);
    return value === null ? `'${text}' is not an IPv6 address` : { family: 6, value };
  }
  const value = parseIpv4(text);
  return value === null ? `'${text}' is not an IPv4 address` : { family: 4, value };
}

function parseCidr(token: string): AddressRange | string {
  const slash = token.indexOf("/");
  const base = parseAddress(token.slice(0, slash));
  if (typeof base === "string") return base;
  const lengthText = token.slice(slash + 1);
  const bits = bitsOf(base.family);
  if (!/^(0|[1-9]\d{0,2})$/.test(lengthText) || Number(lengthText) > bits) {
    return `prefix length '${lengthText}' is not a number from 0 to ${bits}`;
  }
  const hostMask = (1n << BigInt(bits - Number(lengthText))) - 1n;
  if ((base.value & hostMask) !== 0n) {
    return `host bits are set; the network is ${formatAddress(base.family, base.value & ~hostMask)}/${lengthText}`;
  }
  return { family: base.family, first: base.value, last: base.value | hostMask };
}

function parseFullRange(token: string, dash: number): AddressRange | string {
  const first = parseAddress(token.slice(0, dash));
  if (typeof first === "string") return first;
  const last = parseAddress(token.slice(dash + 1));
  if (typeof last === "string") return last;
  if (first.family !== last.family) return "a range cannot mix IPv4 and IPv6";
  if (last.value < first.value) return "the range runs backwards";
  return { family: first.family, first: first.value, last: last.value };
}

/** `10.0.1-3.0-255`: each octet a number or a range; the combinations as contiguous ranges. */
function parseOctetRanges(token: string): AddressRange[] | string {
  const parts = token.split(".");
  if (parts.length !== 4) return "expected 4 dot-separated octets or octet ranges";
  const low: number[] = [];
  const high: number[] = [];
  for (const part of parts) {
    const bounds = part.split("-");
    if (bounds.length > 2) return `octet '${part}' has more than one '-'`;
    const first = parseOctet(bounds[0] ?? "");
    const last = bounds.length === 2 ? parseOctet(bounds[1] ?? "") : first;
    if (first === null || last === null) return `octet '${part}' is not a number or range from 0 to 255`;
    if (last < first) return `octet range '${part}' runs backwards`;
    low.push(first);
    high.push(last);
  }
  // Octets after `split` are full (0-255), so octet `split` gives one contiguous run per prefix.
  let split = 3;
  while (split > 0 && low[split] === 0 && high[split] === 255) split--;
  let count = 1;
  for (let i = 0; i < split; i++) count *= (high[i] ?? 0) - (low[i] ?? 0) + 1;
  if (count > maxRangesPerToken) return `octet ranges expand to ${count} separate ranges`;
  const shift = BigInt(8 * (3 - split));
  const tail = (1n << shift) - 1n;
  const ranges: AddressRange[] = [];
  const prefixes = (index: number, prefix: bigint): void => {
    if (index === split) {
      const first = prefix | (BigInt(low[split] ?? 0) << shift);
      const last = prefix | (BigInt(high[split] ?? 0) << shift) | tail;
      ranges.push({ family: 4, first, last });
      return;
    }
    for (let octet = low[index] ?? 0; octet <= (high[index] ?? 0); octet++) {
      prefixes(index + 1, prefix | (BigInt(octet) << BigInt(8 * (3 - index))));
    }
  };
  prefixes(0, 0n);
  return ranges;
}

/** One target entry (without a leading '!') as address ranges, a host name, or invalid. */
export function parseTarget(token: string): ParsedTarget {
  const result = (parsed: AddressRange | AddressRange[] | string): ParsedTarget =>
    typeof parsed === "string"
      ? { kind: "invalid", message: parsed }
      : { kind: "ranges", ranges: Array.isArray(parsed) ? parsed : [parsed] };
  if (token.startsWith("[")) return { kind: "invalid", message: "write IPv6 addresses without brackets" };
  if (token.includes("/")) return result(parseCidr(token));
  if (token.includes(":")) {
    const dash = token.indexOf("-");
    if (dash < 0) {
      const address = parseAddress(token);
      return typeof address === "string"
        ? result(address)
        : result({ family: address.family, first: address.value, last: address.value });
    }
    if (token.indexOf("-", dash + 1) >= 0) return result("a range has more than one '-'");
    return result(parseFullRange(token, dash));
  }
  if (/^\d[\d.-]*$/.test(token)) {
    const dash = token.indexOf("-");
    const fullRange =
      dash >= 0 && token.indexOf("-", dash + 1) < 0 && (token.slice(dash).match(/\./g) ?? []).length === 3;
    return result(fullRange ? parseFullRange(token, dash) : parseOctetRanges(token));
  }
  return { kind: "name" };
}

/** Sorted (IPv4 first), disjoint and non-adjacent. */
export function normalizeRanges(ranges: readonly AddressRange[]): AddressRange[] {
  const sorted = [...ranges].sort((a, b) =>
    a.family !== b.family ? a.family - b.family : a.first < b.first ? -1 : a.first > b.first ? 1 : 0,
  );
  const out: AddressRange[] = [];
  for (const range of sorted) {
    const last = out[out.length - 1];
    if (last && last.family === range.family && range.first <= last.last + 1n) {
      if (range.last > last.last) last.last = range.last;
    } else {
      out.push({ ...range });
    }
  }
  return out;
}

/** The parts of `ranges` that `remove` does not cover, normalized. */
export function subtractRanges(ranges: readonly AddressRange[], remove: readonly AddressRange[]): AddressRange[] {
  const holes = normalizeRanges(remove);
  const out: AddressRange[] = [];
  for (const range of normalizeRanges(ranges)) {
    let first = range.first;
    let done = false;
    for (const hole of holes) {
      if (hole.family !== range.family || hole.last < first || hole.first > range.last) continue;
      if (hole.first > first) out.push({ family: range.family, first, last: hole.first - 1n });
      if (hole.last >= range.last) {
        done = true;
        break;
      }
      first = hole.last + 1n;
    }
    if (!done) out.push({ family: range.family, first, last: range.last });
  }
  return out;
}

/** An address as the server writes it: dotted IPv4, IPv6 with the longest zero run as "::". */
export function formatAddress(family: Family, value: bigint): string {
  if (family === 4) {
    return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 0xffn)).join(".");
  }
  const groups = Array.from({ length: 8 }, (_, i) => Number((value >> BigInt(16 * (7 - i))) & 0xffffn));
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = (part: number[]) => part.map((group) => group.toString(16)).join(":");
  if (bestStart < 0) return hex(groups);
  return `${hex(groups.slice(0, bestStart))}::${hex(groups.slice(bestStart + bestLength))}`;
}

/** A range as the server writes one: an address, a CIDR when it is one, else "first-last". */
export function formatRange(range: AddressRange): string {
  const first = formatAddress(range.family, range.first);
  if (range.first === range.last) return first;
  const span = range.last - range.first;
  if ((span & (span + 1n)) === 0n && (range.first & span) === 0n) {
    const hostBits = span.toString(2).length;
    return `${first}/${bitsOf(range.family) - hostBits}`;
  }
  return `${first}-${formatAddress(range.family, range.last)}`;
}

/** The scopes the server lists (CIDRs, addresses or ranges) as ranges; unreadable ones are skipped. */
export function parseScopes(scopes: readonly string[]): AddressRange[] {
  const ranges: AddressRange[] = [];
  for (const scope of scopes) {
    const parsed = parseTarget(scope);
    if (parsed.kind === "ranges") ranges.push(...parsed.ranges);
  }
  return normalizeRanges(ranges);
}

function countAddresses(ranges: readonly AddressRange[]): bigint {
  return ranges.reduce((sum, range) => sum + (range.last - range.first + 1n), 0n);
}

/**
 * Checks a target list (entries separated by commas or whitespace, '!' before an entry excludes
 * it) against the scopes, entry by entry as the server names them. At most `maxRanges` outside
 * ranges are listed per entry.
 */
export function checkTargets(text: string, scopes: readonly AddressRange[], maxRanges = 4): ScopeCheck {
  const check: ScopeCheck = { entries: 0, addresses: 0n, outside: [], names: [], invalid: [] };
  const include: { entry: string; ranges: AddressRange[] }[] = [];
  const exclude: AddressRange[] = [];
  for (const entry of splitTargets(text)) {
    check.entries++;
    const excluded = entry.startsWith("!");
    const token = excluded ? entry.slice(1) : entry;
    if (token === "") {
      check.invalid.push({ entry, message: "'!' must be followed by a target" });
      continue;
    }
    const parsed = parseTarget(token);
    if (parsed.kind === "invalid") check.invalid.push({ entry, message: parsed.message });
    else if (parsed.kind === "name") {
      if (!excluded) check.names.push(entry);
    } else if (excluded) exclude.push(...parsed.ranges);
    else include.push({ entry, ranges: parsed.ranges });
  }
  const all: AddressRange[] = [];
  for (const { entry, ranges } of include) {
    const reached = subtractRanges(ranges, exclude);
    all.push(...reached);
    const outside = subtractRanges(reached, scopes);
    if (outside.length === 0) continue;
    const shown = outside.slice(0, maxRanges).map(formatRange);
    if (outside.length > maxRanges) shown.push(`${outside.length - maxRanges} more ranges`);
    check.outside.push({ entry, ranges: shown });
  }
  check.addresses = countAddresses(normalizeRanges(all));
  return check;
}
