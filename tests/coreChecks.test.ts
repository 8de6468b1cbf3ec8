/**
 * The input-check kit (src/core/checks.ts) and the address parser (src/core/net.ts): each check
 * accepts its boundary values and refuses the values just outside them with an InputError that
 * names the field and the value.
 */
import { inputErrorOf } from "./helpers/errors";
import {
  checkBoolean,
  checkDnsLabel,
  checkGoDuration,
  checkInt,
  checkNonEmptyString,
  checkOneOf,
  checkPattern,
  checkPort,
  checkStringList,
} from "../src/core/checks";
import { checkBoolean as checkBooleanFromErrors } from "../src/core/errors";
import {
  bigIntToIp,
  blockContains,
  blockInNetwork,
  blocksOverlap,
  checkName,
  cidrContains,
  cidrSpan,
  inSubnet,
  ipToBigInt,
  isIpLike,
  isReservedInSubnet,
  parseAddressBlock,
  parseCidr,
  parseInterfaceAddress,
  parseIp,
  readAddressRange,
  readCidr,
  tryParseIp,
} from "../src/core/net";

/** Runs `fn`, expects an InputError naming `field` and `value`, and returns its message. */
function refused(fn: () => unknown, field: string, value: unknown): string {
  const e = inputErrorOf(fn);
  expect(e.field).toBe(field);
  expect(e.value).toEqual(value);
  const shown = value === undefined ? "(not set)" : JSON.stringify(value);
  expect(e.message.startsWith(`${field}: ${shown} `)).toBe(true);
  return e.message;
}

describe("checkInt", () => {
  const range = { min: 1, max: 100 };
  test.each([1, 2, 99, 100])("accepts %p in [1, 100]", (v) => {
    expect(checkInt("f", v, range)).toBe(v);
  });
  test.each([0, 101, -1, 1.5, 99.999, NaN, Infinity, -Infinity, "5", null, undefined, [5], true])("refuses %p", (v) => {
    expect(refused(() => checkInt("f", v, range), "f", v)).toMatch(/ must be an integer from 1 to 100$/);
  });
  test("the full message, with `what` and `unit`", () => {
    expect(() => checkInt("a.b", 0, range)).toThrow(/^a\.b: 0 must be an integer from 1 to 100$/);
    expect(() => checkInt("t", 9, { min: 10, max: 60000, unit: "ms" })).toThrow(/^t: 9 must be an integer from 10 to 60000 ms$/);
    expect(() => checkInt("asn", 0, { min: 1, max: 4294967295, what: "an AS number, an integer" })).toThrow(
      /^asn: 0 must be an AS number, an integer from 1 to 4294967295$/,
    );
    expect(() => checkInt("ttl", 0, { min: 1, max: 86400, what: "whole seconds" })).toThrow(
      /^ttl: 0 must be whole seconds from 1 to 86400$/,
    );
  });
  test("a range of one value and ranges at the safe-integer limits", () => {
    expect(checkInt("f", 7, { min: 7, max: 7 })).toBe(7);
    refused(() => checkInt("f", 6, { min: 7, max: 7 }), "f", 6);
    refused(() => checkInt("f", 8, { min: 7, max: 7 }), "f", 8);
    expect(checkInt("f", Number.MAX_SAFE_INTEGER, { min: 0, max: Number.MAX_SAFE_INTEGER })).toBe(Number.MAX_SAFE_INTEGER);
    expect(checkInt("f", 0, { min: 0, max: Number.MAX_SAFE_INTEGER })).toBe(0);
    refused(() => checkInt("f", -1, { min: 0, max: Number.MAX_SAFE_INTEGER }), "f", -1);
  });
});

describe("checkPort", () => {
  test.each([1, 80, 65535])("accepts %p", (v) => expect(checkPort("port", v)).toBe(v));
  test.each([0, 65536, 80.5, "80"])("refuses %p", (v) => {
    expect(refused(() => checkPort("port", v), "port", v)).toMatch(/ must be a TCP port, an integer from 1 to 65535$/);
  });
});

