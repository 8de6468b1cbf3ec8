/**
 * The address parser shared by every renderer: plain IPs, interface addresses with prefix
 * (`192.168.30.31/24`), CIDR blocks (`10.0.0.0/16`), address ranges (`a-b`) and address blocks
 * (a range or a CIDR, as MetalLB pools take them), with containment and overlap. Pure: no Pulumi
 * imports.
 *
 * Parsing, canonical text, network/broadcast addresses and subnet matching are ipaddr.js's; this
 * module adds the strict address form, field-naming errors and the rules the renderers share.
 * ipaddr.js has no ordering or successor operation, so a span of addresses is also held as a pair
 * of BigInts (from `toByteArray()`, back with `fromByteArray()`) to compare bounds and to step
 * through addresses; nothing else is computed by hand.
 *
 * Two layers: `read…` functions never throw and say what is wrong (so a renderer can word its
 * own message), `parse…` functions throw an {@link InputError} naming the field and the value.
 */
import * as ipaddr from "ipaddr.js";
import { InputError } from "./errors";

/** `ipv4` or `ipv6`. */
export type IpFamily = "ipv4" | "ipv6";

/** A plain address in canonical form (`192.168.30.30`, `2001:db8::1`). */
export interface ParsedIp {
  ip: string;
  family: IpFamily;
}

/** An address with its prefix length, as assigned to an interface (`192.168.30.31/24`). */
export interface InterfaceAddress {
  /** The address in canonical form, without prefix (`192.168.30.31`). */
  ip: string;
  /** Prefix length in bits (`24`). */
  prefix: number;
  /** `ipv4` or `ipv6`. */
  family: IpFamily;
  /** The address with its prefix in canonical form (`192.168.30.31/24`). */
  cidr: string;
  /** The network the address belongs to (`192.168.30.0/24`). */
  network: string;
}

/** A CIDR block: a network address with its prefix length. */
export interface CidrBlock {
  /** Canonical `network/prefix` (`2001:db8::/48`). */
  cidr: string;
  family: IpFamily;
  prefix: number;
}

/** A contiguous run of addresses of one family, bounds inclusive, as unsigned 32/128-bit numbers. */
export interface IpSpan {
  family: IpFamily;
  /** First address of the span, as a number (see {@link ipToBigInt}). */
  first: bigint;
  /** Last address of the span, as a number. */
  last: bigint;
}

/** An address range `first-last`. */
export interface AddressRange extends IpSpan {
  /** Canonical `first-last` (`2001:db8::10-2001:db8::20`). */
  text: string;
}

/** One address block as MetalLB pools take them: a range or a CIDR. */
export interface AddressBlock extends IpSpan {
  /** Canonical text as rendered into the pool: `first-last` or `network/prefix`. */
  text: string;
  /** `range` (`a-b`) or `cidr`. */
  kind: "range" | "cidr";
}

/** Why a text is not `<address>/<prefix>`. */
export type PrefixProblem =
  /** Not exactly one `/`. */
  | { problem: "syntax" }
  /** The part before `/` (trimmed) is not an IPv4 dotted quad or an IPv6 address. */
  | { problem: "address"; address: string }
  /** The prefix is not a number from 0 to `maxPrefix` (32 for IPv4, 128 for IPv6). */
  | { problem: "prefix"; family: IpFamily; maxPrefix: number };

/** Why a text is not a CIDR block: a {@link PrefixProblem}, or host bits set (`network` is the canonical block meant). */
export type CidrProblem = PrefixProblem | { problem: "hostBits"; network: string };

/** Why a text is not an address range `first-last`. */
export type RangeProblem =
  /** Not exactly one `-`. */
  | { problem: "syntax" }
  /** A bound (trimmed) is not an IP address; the first bad bound is named. */
  | { problem: "address"; address: string }
  /** One bound is IPv4, the other IPv6. */
  | { problem: "mixed" }
  /** The first bound comes after the last (both canonical). */
  | { problem: "reversed"; first: string; last: string };

