/**
 * IP address checks shared by every component. Pure: no Pulumi imports. Address math is done by
 * `ipaddr.js`; this module only adds field-naming errors and the few rules the components share.
 */
import * as ipaddr from "ipaddr.js";
import { InputError } from "./errors";

/** An address with its prefix length, as assigned to an interface (`192.168.30.31/24`). */
export interface InterfaceAddress {
  /** The address in canonical form, without prefix (`192.168.30.31`). */
  ip: string;
  /** Prefix length in bits (`24`). */
  prefix: number;
  /** `ipv4` or `ipv6`. */
  family: "ipv4" | "ipv6";
  /** The address with its prefix in canonical form (`192.168.30.31/24`). */
  cidr: string;
  /** The network the address belongs to (`192.168.30.0/24`). */
  network: string;
}

function parseStrictIp(value: string): ipaddr.IPv4 | ipaddr.IPv6 | undefined {
  // ipaddr.isValid() also accepts legacy forms such as "10.1" or "0x0a000001"; a control-plane
  // address written that way is almost certainly a typo, so only dotted quads are accepted.
  if (ipaddr.IPv4.isValidFourPartDecimal(value)) return ipaddr.IPv4.parse(value);
  if (value.includes(":") && ipaddr.IPv6.isValid(value)) return ipaddr.IPv6.parse(value);
  return undefined;
}

/**
 * Parses a plain IP address (no prefix).
 * @throws InputError naming `field` when the value is not an IPv4 dotted quad or an IPv6 address.
 */
export function parseIp(field: string, value: unknown): { ip: string; family: "ipv4" | "ipv6" } {
  const addr = typeof value === "string" ? parseStrictIp(value.trim()) : undefined;
  if (!addr) throw new InputError(field, value, "is not a valid IP address (expected e.g. 192.168.30.30)");
  return { ip: addr.toString(), family: addr.kind() };
}

/**
 * Parses an interface address with prefix, e.g. `192.168.30.31/24`.
 * @throws InputError naming `field` when the value is malformed, has no prefix, or is the
 *   network or broadcast address of its own subnet (IPv4 prefixes shorter than /31).
 */
export function parseInterfaceAddress(field: string, value: unknown): InterfaceAddress {
  if (typeof value !== "string" || !value.includes("/")) {
    throw new InputError(field, value, "must be an address with prefix length, e.g. 192.168.30.31/24");
  }
  const [ipText, prefixText] = value.trim().split("/", 2);
  const addr = parseStrictIp(ipText);
  const prefix = /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : NaN;
  const maxPrefix = addr?.kind() === "ipv6" ? 128 : 32;
  if (!addr || !(prefix >= 0 && prefix <= maxPrefix)) {
    throw new InputError(field, value, "must be an address with prefix length, e.g. 192.168.30.31/24");
  }
  const cidr = `${addr.toString()}/${prefix}`;
  const family = addr.kind();
  let network: string;
  if (family === "ipv4") {
    const net = ipaddr.IPv4.networkAddressFromCIDR(cidr);
    network = `${net.toString()}/${prefix}`;
    if (prefix < 31) {
      if (net.toString() === addr.toString()) {
        throw new InputError(field, value, `is the network address of ${network}, not a host address`);
      }
      if (ipaddr.IPv4.broadcastAddressFromCIDR(cidr).toString() === addr.toString()) {
        throw new InputError(field, value, `is the broadcast address of ${network}, not a host address`);
      }
    }
  } else {
    network = `${ipaddr.IPv6.networkAddressFromCIDR(cidr).toString()}/${prefix}`;
  }
  return { ip: addr.toString(), prefix, family, cidr, network };
}

/** True when `ip` lies inside the subnet of `iface` (same family and network). */
export function inSubnet(ip: string, iface: InterfaceAddress): boolean {
  const addr = ipaddr.parse(ip);
  if (addr.kind() !== iface.family) return false;
  return addr.match(ipaddr.parseCIDR(iface.network));
}

/** True when `ip` is the network or broadcast address of the IPv4 subnet of `iface`. */
export function isReservedInSubnet(ip: string, iface: InterfaceAddress): boolean {
  if (iface.family !== "ipv4" || iface.prefix >= 31) return false;
  const cidr = `${iface.ip}/${iface.prefix}`;
  return ipaddr.IPv4.networkAddressFromCIDR(cidr).toString() === ip || ipaddr.IPv4.broadcastAddressFromCIDR(cidr).toString() === ip;
}

/** A name usable in resource names, file names and Talos link aliases: a DNS label. */
export function checkName(field: string, value: unknown): string {
  if (typeof value !== "string" || !/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(value)) {
    throw new InputError(field, value, "must be a DNS label: lower-case letters, digits and '-', 1-63 characters");
  }
  return value;
}