describe("checkOneOf", () => {
  const modes = ["l2", "bgp"] as const;
  test.each(modes)("accepts %p", (v) => expect(checkOneOf("mode", v, modes)).toBe(v));
  test.each(["L2", "bgp ", "", null, undefined, 2, ["l2"]])("refuses %p, listing the values as JSON", (v) => {
    expect(refused(() => checkOneOf("mode", v, modes), "mode", v)).toMatch(/ must be one of "l2", "bgp"$/);
  });
  test("quote: false lists the values bare", () => {
    expect(() => checkOneOf("mode", "x", ["auto", "no-reboot"], { quote: false })).toThrow(/^mode: "x" must be one of auto, no-reboot$/);
  });
  test("numbers compare strictly", () => {
    expect(checkOneOf("v", 3, [2, 3])).toBe(3);
    expect(refused(() => checkOneOf("v", "3", [2, 3]), "v", "3")).toMatch(/ must be one of 2, 3$/);
  });
});

describe("checkBoolean", () => {
  test("accepts true and false; undefined takes the fallback", () => {
    expect(checkBoolean("b", true)).toBe(true);
    expect(checkBoolean("b", false, true)).toBe(false);
    expect(checkBoolean("b", undefined, true)).toBe(true);
    expect(checkBoolean("b", undefined, false)).toBe(false);
  });
  test.each(["true", "false", 0, 1, null])("refuses %p", (v) => {
    expect(refused(() => checkBoolean("b", v, false), "b", v)).toMatch(/ must be true or false$/);
  });
  test("undefined without a fallback is refused", () => {
    expect(refused(() => checkBoolean("b", undefined), "b", undefined)).toBe("b: (not set) must be true or false");
  });
  test("errors.ts re-exports the same function", () => {
    expect(checkBooleanFromErrors).toBe(checkBoolean);
  });
});

describe("strings", () => {
  test("checkNonEmptyString accepts one character and refuses the empty string and non-strings", () => {
    expect(checkNonEmptyString("s", "x")).toBe("x");
    for (const v of ["", 1, null, undefined, ["x"]]) {
      expect(refused(() => checkNonEmptyString("s", v), "s", v)).toMatch(/ must be a non-empty string$/);
    }
  });
  test("checkStringList accepts [] and non-empty strings, names the bad item", () => {
    expect(checkStringList("l", [])).toEqual([]);
    expect(checkStringList("l", ["a", "b"])).toEqual(["a", "b"]);
    expect(refused(() => checkStringList("l", "a"), "l", "a")).toMatch(/ must be a list of strings$/);
    expect(refused(() => checkStringList("l", ["a", ""]), "l[1]", "")).toMatch(/ must be a non-empty string$/);
    expect(refused(() => checkStringList("l", ["a", 3]), "l[1]", 3)).toMatch(/ must be a non-empty string$/);
  });
  test("checkPattern", () => {
    expect(checkPattern("p", "abc", /^[a-c]+$/, "must be a, b or c")).toBe("abc");
    expect(refused(() => checkPattern("p", "abd", /^[a-c]+$/, "must be a, b or c"), "p", "abd")).toBe('p: "abd" must be a, b or c');
    refused(() => checkPattern("p", 1, /^1$/, "must be a string"), "p", 1);
  });
});

describe("checkDnsLabel (checkName in net.ts)", () => {
  const longest = "a" + "b".repeat(61) + "c";
  test.each(["a", "0", "cp-01", "a-b-c", longest])("accepts %p", (v) => {
    expect(checkDnsLabel("n", v)).toBe(v);
    expect(checkName("n", v)).toBe(v);
  });
  test.each([longest + "d", "", "-a", "a-", "A", "cp_01", "a.b", " a", 1])("refuses %p", (v) => {
    expect(refused(() => checkDnsLabel("n", v), "n", v)).toMatch(
      / must be a DNS label: lower-case letters, digits and '-', 1-63 characters$/,
    );
  });
});