type Ip = ipaddr.IPv4 | ipaddr.IPv6;

function strictIp(text: string): Ip | undefined {
  // ipaddr.isValid() also accepts legacy forms such as "10.1" or "0x0a000001"; an address
  // written that way is almost certainly a typo, so only dotted quads (and IPv6) are accepted.
  const t = text.trim();
  if (ipaddr.IPv4.isValidFourPartDecimal(t)) return ipaddr.IPv4.parse(t);
  if (t.includes(":") && ipaddr.IPv6.isValid(t)) return ipaddr.IPv6.parse(t);
  return undefined;
}

function ipClass(addr: Ip): typeof ipaddr.IPv4 | typeof ipaddr.IPv6 {
  return addr.kind() === "ipv4" ? ipaddr.IPv4 : ipaddr.IPv6;
}

/** The network address and the last address (IPv4: broadcast) of the block `addr/prefix`. */
function bounds(addr: Ip, prefix: number): { network: Ip; last: Ip } {
  const cidr = `${addr.toString()}/${prefix}`;
  return { network: ipClass(addr).networkAddressFromCIDR(cidr), last: ipClass(addr).broadcastAddressFromCIDR(cidr) };
}

/**
 * The value as a plain address (an IPv4 dotted quad or an IPv6 address, surrounding spaces
 * ignored) in canonical form, or `undefined`. Never throws.
 */
export function tryParseIp(value: unknown): ParsedIp | undefined {
  const addr = typeof value === "string" ? strictIp(value) : undefined;
  return addr && { ip: addr.toString(), family: addr.kind() };
}

/**
 * True for anything ipaddr.js reads as an address, legacy forms included (`10.1`, `0x0a000001`,
 * `3232235777`): such a text is meant as an address, not a host name, even when {@link parseIp}
 * refuses it.
 */
export function isIpLike(text: string): boolean {
  return ipaddr.isValid(text);
}

/**
 * Parses a plain IP address (no prefix).
 * @throws InputError naming `field` when the value is not an IPv4 dotted quad or an IPv6 address.
 */
export function parseIp(field: string, value: unknown): ParsedIp {
  const ip = tryParseIp(value);
  if (!ip) throw new InputError(field, value, "is not a valid IP address (expected e.g. 192.168.30.30)");
  return ip;
}

function readPrefixed(text: string): { addr: Ip; prefix: number } | PrefixProblem {
  const parts = text.trim().split("/");
  if (parts.length !== 2) return { problem: "syntax" };
  const addr = strictIp(parts[0]);
  if (!addr) return { problem: "address", address: parts[0].trim() };
  const maxPrefix = addr.kind() === "ipv4" ? 32 : 128;
  const prefix = /^\d{1,3}$/.test(parts[1]) ? Number(parts[1]) : NaN;
  if (!(prefix <= maxPrefix)) return { problem: "prefix", family: addr.kind(), maxPrefix };
  return { addr, prefix };
}

/**
 * Parses an interface address with prefix, e.g. `192.168.30.31/24` or `2001:db8::31/64`.
 * @throws InputError naming `field` when the value is malformed, has no prefix, or is the
 *   network or broadcast address of its own subnet (IPv4 prefixes shorter than /31).
 */
export function parseInterfaceAddress(field: string, value: unknown): InterfaceAddress {
  const read = typeof value === "string" ? readPrefixed(value) : undefined;
  if (!read || "problem" in read) {
    throw new InputError(field, value, "must be an address with prefix length, e.g. 192.168.30.31/24");
  }
  const { addr, prefix } = read;
  const ip = addr.toString();
  const { network, last } = bounds(addr, prefix);
  const networkCidr = `${network.toString()}/${prefix}`;
  if (addr.kind() === "ipv4" && prefix < 31) {
    if (network.toString() === ip) {
      throw new InputError(field, value, `is the network address of ${networkCidr}, not a host address`);
    }
    if (last.toString() === ip) {
      throw new InputError(field, value, `is the broadcast address of ${networkCidr}, not a host address`);
    }
  }
  return { ip, prefix, family: addr.kind(), cidr: `${ip}/${prefix}`, network: networkCidr };
}

