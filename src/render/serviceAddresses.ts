/**
 * Addresses a Service load balancer's pools (MetalLB, Cilium LB-IPAM) must stay clear of: the
 * nodes, the control-plane VIP, the load-balancer hosts and the default gateway. Pure: no Pulumi
 * imports.
 */
import { InputError } from "../core/errors";
import { InterfaceAddress, parseInterfaceAddress, parseIp } from "../core/net";

/** One address no pool may contain, with what it is (for the error). */
export interface ReservedAddress {
  ip: string;
  what: string;
}

/** Where the reserved addresses come from (the Service load balancer's own inputs). */
export interface ReservedAddressSpec {
  /** Node addresses, plain or with prefix (the prefix gives the nodes' subnets). */
  nodeAddresses?: unknown;
  /** The control-plane VIP (plain IP). */
  controlPlaneVip?: unknown;
  /** External load-balancer host addresses (plain IPs). */
  loadBalancerHosts?: unknown;
  /** The nodes' default gateway (plain IP). */
  gateway?: unknown;
}

/**
 * The addresses the pools must not contain (BGP peers are added by the caller) and the subnets of
 * the prefixed node addresses.
 * @throws InputError naming the field of a malformed address or list.
 */
export function reservedAddresses(spec: ReservedAddressSpec): { reserved: ReservedAddress[]; nodeSubnets: InterfaceAddress[] } {
  const reserved: ReservedAddress[] = [];
  const nodeSubnets: InterfaceAddress[] = [];
  if (spec.nodeAddresses !== undefined) {
    if (!Array.isArray(spec.nodeAddresses)) throw new InputError("nodeAddresses", spec.nodeAddresses, "must be a list of node addresses");
    spec.nodeAddresses.forEach((a, i) => {
      const field = `nodeAddresses[${i}]`;
      if (typeof a === "string" && a.includes("/")) {
        const iface = parseInterfaceAddress(field, a);
        nodeSubnets.push(iface);
        reserved.push({ ip: iface.ip, what: `node address ${field} (${iface.ip})` });
      } else {
        reserved.push({ ip: parseIp(field, a).ip, what: `node address ${field} (${a})` });
      }
    });
  }
  if (spec.controlPlaneVip !== undefined) {
    const { ip } = parseIp("controlPlaneVip", spec.controlPlaneVip);
    reserved.push({ ip, what: `the control-plane VIP controlPlaneVip (${ip})` });
  }
  if (spec.loadBalancerHosts !== undefined) {
    if (!Array.isArray(spec.loadBalancerHosts))
      throw new InputError("loadBalancerHosts", spec.loadBalancerHosts, "must be a list of IP addresses");
    spec.loadBalancerHosts.forEach((a, i) => {
      const { ip } = parseIp(`loadBalancerHosts[${i}]`, a);
      reserved.push({ ip, what: `load-balancer host loadBalancerHosts[${i}] (${ip})` });
    });
  }
  if (spec.gateway !== undefined) {
    const { ip } = parseIp("gateway", spec.gateway);
    reserved.push({ ip, what: `the default gateway gateway (${ip})` });
  }
  return { reserved, nodeSubnets };
}