describe("checkGoDuration", () => {
  test.each(["1ns", "1us", "1µs", "1ms", "90s", "2m", "1m30s", "1.5h", "0.1s", "10s0ms"])("accepts %p", (v) => {
    expect(checkGoDuration("d", v)).toBe(v);
  });
  test.each(["0s", "0m0s", "0.0s", "", "90", "-1s", "1d", "s", "1 m", 90, undefined])("refuses %p", (v) => {
    expect(refused(() => checkGoDuration("d", v), "d", v)).toMatch(/ must be a positive Go duration such as 90s, 2m or 1m30s$/);
  });
});

describe("parseIp", () => {
  test.each([
    ["192.168.30.30", "192.168.30.30", "ipv4"],
    ["0.0.0.0", "0.0.0.0", "ipv4"],
    ["255.255.255.255", "255.255.255.255", "ipv4"],
    [" 10.0.0.1 ", "10.0.0.1", "ipv4"],
    ["2001:DB8:0:0::1", "2001:db8::1", "ipv6"],
    ["::", "::", "ipv6"],
    ["::ffff:192.168.1.1", "::ffff:c0a8:101", "ipv6"],
  ])("%p is %p (%s)", (input, ip, family) => {
    expect(parseIp("ip", input)).toEqual({ ip, family });
    expect(tryParseIp(input)).toEqual({ ip, family });
  });
  test.each([
    "256.0.0.1",
    "192.168.30",
    "10.1",
    "0x0a000001",
    "3232235777",
    "192.168.030.1",
    "1.2.3.4/24",
    "2001:db8::g",
    "",
    "api.example.org",
    42,
    null,
    undefined,
  ])("%p is refused", (v) => {
    expect(refused(() => parseIp("ip", v), "ip", v)).toMatch(/ is not a valid IP address \(expected e\.g\. 192\.168\.30\.30\)$/);
    expect(tryParseIp(v)).toBeUndefined();
  });
  test("isIpLike: ipaddr.js's own reading, legacy IPv4 forms included", () => {
    expect(["10.1", "0x0a000001", "3232235777", "192.168.30.30", "::1"].map(isIpLike)).toEqual([true, true, true, true, true]);
    expect(["api.example.org", "192.168.30.300", ""].map(isIpLike)).toEqual([false, false, false]);
  });
});