/** Reads a CIDR block (`10.0.0.0/16`, `2001:db8::/48`); host bits must be clear. Never throws. */
export function readCidr(text: string): CidrBlock | CidrProblem {
  const read = readPrefixed(text);
  if ("problem" in read) return read;
  const network = bounds(read.addr, read.prefix).network.toString();
  const cidr = `${network}/${read.prefix}`;
  if (network !== read.addr.toString()) return { problem: "hostBits", network: cidr };
  return { cidr, family: read.addr.kind(), prefix: read.prefix };
}

/**
 * Parses a CIDR block (`10.0.0.0/16`, `2001:db8::/48`).
 * @param hostBitsNote appended to the host-bits message, e.g. `AWS expects the network address`.
 * @throws InputError naming `field`: `is not a CIDR block (…)` when malformed (no prefix, a
 *   prefix out of range, not an address); `has host bits set: the network address is <network>`
 *   for `192.168.1.1/24`.
 */
export function parseCidr(field: string, value: unknown, hostBitsNote?: string): CidrBlock {
  const read: CidrBlock | CidrProblem = typeof value === "string" ? readCidr(value) : { problem: "syntax" };
  if (!("problem" in read)) return read;
  if (read.problem === "hostBits") {
    throw new InputError(
      field,
      value,
      `has host bits set: the network address is ${read.network}${hostBitsNote ? `; ${hostBitsNote}` : ""}`,
    );
  }
  throw new InputError(field, value, "is not a CIDR block (expected a network address with prefix length, e.g. 10.0.0.0/16)");
}

/** Reads an address range `first-last` (spaces around the bounds ignored); the bounds may be equal. Never throws. */
export function readAddressRange(text: string): AddressRange | RangeProblem {
  const parts = text.trim().split("-");
  if (parts.length !== 2) return { problem: "syntax" };
  const ends: Ip[] = [];
  for (const part of parts) {
    const addr = strictIp(part);
    if (!addr) return { problem: "address", address: part.trim() };
    ends.push(addr);
  }
  const [start, end] = ends;
  if (start.kind() !== end.kind()) return { problem: "mixed" };
  const first = ipToBigInt(start.toString());
  const last = ipToBigInt(end.toString());
  if (first > last) return { problem: "reversed", first: start.toString(), last: end.toString() };
  return { text: `${start.toString()}-${end.toString()}`, family: start.kind(), first, last };
}

const BLOCK_HINT = 'must be an address range "first-last" (e.g. 192.168.30.200-192.168.30.220) or a CIDR (e.g. 192.168.30.192/27)';

function blockProblem(p: CidrProblem | RangeProblem): string {
  switch (p.problem) {
    case "syntax":
      return BLOCK_HINT;
    case "address":
      return `${BLOCK_HINT}; "${p.address}" is not an IP address`;
    case "prefix":
      return `has an invalid prefix length; ${p.family} prefixes are 0-${p.maxPrefix}`;
    case "hostBits":
      return `has host bits set; the network is ${p.network} (use a range for part of it)`;
    case "mixed":
      return "mixes an IPv4 and an IPv6 address; a range stays within one family";
    case "reversed":
      return `is reversed: ${p.first} comes after ${p.last}`;
  }
}

/**
 * Parses an address block: a range `first-last` or a CIDR (a MetalLB pool entry).
 *
 * @throws InputError naming `field` when the value is not a string, is a bare address, is a
 *   range with a malformed, mixed-family or reversed pair of bounds, or is a CIDR with a bad
 *   prefix or host bits set (`192.168.30.5/24`: almost certainly a typo for a range or network).
 */
