/**
 * Address blocks of MetalLB pools (`a-b` ranges and CIDRs). Pure: no Pulumi imports.
 *
 * Parsing, canonical forms, network/broadcast addresses and subnet matching come from ipaddr.js.
 * ipaddr.js has no ordering or successor operation, so addresses are also converted to BigInt
 * (from `toByteArray()`, back with `fromByteArray()`) to compare range bounds and to step to the
 * next address; nothing else is computed by hand.
 */
import * as ipaddr from "ipaddr.js";
import { InputError } from "../../core/errors";
import { parseIp } from "../../core/net";

/** One parsed pool entry. */
export interface AddressBlock {
  /** Canonical text as rendered into the pool: `first-last` or `network/prefix`. */
  text: string;
  /** `range` (`a-b`) or `cidr`. */
  kind: "range" | "cidr";
  /** Address family. */
  family: "ipv4" | "ipv6";
  /** First address of the block, as a number. */
  first: bigint;
  /** Last address of the block, as a number. */
  last: bigint;
}

const BLOCK_HINT = 'must be an address range "first-last" (e.g. 192.168.30.200-192.168.30.220) or a CIDR (e.g. 192.168.30.192/27)';

/** The address as an unsigned number (32 or 128 bits). */
export function ipToBigInt(ip: string): bigint {
  return ipaddr
    .parse(ip)
    .toByteArray()
    .reduce((acc, byte) => (acc << 8n) | BigInt(byte), 0n);
}

/** The address of the given number, in ipaddr.js's canonical text form. */
export function bigIntToIp(value: bigint, family: "ipv4" | "ipv6"): string {
  const length = family === "ipv4" ? 4 : 16;
  const bytes: number[] = [];
  let rest = value;
  for (let i = 0; i < length; i++) {
    bytes.unshift(Number(rest & 0xffn));
    rest >>= 8n;
  }
  return ipaddr.fromByteArray(bytes).toString();
}

function strictIp(field: string, whole: string, part: string): { ip: string; family: "ipv4" | "ipv6" } {
  try {
    return parseIp(field, part.trim());
  } catch {
    throw new InputError(field, whole, `${BLOCK_HINT}; "${part.trim()}" is not an IP address`);
  }
}

/**
 * Parses one pool entry.
 *
 * @throws InputError naming `field` when the value is not a string, is a bare address, is a
 *   range with a malformed, mixed-family or reversed pair of bounds, or is a CIDR with a bad
 *   prefix or host bits set (`192.168.30.5/24`: almost certainly a typo for a range or network).
 */
export function parseAddressBlock(field: string, value: unknown): AddressBlock {
  if (typeof value !== "string" || value.trim() === "") throw new InputError(field, value, BLOCK_HINT);
  const text = value.trim();
  if (text.includes("-")) {
    const parts = text.split("-");
    if (parts.length !== 2) throw new InputError(field, value, BLOCK_HINT);
    const start = strictIp(field, value, parts[0]);
    const end = strictIp(field, value, parts[1]);
    if (start.family !== end.family)
      throw new InputError(field, value, "mixes an IPv4 and an IPv6 address; a range stays within one family");
    const first = ipToBigInt(start.ip);
    const last = ipToBigInt(end.ip);
    if (first > last) throw new InputError(field, value, `is reversed: ${start.ip} comes after ${end.ip}`);
    return { text: `${start.ip}-${end.ip}`, kind: "range", family: start.family, first, last };
  }
  if (text.includes("/")) {
    const [ipText, prefixText] = text.split("/", 2);
    const { ip, family } = strictIp(field, value, ipText);
    const max = family === "ipv4" ? 32 : 128;
    const prefix = /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : NaN;
    if (!(prefix >= 0 && prefix <= max))
      throw new InputError(field, value, `has an invalid prefix length; ${family} prefixes are 0-${max}`);
    const cidr = `${ip}/${prefix}`;
    const network = family === "ipv4" ? ipaddr.IPv4.networkAddressFromCIDR(cidr) : ipaddr.IPv6.networkAddressFromCIDR(cidr);
    const broadcast = family === "ipv4" ? ipaddr.IPv4.broadcastAddressFromCIDR(cidr) : ipaddr.IPv6.broadcastAddressFromCIDR(cidr);
    if (network.toString() !== ip) {
      throw new InputError(field, value, `has host bits set; the network is ${network.toString()}/${prefix} (use a range for part of it)`);
    }
    return {
      text: `${network.toString()}/${prefix}`,
      kind: "cidr",
      family,
      first: ipToBigInt(network.toString()),
      last: ipToBigInt(broadcast.toString()),
    };
  }
  throw new InputError(field, value, `${BLOCK_HINT}; a single address is written as a /32 (IPv4) or /128 (IPv6) CIDR`);
}

/** True when `ip` (a valid address) lies inside the block. */
export function blockContains(block: AddressBlock, ip: string): boolean {
  const addr = ipaddr.parse(ip);
  if (addr.kind() !== block.family) return false;
  const n = ipToBigInt(ip);
  return n >= block.first && n <= block.last;
}

/** True when the two blocks share at least one address. */
export function blocksOverlap(a: AddressBlock, b: AddressBlock): boolean {
  return a.family === b.family && a.first <= b.last && b.first <= a.last;
}

/** True when the whole block lies inside the network `cidr` (e.g. `192.168.30.0/24`). */
export function blockInNetwork(block: AddressBlock, cidr: string): boolean {
  const network = ipaddr.parseCIDR(cidr);
  if (network[0].kind() !== block.family) return false;
  const inside = (n: bigint) => ipaddr.parse(bigIntToIp(n, block.family)).match(network);
  return inside(block.first) && inside(block.last);
}

/** True for IPv4 addresses ending in .0 or .255, which a pool with `avoidBuggyIPs` never hands out. */
export function isBuggyIp(ip: string): boolean {
  const addr = ipaddr.parse(ip);
  if (addr.kind() !== "ipv4") return false;
  const last = addr.toByteArray()[3];
  return last === 0 || last === 255;
}

/**
 * The first address MetalLB can hand out from the block: its first address, skipping .0/.255
 * when `avoidBuggyIPs` is set. Undefined when the block has none (e.g. `10.0.0.255-10.0.1.0`).
 */
export function firstAssignable(block: AddressBlock, avoidBuggyIPs: boolean): string | undefined {
  for (let n = block.first; n <= block.last && n <= block.first + 2n; n++) {
    const ip = bigIntToIp(n, block.family);
    if (!avoidBuggyIPs || !isBuggyIp(ip)) return ip;
  }
  return undefined;
}