describe("parseInterfaceAddress", () => {
  test("IPv4 and IPv6, canonical, with the network", () => {
    expect(parseInterfaceAddress("a", "192.168.30.31/24")).toEqual({
      ip: "192.168.30.31",
      prefix: 24,
      family: "ipv4",
      cidr: "192.168.30.31/24",
      network: "192.168.30.0/24",
    });
    expect(parseInterfaceAddress("a", "2001:DB8::31/64")).toEqual({
      ip: "2001:db8::31",
      prefix: 64,
      family: "ipv6",
      cidr: "2001:db8::31/64",
      network: "2001:db8::/64",
    });
  });
  test("prefix boundaries: /0 and /32 (IPv4), /0 and /128 (IPv6); /31 and /32 have no network or broadcast address", () => {
    expect(parseInterfaceAddress("a", "10.0.0.1/0").network).toBe("0.0.0.0/0");
    expect(parseInterfaceAddress("a", "10.0.0.1/32").network).toBe("10.0.0.1/32");
    expect(parseInterfaceAddress("a", "10.0.0.0/31").ip).toBe("10.0.0.0");
    expect(parseInterfaceAddress("a", "10.0.0.1/31").ip).toBe("10.0.0.1");
    expect(parseInterfaceAddress("a", "2001:db8::/0").network).toBe("::/0");
    expect(parseInterfaceAddress("a", "2001:db8::1/128").network).toBe("2001:db8::1/128");
  });
  test.each([
    "10.0.0.1/33",
    "2001:db8::1/129",
    "10.0.0.1",
    "10.0.0.1/",
    "10.0.0.1/x",
    "10.0.0/24",
    "10.0.0.1/24/1",
    "/24",
    "",
    24,
    undefined,
  ])("%p is refused", (v) => {
    expect(refused(() => parseInterfaceAddress("a", v), "a", v)).toMatch(
      / must be an address with prefix length, e\.g\. 192\.168\.30\.31\/24$/,
    );
  });
  test("the network and broadcast addresses of the subnet are refused (IPv4 below /31)", () => {
    expect(refused(() => parseInterfaceAddress("a", "192.168.30.0/24"), "a", "192.168.30.0/24")).toMatch(
      / is the network address of 192\.168\.30\.0\/24, not a host address$/,
    );
    expect(refused(() => parseInterfaceAddress("a", "192.168.30.255/24"), "a", "192.168.30.255/24")).toMatch(
      / is the broadcast address of 192\.168\.30\.0\/24, not a host address$/,
    );
    expect(refused(() => parseInterfaceAddress("a", "10.0.0.3/30"), "a", "10.0.0.3/30")).toMatch(/broadcast address of 10\.0\.0\.0\/30/);
    expect(parseInterfaceAddress("a", "10.0.0.2/30").ip).toBe("10.0.0.2");
  });
  test("subnet membership", () => {
    const iface = parseInterfaceAddress("a", "192.168.30.31/24");
    expect(inSubnet("192.168.30.255", iface)).toBe(true);
    expect(inSubnet("192.168.31.0", iface)).toBe(false);
    expect(inSubnet("2001:db8::1", iface)).toBe(false);
    expect(isReservedInSubnet("192.168.30.0", iface)).toBe(true);
    expect(isReservedInSubnet("192.168.30.255", iface)).toBe(true);
    expect(isReservedInSubnet("192.168.30.254", iface)).toBe(false);
    expect(isReservedInSubnet("10.0.0.0", parseInterfaceAddress("a", "10.0.0.1/31"))).toBe(false);
  });
});

describe("CIDR blocks", () => {
  test("canonical network, family and prefix", () => {
    expect(parseCidr("c", "10.0.0.0/16")).toEqual({ cidr: "10.0.0.0/16", family: "ipv4", prefix: 16 });
    expect(parseCidr("c", "2001:db8:0::/48")).toEqual({ cidr: "2001:db8::/48", family: "ipv6", prefix: 48 });
    expect(parseCidr("c", "0.0.0.0/0")).toEqual({ cidr: "0.0.0.0/0", family: "ipv4", prefix: 0 });
    expect(parseCidr("c", "10.0.0.1/32")).toEqual({ cidr: "10.0.0.1/32", family: "ipv4", prefix: 32 });
    expect(parseCidr("c", "2001:db8::1/128")).toEqual({ cidr: "2001:db8::1/128", family: "ipv6", prefix: 128 });
  });
  test("host bits: the message names the network; the note is appended", () => {
    expect(refused(() => parseCidr("c", "192.168.1.1/24"), "c", "192.168.1.1/24")).toBe(
      'c: "192.168.1.1/24" has host bits set: the network address is 192.168.1.0/24',
    );
    expect(() => parseCidr("c", "10.0.0.1/16", "AWS expects the network address")).toThrow(
      'c: "10.0.0.1/16" has host bits set: the network address is 10.0.0.0/16; AWS expects the network address',
    );
    expect(() => parseCidr("c", "2001:db8::1/64")).toThrow("the network address is 2001:db8::/64");
  });
  test.each(["10.0.0.0/33", "2001:db8::/129", "10.0.0.0", "10.0.0/16", "10.0.0.0/16/1", "10.0.0.0/-1", "x/8", "", 16, undefined])(
    "%p is not a CIDR block",
    (v) => {
      expect(refused(() => parseCidr("c", v), "c", v)).toMatch(
        / is not a CIDR block \(expected a network address with prefix length, e\.g\. 10\.0\.0\.0\/16\)$/,
      );
    },
  );
  test("readCidr says what is wrong", () => {
    expect(readCidr("10.0.0.0/8/1")).toEqual({ problem: "syntax" });
    expect(readCidr("10.0.0/8")).toEqual({ problem: "address", address: "10.0.0" });
    expect(readCidr("10.0.0.0/33")).toEqual({ problem: "prefix", family: "ipv4", maxPrefix: 32 });
    expect(readCidr("::/129")).toEqual({ problem: "prefix", family: "ipv6", maxPrefix: 128 });
    expect(readCidr("10.0.0.1/8")).toEqual({ problem: "hostBits", network: "10.0.0.0/8" });
  });
  test("spans and containment", () => {
    expect(cidrSpan("192.168.30.0/24")).toEqual({ family: "ipv4", first: ipToBigInt("192.168.30.0"), last: ipToBigInt("192.168.30.255") });
    expect(cidrSpan("2001:db8::/126").last - cidrSpan("2001:db8::/126").first).toBe(3n);
    expect(cidrContains("127.0.0.0/8", "127.255.255.255")).toBe(true);
    expect(cidrContains("127.0.0.0/8", "128.0.0.0")).toBe(false);
    expect(cidrContains("127.0.0.0/8", "::1")).toBe(false);
    expect(cidrContains("2001:db8::/32", "2001:db8:ffff::1")).toBe(true);
  });
});

