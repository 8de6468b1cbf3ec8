/**
 * Validation of the control-plane node list and of a Layer 2 VIP. Pure: no Pulumi imports.
 */
import { InputError } from "../../core/errors";
import { checkDnsLabel } from "../../core/checks";
import { inSubnet, InterfaceAddress, isReservedInSubnet, parseInterfaceAddress, parseIp } from "../../core/net";

/** A control-plane node as given by the user. */
export interface ControlPlaneNodeSpec {
  /** Node name: a DNS label, used in resource and file names (`cp-01`). */
  name: string;
  /** The node's own address with prefix length (`192.168.30.31/24`). */
  address: string;
}

/** A validated control-plane node. */
export interface ControlPlaneNode {
  name: string;
  address: InterfaceAddress;
}

/**
 * Checks the control-plane list: non-empty, every name a DNS label and unique, every address
 * well-formed with a prefix, no address used twice.
 *
 * @param field the input field holding the list (e.g. `controlPlanes`), named in errors.
 * @returns the parsed nodes, plus a warning when the count is even (etcd needs a majority of
 *   members; 2 nodes tolerate no failure, 4 tolerate one like 3 — see the etcd FAQ, "Why an odd
 *   number of cluster members?").
 * @throws InputError for any of the problems above.
 */
export function validateControlPlanes(
  field: string,
  nodes: readonly ControlPlaneNodeSpec[] | undefined,
): { nodes: ControlPlaneNode[]; warnings: string[] } {
  if (!Array.isArray(nodes) || nodes.length === 0) {
    throw new InputError(field, nodes, "must list at least one control-plane node");
  }
  const byName = new Map<string, number>();
  const byIp = new Map<string, number>();
  const parsed = nodes.map((node, i) => {
    const name = checkDnsLabel(`${field}[${i}].name`, node?.name);
    const address = parseInterfaceAddress(`${field}[${i}].address`, node?.address);
    if (byName.has(name)) {
      throw new InputError(`${field}[${i}].name`, name, `is also the name of ${field}[${byName.get(name)}]`);
    }
    if (byIp.has(address.ip)) {
      throw new InputError(`${field}[${i}].address`, node.address, `duplicates the address of ${field}[${byIp.get(address.ip)}]`);
    }
    byName.set(name, i);
    byIp.set(address.ip, i);
    return { name, address };
  });
  const warnings: string[] = [];
  if (parsed.length % 2 === 0) {
    warnings.push(
      `${field}: ${parsed.length} control-plane nodes is an even count; etcd needs a majority, so ${parsed.length} nodes ` +
        `tolerate as many failures as ${parsed.length - 1} (use an odd count: 1, 3 or 5)`,
    );
  }
  return { nodes: parsed, warnings };
}

/**
 * Checks a Layer 2 VIP (Talos native VIP, or a Keepalived VIP) against the nodes that share it:
 * a valid IP of the nodes' family, inside every node's subnet, not the subnet's network or
 * broadcast address, and not the address of any node. Talos requires the VIP to be "an unused IP
 * on the same subnet as the control plane nodes", shared over Layer 2 with gratuitous ARP
 * (Talos docs, "Virtual (shared) IP").
 *
 * @param field the VIP's input field, named in errors.
 * @param others further addresses the VIP must not equal, with their field names.
 * @throws InputError for any of the problems above.
 */
export function validateLayer2Vip(
  field: string,
  vip: unknown,
  nodes: readonly ControlPlaneNode[],
  nodesField: string,
  others: ReadonlyArray<{ field: string; ip: string }> = [],
): string {
  const { ip } = parseIp(field, vip);
  nodes.forEach((node, i) => {
    if (node.address.ip === ip) {
      throw new InputError(field, vip, `equals the address of ${nodesField}[${i}] (${node.name}); the VIP must be an unused address`);
    }
    if (!inSubnet(ip, node.address)) {
      throw new InputError(
        field,
        vip,
        `is outside the subnet ${node.address.network} of ${nodesField}[${i}] (${node.name}); a Layer 2 VIP must be on the nodes' subnet`,
      );
    }
    if (isReservedInSubnet(ip, node.address)) {
      throw new InputError(field, vip, `is the network or broadcast address of ${node.address.network}`);
    }
  });
  for (const other of others) {
    if (other.ip === ip) throw new InputError(field, vip, `equals ${other.field}; the VIP must be an unused address`);
  }
  return ip;
}
