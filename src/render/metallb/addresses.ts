/**
 * Address blocks of MetalLB pools (`a-b` ranges and CIDRs). Pure: no Pulumi imports.
 *
 * Parsing, containment and overlap are the core parser's (`src/core/net.ts`, on ipaddr.js) and
 * are re-exported here; this module adds what only MetalLB does: `avoidBuggyIPs`.
 */
import * as ipaddr from "ipaddr.js";
import { AddressBlock, bigIntToIp } from "../../core/net";

export type { AddressBlock } from "../../core/net";
export { bigIntToIp, blockContains, blockInNetwork, blocksOverlap, ipToBigInt, parseAddressBlock } from "../../core/net";

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
