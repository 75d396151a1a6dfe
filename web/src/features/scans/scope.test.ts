import { describe, expect, it } from "vitest";
import { checkTargets, formatAddress, formatRange, parseScopes, parseTarget, splitTargets, subtractRanges } from "./scope";

const loopback = parseScopes(["127.0.0.0/8"]);

const rangesOf = (token: string): string[] => {
  const parsed = parseTarget(token);
  if (parsed.kind !== "ranges") throw new Error(`${token} did not parse: ${JSON.stringify(parsed)}`);
  return parsed.ranges.map(formatRange);
};

describe("target syntax (as src/scan/target_syntax.cpp reads it)", () => {
  it("reads addresses, CIDRs, full ranges and octet ranges", () => {
    expect(rangesOf("10.0.0.1")).toEqual(["10.0.0.1"]);
    expect(rangesOf("10.0.0.0/24")).toEqual(["10.0.0.0/24"]);
    expect(rangesOf("10.0.0.5-10.0.0.80")).toEqual(["10.0.0.5-10.0.0.80"]);
    expect(rangesOf("10.0.0.5-40")).toEqual(["10.0.0.5-10.0.0.40"]);
    expect(rangesOf("10.0.1-2.0-255")).toEqual(["10.0.1.0-10.0.2.255"]);
    expect(rangesOf("10.1-2.0-3.0-255")).toEqual(["10.1.0.0/22", "10.2.0.0/22"]);
    expect(rangesOf("10.1-2.0.7")).toEqual(["10.1.0.7", "10.2.0.7"]);
    expect(rangesOf("::1")).toEqual(["::1"]);
    expect(rangesOf("2001:db8::/120")).toEqual(["2001:db8::/120"]);
    expect(rangesOf("2001:db8::1-2001:db8::ff")).toEqual(["2001:db8::1-2001:db8::ff"]);
    expect(rangesOf("::ffff:10.0.0.1")).toEqual(["::ffff:a00:1"]);
  });

  it("takes anything that is not address-like for a host name, which only the server can check", () => {
    expect(parseTarget("db.example.com").kind).toBe("name");
    expect(parseTarget("localhost").kind).toBe("name");
  });

  it("names what is wrong with a malformed address", () => {
    const message = (token: string) => {
      const parsed = parseTarget(token);
      return parsed.kind === "invalid" ? parsed.message : `parsed as ${parsed.kind}`;
    };
    expect(message("10.0.0.5/24")).toBe("host bits are set; the network is 10.0.0.0/24");
    expect(message("10.0.0.0/33")).toBe("prefix length '33' is not a number from 0 to 32");
    expect(message("10.0.0.256")).toMatch(/octet '256'/);
    expect(message("10.0.0.010")).toMatch(/octet '010'/);
    expect(message("10.0.0")).toBe("expected 4 dot-separated octets or octet ranges");
    expect(message("10.0.0.9-10.0.0.1")).toBe("the range runs backwards");
    expect(message("10.0.0.1-::1")).toBe("a range cannot mix IPv4 and IPv6");
    expect(message("[::1]")).toBe("write IPv6 addresses without brackets");
    expect(message("1::2::3")).toMatch(/not an IPv6 address/);
    expect(message("fe80::1%eth0")).toMatch(/zone index/);
  });

  it("splits on commas and any whitespace", () => {
    expect(splitTargets(" 10.0.0.1,10.0.0.2\n\n 10.0.0.3\t!10.0.0.2 ,")).toEqual([
      "10.0.0.1",
      "10.0.0.2",
      "10.0.0.3",
      "!10.0.0.2",
    ]);
  });
});

describe("addresses and ranges written as the server writes them", () => {
  it("compresses the longest run of zero groups in IPv6", () => {
    const v6 = (text: string) => {
      const parsed = parseTarget(text);
      if (parsed.kind !== "ranges" || !parsed.ranges[0]) throw new Error(text);
      return formatAddress(6, parsed.ranges[0].first);
    };
    expect(v6("2001:0db8:0000:0000:0001:0000:0000:0001")).toBe("2001:db8::1:0:0:1");
    expect(v6("0:0:0:0:0:0:0:0")).toBe("::");
    expect(v6("1:0:2:3:4:5:6:7")).toBe("1:0:2:3:4:5:6:7");
  });

  it("writes an aligned power-of-two range as a CIDR and any other as first-last", () => {
    expect(formatRange({ family: 4, first: 0x0a000000n, last: 0x0a0000ffn })).toBe("10.0.0.0/24");
    expect(formatRange({ family: 4, first: 0x0a000001n, last: 0x0a000100n })).toBe("10.0.0.1-10.0.1.0");
  });

  it("subtracts holes from ranges, merging what touches", () => {
    const [range] = parseScopes(["10.0.0.0/24"]);
    const holes = parseScopes(["10.0.0.0/26", "10.0.0.128", "10.0.0.200-10.0.1.10"]);
    expect(subtractRanges(range ? [range] : [], holes).map(formatRange)).toEqual([
      "10.0.0.64/26",
      "10.0.0.129-10.0.0.199",
    ]);
  });
});

describe("checking targets against the scan scopes", () => {
  it("passes targets inside the scopes and counts their addresses", () => {
    const check = checkTargets("127.0.0.1, 127.0.1.0/24", loopback);
    expect(check.outside).toEqual([]);
    expect(check.invalid).toEqual([]);
    expect(check.addresses).toBe(257n);
  });

  it("names each entry outside, with the outside part when the entry is only partly outside", () => {
    const check = checkTargets("127.0.0.1\n10.0.0.1\n126.255.255.254-127.0.0.5", loopback);
    expect(check.outside).toEqual([
      { entry: "10.0.0.1", ranges: ["10.0.0.1"] },
      { entry: "126.255.255.254-127.0.0.5", ranges: ["126.255.255.254/31"] },
    ]);
  });

  it("lets exclusions take addresses out before the check", () => {
    const check = checkTargets("10.0.0.0/30 127.0.0.1 !10.0.0.0/30", loopback);
    expect(check.outside).toEqual([]);
    expect(check.addresses).toBe(1n);
  });

  it("finds everything outside when no scope is configured", () => {
    expect(checkTargets("127.0.0.1", []).outside).toEqual([{ entry: "127.0.0.1", ranges: ["127.0.0.1"] }]);
  });

  it("leaves host names to the server and reports malformed entries", () => {
    const check = checkTargets("db.example 10.0.0.300 !", loopback);
    expect(check.names).toEqual(["db.example"]);
    expect(check.invalid.map((problem) => problem.entry)).toEqual(["10.0.0.300", "!"]);
    expect(check.outside).toEqual([]);
  });

  it("lists a few outside ranges per entry and counts the rest", () => {
    const check = checkTargets("10.0-9.0.1", loopback, 2);
    expect(check.outside).toEqual([{ entry: "10.0-9.0.1", ranges: ["10.0.0.1", "10.1.0.1", "8 more ranges"] }]);
  });

  it("checks IPv6 against IPv6 scopes", () => {
    const scopes = parseScopes(["127.0.0.0/8", "::1"]);
    expect(checkTargets("::1", scopes).outside).toEqual([]);
    expect(checkTargets("::2", scopes).outside).toEqual([{ entry: "::2", ranges: ["::2"] }]);
  });

  it("reads scopes the server lists as ranges that are not CIDRs", () => {
    const scopes = parseScopes(["10.0.0.1-10.0.0.5"]);
    expect(checkTargets("10.0.0.2", scopes).outside).toEqual([]);
    expect(checkTargets("10.0.0.6", scopes).outside).toHaveLength(1);
  });
});