describe("address ranges and blocks (MetalLB pool entries)", () => {
  test("ranges: canonical text, equal bounds, IPv6", () => {
    expect(parseAddressBlock("p", " 192.168.30.200 - 192.168.30.220 ")).toEqual({
      text: "192.168.30.200-192.168.30.220",
      kind: "range",
      family: "ipv4",
      first: ipToBigInt("192.168.30.200"),
      last: ipToBigInt("192.168.30.220"),
    });
    const one = parseAddressBlock("p", "10.0.0.5-10.0.0.5");
    expect(one.last - one.first).toBe(0n);
    expect(parseAddressBlock("p", "2001:DB8::10-2001:db8::20").text).toBe("2001:db8::10-2001:db8::20");
  });
  test("CIDRs: /32 and /128 hold one address, /0 the whole family", () => {
    const v4 = parseAddressBlock("p", "192.168.30.200/32");
    expect([v4.kind, v4.text, v4.last - v4.first]).toEqual(["cidr", "192.168.30.200/32", 0n]);
    const v6 = parseAddressBlock("p", "2001:db8::1/128");
    expect(v6.last - v6.first).toBe(0n);
    const all = parseAddressBlock("p", "0.0.0.0/0");
    expect([all.first, all.last]).toEqual([0n, 2n ** 32n - 1n]);
  });
  test.each([
    ["192.168.30.220-192.168.30.200", " is reversed: 192.168.30.220 comes after 192.168.30.200"],
    ["192.168.30.1-2001:db8::1", " mixes an IPv4 and an IPv6 address; a range stays within one family"],
    ["192.168.30-192.168.30.9", '; "192.168.30" is not an IP address'],
    ["192.168.30.1-192.168.30.300", '; "192.168.30.300" is not an IP address'],
    ["a-b-c", ' must be an address range "first-last"'],
    ["192.168.30.5/24", " has host bits set; the network is 192.168.30.0/24 (use a range for part of it)"],
    ["192.168.30.0/33", " has an invalid prefix length; ipv4 prefixes are 0-32"],
    ["2001:db8::/129", " has an invalid prefix length; ipv6 prefixes are 0-128"],
    ["192.168.30.0/24/1", ' must be an address range "first-last"'],
    ["192.168.30.1", "; a single address is written as a /32 (IPv4) or /128 (IPv6) CIDR"],
    ["   ", ' must be an address range "first-last"'],
  ])("%p is refused", (value, message) => {
    expect(refused(() => parseAddressBlock("pools[0].addresses[0]", value), "pools[0].addresses[0]", value)).toContain(message);
  });
  test("a non-string is refused", () => {
    refused(() => parseAddressBlock("p", 5), "p", 5);
    refused(() => parseAddressBlock("p", undefined), "p", undefined);
  });
  test("readAddressRange says what is wrong", () => {
    expect(readAddressRange("1.2.3.4")).toEqual({ problem: "syntax" });
    expect(readAddressRange("1.2.3.4-x")).toEqual({ problem: "address", address: "x" });
    expect(readAddressRange("::1-1.2.3.4")).toEqual({ problem: "mixed" });
    expect(readAddressRange("::2-::1")).toEqual({ problem: "reversed", first: "::2", last: "::1" });
  });
  test("containment, overlap and subnet membership of blocks", () => {
    const a = parseAddressBlock("p", "192.168.30.200-192.168.30.210");
    expect(blockContains(a, "192.168.30.200")).toBe(true);
    expect(blockContains(a, "192.168.30.210")).toBe(true);
    expect(blockContains(a, "192.168.30.211")).toBe(false);
    expect(blockContains(a, "::ffff:c0a8:1ec8")).toBe(false);
    expect(blocksOverlap(a, parseAddressBlock("p", "192.168.30.210/32"))).toBe(true);
    expect(blocksOverlap(a, parseAddressBlock("p", "192.168.30.211/32"))).toBe(false);
    expect(blocksOverlap(parseAddressBlock("p", "::/128"), parseAddressBlock("p", "0.0.0.0/32"))).toBe(false);
    expect(blockInNetwork(a, "192.168.30.0/24")).toBe(true);
    expect(blockInNetwork(parseAddressBlock("p", "192.168.30.250-192.168.31.5"), "192.168.30.0/24")).toBe(false);
    expect(blockInNetwork(parseAddressBlock("p", "2001:db8::/120"), "192.168.30.0/24")).toBe(false);
  });
  test("BigInt conversion round-trips at the ends of both families", () => {
    expect(ipToBigInt("0.0.0.0")).toBe(0n);
    expect(ipToBigInt("255.255.255.255")).toBe(2n ** 32n - 1n);
    expect(ipToBigInt("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")).toBe(2n ** 128n - 1n);
    expect(bigIntToIp(2n ** 32n - 1n, "ipv4")).toBe("255.255.255.255");
    expect(bigIntToIp(1n, "ipv6")).toBe("::1");
    expect(bigIntToIp(ipToBigInt("2001:db8::ff") + 1n, "ipv6")).toBe("2001:db8::100");
  });
});

describe("InputError is a Pulumi input-property error and run error by the SDK's own tests", () => {
  const pulumi = require("@pulumi/pulumi") as typeof import("@pulumi/pulumi");
  const { InputError: CoreInputError } = require("../src/core/errors") as typeof import("../src/core/errors");
  const err = new CoreInputError("loadBalancers[1].priority", 300, "must be an integer from 1 to 254");

  test("carries the property path and the reason", () => {
    expect(err.message).toBe("loadBalancers[1].priority: 300 must be an integer from 1 to 254");
    expect(err.propertyPath).toBe("loadBalancers[1].priority");
    expect(err.reason).toBe("300 must be an integer from 1 to 254");
  });

  test("pulumi.InputPropertyError.isInstance and pulumi.RunError.isInstance accept it", () => {
    expect(pulumi.InputPropertyError.isInstance(err)).toBe(true);
    expect(pulumi.RunError.isInstance(err)).toBe(true);
    expect(pulumi.InputPropertyError.isInstance(new Error("x"))).toBe(false);
  });
});
