/**
 * The lab network: one Linux bridge in the lab's own namespace and one network namespace per
 * machine (two load balancers, three control-plane nodes, one client), each attached to the
 * bridge by a veth pair whose inner end is renamed `eth0`. Only 10.199.0.0/24 is used, no
 * namespace has a route elsewhere, and the bridge and host-side veths carry no address, so no lab
 * packet can leave the bridge.
 *
 * Names: every namespace and every link the lab creates starts with `tel-<pid>-` (tel =
 * talos-endpoints lab; <pid> = the lab process), e.g. `tel-4242-lb1`, which keeps them apart from
 * anything else on the machine and lets a later run find leftovers of a dead run.
 */
import * as fs from "fs";
import { pidAlive, run, signalPid } from "./proc";

/** Machines of the lab. */
export const ROLES = ["lb1", "lb2", "cp1", "cp2", "cp3", "client"] as const;
/** One of {@link ROLES}. */
export type Role = (typeof ROLES)[number];
/** The two load balancers. */
export type LbRole = "lb1" | "lb2";
/** The three control-plane nodes. */
export type CpRole = "cp1" | "cp2" | "cp3";
/** Control-plane roles in order. */
export const CP_ROLES: readonly CpRole[] = ["cp1", "cp2", "cp3"];
/** Load-balancer roles in order. */
export const LB_ROLES: readonly LbRole[] = ["lb1", "lb2"];

/** Prefix length of the lab subnet 10.199.0.0/24. */
export const LAB_PREFIX = 24;
/** The VIP the load balancers share. */
export const LAB_VIP = "10.199.0.10";
/** Address of each machine. */
export const LAB_ADDRESSES: Readonly<Record<Role, string>> = Object.freeze({
  lb1: "10.199.0.11",
  lb2: "10.199.0.12",
  cp1: "10.199.0.21",
  cp2: "10.199.0.22",
  cp3: "10.199.0.23",
  client: "10.199.0.100",
});
/** Interface name inside every namespace (the seed config says `interface eth0`). */
export const LAB_IFACE = "eth0";

const PREFIX_RE = /^tel-(\d+)-/;

/** Names of one lab instance. */
export interface LabNames {
  /** `tel-<pid>-`. */
  prefix: string;
  /** The bridge, `tel-<pid>-br`. */
  bridge: string;
  /** Namespace of a machine, `tel-<pid>-<role>`. */
  ns(role: Role): string;
  /** Host-side veth of a machine (a bridge port), `tel-<pid>-<role>` (`cl` for the client); at most 15 characters. */
  hostVeth(role: Role): string;
}

/** The names for a lab owned by process `pid`. */
export function labNames(pid: number = process.pid): LabNames {
  const prefix = `tel-${pid}-`;
  // Link names are limited to 15 characters: "tel-4194304-lb1" fits, "…-client" would not.
  return { prefix, bridge: `${prefix}br`, ns: (r) => `${prefix}${r}`, hostVeth: (r) => `${prefix}${r === "client" ? "cl" : r}` };
}

async function ip(args: string[], allowFail = false): Promise<string> {
  return (await run("ip", args, { allowFail })).stdout;
}

function disableIpv6(ifname: string): void {
  // The bridge and host-side veths have no IPv4 address; without IPv6 they send nothing at all.
  try {
    fs.writeFileSync(`/proc/sys/net/ipv6/conf/${ifname}/disable_ipv6`, "1");
  } catch {
    /* IPv6 not compiled in: nothing to disable */
  }
}

async function addMachine(names: LabNames, role: Role): Promise<void> {
  const ns = names.ns(role);
  const peer = `${names.prefix}p`;
  await ip(["netns", "add", ns]);
  await ip(["link", "add", names.hostVeth(role), "type", "veth", "peer", "name", peer]);
  await ip(["link", "set", peer, "netns", ns]);
  await ip(["-n", ns, "link", "set", peer, "name", LAB_IFACE]);
  await ip(["link", "set", names.hostVeth(role), "master", names.bridge]);
  disableIpv6(names.hostVeth(role));
  await ip(["link", "set", names.hostVeth(role), "up"]);
  await ip(["-n", ns, "link", "set", "lo", "up"]);
  await ip(["-n", ns, "addr", "add", `${LAB_ADDRESSES[role]}/${LAB_PREFIX}`, "dev", LAB_IFACE]);
  await ip(["-n", ns, "link", "set", LAB_IFACE, "up"]);
}

/** Creates the bridge and every machine's namespace. Throws on the first failing `ip` command (call {@link destroyTopology} afterwards). */
export async function createTopology(names: LabNames): Promise<void> {
  await ip(["link", "add", "name", names.bridge, "type", "bridge"]);
  disableIpv6(names.bridge);
  await ip(["link", "set", names.bridge, "up"]);
  for (const role of ROLES) await addMachine(names, role);
}

/** Brings a machine's bridge port up or down: down, the machine receives and sends nothing and resets nothing. */
export async function setMachineLink(names: LabNames, role: Role, up: boolean): Promise<void> {
  await ip(["link", "set", names.hostVeth(role), up ? "up" : "down"]);
}

/**
 * Isolates a machine's bridge port (`bridge link set dev <port> isolated on`): isolated ports
 * cannot exchange frames with each other, only with the other ports. Isolating both load
 * balancers cuts everything between them, i.e. VRRP (unicast and multicast), and nothing else.
 */
export async function setMachineIsolated(names: LabNames, role: Role, isolated: boolean): Promise<void> {
  await run("bridge", ["link", "set", "dev", names.hostVeth(role), "isolated", isolated ? "on" : "off"]);
}

async function listNamespaces(): Promise<string[]> {
  const out = await ip(["netns", "list"], true);
  return out
    .split("\n")
    .map((l) => l.split(" ")[0])
    .filter(Boolean);
}

async function listLinks(): Promise<string[]> {
  const out = await ip(["-o", "link", "show"], true);
  return out
    .split("\n")
    .map((l) => /^\d+:\s+([^:@]+)/.exec(l)?.[1])
    .filter((n): n is string => n !== undefined);
}

async function deleteNamespace(ns: string): Promise<void> {
  // Processes still inside (leftovers of a lab that died) are the lab's own: end them by PID.
  const pids = (await ip(["netns", "pids", ns], true)).split("\n").filter(Boolean).map(Number);
  pids.forEach((pid) => signalPid(pid, "SIGKILL"));
  await ip(["netns", "del", ns], true);
}

/** Deletes every namespace and link of this lab instance (missing ones are ignored). */
export async function destroyTopology(names: LabNames): Promise<void> {
  for (const ns of await listNamespaces()) if (ns.startsWith(names.prefix)) await deleteNamespace(ns);
  for (const link of await listLinks()) if (link.startsWith(names.prefix)) await ip(["link", "del", link], true);
}

/**
 * Removes namespaces and links named `tel-<pid>-*` whose owning process `<pid>` no longer runs
 * (a lab that was killed before its teardown). Labs of live processes are left alone.
 * @returns the names removed.
 */
export async function removeLeftovers(): Promise<string[]> {
  const dead = (name: string) => {
    const m = PREFIX_RE.exec(name);
    return m !== null && Number(m[1]) !== process.pid && !pidAlive(Number(m[1]));
  };
  const removed: string[] = [];
  for (const ns of (await listNamespaces()).filter(dead)) {
    await deleteNamespace(ns);
    removed.push(ns);
  }
  for (const link of (await listLinks()).filter(dead)) {
    await ip(["link", "del", link], true);
    removed.push(link);
  }
  return removed;
}