export function parseAddressBlock(field: string, value: unknown): AddressBlock {
  if (typeof value !== "string" || value.trim() === "") throw new InputError(field, value, BLOCK_HINT);
  if (value.includes("-")) {
    const range = readAddressRange(value);
    if ("problem" in range) throw new InputError(field, value, blockProblem(range));
    return { ...range, kind: "range" };
  }
  if (value.includes("/")) {
    const block = readCidr(value);
    if ("problem" in block) throw new InputError(field, value, blockProblem(block));
    return { text: block.cidr, kind: "cidr", ...cidrSpan(block.cidr) };
  }
  throw new InputError(field, value, `${BLOCK_HINT}; a single address is written as a /32 (IPv4) or /128 (IPv6) CIDR`);
}

/** A valid address as an unsigned number (32 or 128 bits). */
export function ipToBigInt(ip: string): bigint {
  return ipaddr
    .parse(ip)
    .toByteArray()
    .reduce((acc, byte) => (acc << 8n) | BigInt(byte), 0n);
}

/** The address of the given number, in ipaddr.js's canonical text form. */
export function bigIntToIp(value: bigint, family: IpFamily): string {
  const length = family === "ipv4" ? 4 : 16;
  const bytes: number[] = [];
  let rest = value;
  for (let i = 0; i < length; i++) {
    bytes.unshift(Number(rest & 0xffn));
    rest >>= 8n;
  }
  return ipaddr.fromByteArray(bytes).toString();
}

/** The span of a valid CIDR (`192.168.30.0/24` → .0 to .255); host bits are ignored. */
export function cidrSpan(cidr: string): IpSpan {
  const [addr, prefix] = ipaddr.parseCIDR(cidr);
  const { network, last } = bounds(addr, prefix);
  return { family: addr.kind(), first: ipToBigInt(network.toString()), last: ipToBigInt(last.toString()) };
}

/** True when the valid address `ip` lies in the valid CIDR `cidr` (same family and network). */
export function cidrContains(cidr: string, ip: string): boolean {
  const network = ipaddr.parseCIDR(cidr);
  const addr = ipaddr.parse(ip);
  return addr.kind() === network[0].kind() && addr.match(network);
}

/** True when the valid address `ip` lies inside the span. */
export function blockContains(block: IpSpan, ip: string): boolean {
  const addr = ipaddr.parse(ip);
  if (addr.kind() !== block.family) return false;
  const n = ipToBigInt(ip);
  return n >= block.first && n <= block.last;
}

/** True when the two spans share at least one address. */
export function blocksOverlap(a: IpSpan, b: IpSpan): boolean {
  return a.family === b.family && a.first <= b.last && b.first <= a.last;
}

/** True when the whole span lies inside the network `cidr` (e.g. `192.168.30.0/24`). */
export function blockInNetwork(block: IpSpan, cidr: string): boolean {
  const inside = (n: bigint) => cidrContains(cidr, bigIntToIp(n, block.family));
  return ipaddr.parseCIDR(cidr)[0].kind() === block.family && inside(block.first) && inside(block.last);
}

/** True when `ip` lies inside the subnet of `iface` (same family and network). */
export function inSubnet(ip: string, iface: InterfaceAddress): boolean {
  return cidrContains(iface.network, ip);
}

/** True when `ip` is the network or broadcast address of the IPv4 subnet of `iface`. */
export function isReservedInSubnet(ip: string, iface: InterfaceAddress): boolean {
  if (iface.family !== "ipv4" || iface.prefix >= 31) return false;
  const { network, last } = bounds(ipaddr.parse(iface.ip), iface.prefix);
  return network.toString() === ip || last.toString() === ip;
}

/**
 * A name usable in resource names, file names and Talos link aliases: a DNS label. The check
 * lives in the input-check kit as `checkDnsLabel`; this name is kept for its importers.
 */
export { checkDnsLabel as checkName } from "./checks";
