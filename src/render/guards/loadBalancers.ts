/**
 * Guards across components: one pure function that takes the load-balancing pieces a stack (or a
 * component) chose and refuses the combinations that break a cluster in ways no single component
 * can see. Pure: no Pulumi imports.
 *
 * Every refusal is an `InputError` whose field is the first piece's field and whose message names
 * the other piece's field, both values, why the two conflict and the fix. Soft advice comes back
 * as data ({@link GuardResult.warnings}) for the caller to log or export.
 *
 * Sources of the rules:
 * - Service load balancers and `spec.loadBalancerClass`: design notes (strategy comparison),
 *   "Conflicts between Kube-vip and MetalLB" (both controllers take the same Service unless
 *   classes separate them; Kubernetes >= 1.24); kube-vip v1.0.0 `pkg/services/watch_services.go`
 *   (`lbClassFilterLegacy`: a Service without class is taken unless `lb_class_only`); MetalLB's
 *   `loadBalancerClass` Helm value (MetalLB then ignores Services without that class); Cilium's
 *   `defaultLBServiceIPAM: none` (`requireLBClass`).
 * - Two BGP speakers on one node towards one router: the router holds one session per neighbour
 *   address (RFC 4271 §6.8, connection collision: one of the two sessions is closed), so both
 *   speakers' routes flap; two speakers that listen on TCP 179 on one node cannot both bind it
 *   (design notes, "Conflicts between Kube-vip and MetalLB"; issue #13 for Talos >= 1.14's own
 *   BGP). kube-vip v1.0.0 never listens (`pkg/bgp/server.go`: `ListenPort: -1`).
 * - IPVS: kube-vip's control-plane IPVS load balancer and kube-proxy in IPVS mode both own the
 *   node's IPVS table (kube-vip#745). kube-proxy in IPVS mode binds every LoadBalancer address to
 *   `kube-ipvs0` on every node, so without strict ARP (`--ipvs-strict-arp`) every node answers
 *   ARP for Service addresses announced over Layer 2 (MetalLB installation docs; kubernetes#75295).
 * - Addresses: a control-plane VIP inside a Service pool would be handed to a Service; equal to a
 *   node or a load-balancer host it would be announced twice.
 * - `externalTrafficPolicy: Local`: design notes, "Asymmetric Routing Issues" (traffic entering
 *   the announcing node and leaving another node through its own gateway is dropped by stateful
 *   firewalls; `Local` keeps it on nodes that run the Service's pods and preserves the client
 *   address).
 */
import { InputError } from "../../core/errors";
import { blockContains, parseAddressBlock, parseIp, tryParseIp } from "../../core/net";

/** A node of the cluster, as the guards see it. */
export interface GuardNode {
  /** Node name (`cp-01`). */
  name: string;
  /** Its address, plain or with prefix (`192.168.30.31/24`). */
  address: string;
  /** `control-plane` or `worker`. */
  role: "control-plane" | "worker";
}

/** Which nodes run a piece: every node, the control planes, the workers, or the nodes named. */
export type GuardNodeSet = "all" | "control-planes" | "workers" | readonly string[];

/** The control-plane endpoint the stack chose. */
export interface GuardEndpoint {
  /** What holds the endpoint: `talos-vip`, `kube-vip`, `haproxy-keepalived`, `nlb` or `dns`. */
  backend: "talos-vip" | "kube-vip" | "haproxy-keepalived" | "nlb" | "dns";
  /** The VIP (plain IP), when the backend announces one. */
  vip?: string;
  /** The VIP's field, named in errors (`vip`, `talos-endpoints:kubeVip.vip`). */
  vipField?: string;
  /** kube-vip's IPVS control-plane load balancer is on (`lb_enable`). */
  ipvsLoadBalancer?: boolean;
  /** The field that turns it on (`loadBalancer.enabled`). */
  ipvsField?: string;
}

/** One controller that gives Services of type LoadBalancer their addresses. */
export interface GuardServiceLoadBalancer {
  /** Who it is, for messages: `kube-vip Services`, `MetalLB`, `Cilium`. */
  name: string;
  /** The field that decides which Services it takes (its class setting), named in errors. */
  field: string;
  /** That field's value, shown in errors. */
  value: unknown;
  /** The `spec.loadBalancerClass` it serves, if any. */
  loadBalancerClass?: string;
  /** It also takes Services without `spec.loadBalancerClass`. */
  servesUnclassed: boolean;
  /** It announces Service addresses over Layer 2 (ARP/NDP). */
  layer2: boolean;
  /** The field that chose Layer 2 (its mode), named in strict-ARP errors. */
  modeField?: string;
}

/** One BGP speaker. */
export interface GuardBgpSpeaker {
  /** `kube-vip`, `metallb`, `cilium` or `talos` (Talos's own BGP, Talos >= 1.14). */
  kind: "kube-vip" | "metallb" | "cilium" | "talos";
  /** The field of its peer list (or mode), named in errors. */
  field: string;
  /** The nodes it runs on. */
  nodes: GuardNodeSet;
  /** The routers it peers with (plain IPs). */
  peers: readonly string[];
  /** It binds TCP port 179 on the node (MetalLB's FRR backend, Talos's BGP); kube-vip does not. */
  listens?: boolean;
}

/** kube-proxy as the cluster runs it. */
export interface GuardKubeProxy {
  /** `iptables`, `ipvs`, `nftables`, or `none` (replaced, e.g. by Cilium). */
  mode: string;
  /** The field that says so, named in errors. */
  field: string;
  /** `--ipvs-strict-arp` is set (by a component's Talos patch or by the user). */
  strictArp: boolean;
}

/** Everything the guards look at. Every part is optional; absent parts are not checked. */
export interface GuardSpec {
  /** Target Talos version (`1.12`, `v1.14.0`): decides whether Talos's own BGP can exist. */
  talosVersion?: string;
  /** The control-plane endpoint. */
  endpoint?: GuardEndpoint;
  /** The Service load balancers. */
  serviceLoadBalancers?: readonly GuardServiceLoadBalancer[];
  /** The BGP speakers. */
  bgpSpeakers?: readonly GuardBgpSpeaker[];
  /** kube-proxy. */
  kubeProxy?: GuardKubeProxy;
  /** Service address pools: ranges or CIDRs, each with its field. */
  servicePools?: readonly { field: string; block: string }[];
  /** The cluster's nodes. */
  nodes?: readonly GuardNode[];
  /** The field of the node list, for messages (`controlPlanes`). */
  nodesField?: string;
  /** External load-balancer hosts (plain IPs or with prefix), each with its field. */
  loadBalancerHosts?: readonly { field: string; address: string }[];
}

/** What the guards return when nothing conflicts. */
export interface GuardResult {
  /** Advice, not errors (e.g. `externalTrafficPolicy: Local`). */
  warnings: string[];
}

/** First Talos minor with its own BGP speaker (issue #13: "Talos >= 1.14's own BGP also listens on 179"). */
export const TALOS_BGP_MIN_MINOR = 14;

function show(value: unknown): string {
  return JSON.stringify(value) ?? "(not set)";
}

function plainIp(address: string): string | undefined {
  return tryParseIp(address.split("/")[0])?.ip;
}

/** The node names of a node set. */
function nodeNames(set: GuardNodeSet, nodes: readonly GuardNode[]): Set<string> {
  if (set === "all") return new Set(nodes.map((n) => n.name));
  if (set === "control-planes") return new Set(nodes.filter((n) => n.role === "control-plane").map((n) => n.name));
  if (set === "workers") return new Set(nodes.filter((n) => n.role === "worker").map((n) => n.name));
  return new Set(set);
}

/** Nodes two sets share. With no node list, "all" meets everything and the roles meet themselves. */
function sharedNodes(a: GuardNodeSet, b: GuardNodeSet, nodes: readonly GuardNode[]): string[] {
  if (nodes.length === 0 && typeof a === "string" && typeof b === "string") {
    if (a === "all" || b === "all" || a === b) return [a === "all" ? b : a];
    return [];
  }
  const left = nodeNames(a, nodes);
  return [...nodeNames(b, nodes)].filter((n) => left.has(n));
}

function talosMinor(version: string | undefined): number | undefined {
  const m = typeof version === "string" ? /^v?1\.(\d+)/.exec(version.trim()) : null;
  return m ? Number(m[1]) : undefined;
}

/** Two Service load balancers must not take the same Services. */
function checkServiceClasses(lbs: readonly GuardServiceLoadBalancer[]): void {
  lbs.forEach((a, i) => {
    lbs.slice(0, i).forEach((b) => {
      if (a.servesUnclassed && b.servesUnclassed) {
        throw new InputError(
          a.field,
          a.value,
          `conflicts with ${b.field} (${show(b.value)}): ${a.name} and ${b.name} would both take every LoadBalancer Service without ` +
            "spec.loadBalancerClass, assigning and withdrawing its address in turn. Fix: give one of them a class of its own " +
            "(kube-vip: services.classOnly: true; MetalLB: loadBalancerClass, delivery kubernetes; Cilium: requireLBClass: true) " +
            "and set that class on its Services (Kubernetes >= 1.24)",
        );
      }
      if (a.loadBalancerClass !== undefined && a.loadBalancerClass === b.loadBalancerClass) {
        throw new InputError(
          a.field,
          a.value,
          `conflicts with ${b.field} (${show(b.value)}): ${a.name} and ${b.name} both serve the loadBalancerClass ` +
            `${show(a.loadBalancerClass)}. Fix: give each controller its own class name`,
        );
      }
    });
  });
}

/** Two BGP speakers on one node towards one router, or two listeners on port 179 on one node. */
function checkBgpSpeakers(speakers: readonly GuardBgpSpeaker[], nodes: readonly GuardNode[], talosVersion?: string): void {
  for (const s of speakers) {
    if (s.kind !== "talos") continue;
    const minor = talosMinor(talosVersion);
    if (minor === undefined || minor < TALOS_BGP_MIN_MINOR) {
      throw new InputError(
        s.field,
        s.peers,
        `is a Talos BGP speaker, but talosVersion ${show(talosVersion)} has none (Talos's own BGP exists from 1.${TALOS_BGP_MIN_MINOR}); remove it or target Talos >= 1.${TALOS_BGP_MIN_MINOR}`,
      );
    }
  }
  speakers.forEach((a, i) => {
    speakers.slice(0, i).forEach((b) => {
      const shared = sharedNodes(a.nodes, b.nodes, nodes);
      if (shared.length === 0) return;
      const peers = a.peers.map((p) => plainIp(p) ?? p).filter((p) => b.peers.some((q) => (plainIp(q) ?? q) === p));
      if (peers.length > 0) {
        throw new InputError(
          a.field,
          a.peers,
          `conflicts with ${b.field} (${show(b.peers)}): ${a.kind} and ${b.kind} would both open a BGP session from node ` +
            `${shared[0]} to ${peers[0]}; the router keeps one session per neighbour address (RFC 4271, connection collision), ` +
            `so the two speakers' routes flap. Fix: peer one of them with another router, or keep them on different nodes ` +
            "(e.g. MetalLB peers with nodeSelectors for the workers only), or announce the control-plane VIP by ARP",
        );
      }
      if (a.listens && b.listens) {
        throw new InputError(
          a.field,
          a.peers,
          `conflicts with ${b.field} (${show(b.peers)}): ${a.kind} and ${b.kind} both listen on TCP port 179 on node ${shared[0]}; ` +
            "only one can bind it. Fix: keep them on different nodes, or let one speaker announce both kinds of address",
        );
      }
    });
  });
}

/** kube-vip IPVS vs kube-proxy IPVS; Layer 2 announcers vs kube-proxy IPVS without strict ARP. */
function checkKubeProxy(spec: GuardSpec): void {
  const proxy = spec.kubeProxy;
  if (!proxy || proxy.mode !== "ipvs") return;
  const ep = spec.endpoint;
  if (ep?.ipvsLoadBalancer) {
    throw new InputError(
      ep.ipvsField ?? "loadBalancer.enabled",
      true,
      `conflicts with ${proxy.field} ("ipvs"): kube-vip's IPVS control-plane load balancer and kube-proxy in IPVS mode both ` +
        "manage the node's IPVS table and remove each other's virtual servers (kube-vip#745). Fix: run kube-proxy in iptables or " +
        "nftables mode, or turn kube-vip's load balancer off (the VIP still fails over)",
    );
  }
  if (!proxy.strictArp) {
    const l2 = (spec.serviceLoadBalancers ?? []).find((lb) => lb.layer2);
    if (l2) {
      throw new InputError(
        l2.modeField ?? l2.field,
        l2.value,
        `conflicts with ${proxy.field} ("ipvs") without strict ARP: kube-proxy in IPVS mode binds every LoadBalancer address ` +
          `on every node, so every node would answer ARP for the addresses ${l2.name} announces. Fix: set strict ARP ` +
          '(cluster.proxy.extraArgs "ipvs-strict-arp": "true"; MetalLbServices and KubeVipEndpoint render it with kubeProxyMode: ipvs), ' +
          "or announce by BGP",
      );
    }
  }
}

/** The control-plane VIP must not be a Service pool address, a node or a load-balancer host. */
function checkVip(spec: GuardSpec): void {
  const ep = spec.endpoint;
  if (!ep?.vip) return;
  const field = ep.vipField ?? "vip";
  const vip = parseIp(field, ep.vip.split("/")[0]).ip;
  for (const pool of spec.servicePools ?? []) {
    const block = parseAddressBlock(pool.field, pool.block);
    if (blockContains(block, vip)) {
      throw new InputError(
        field,
        ep.vip,
        `lies inside the Service pool ${pool.field} (${pool.block}): the Service load balancer would hand the control-plane ` +
          "VIP to a Service and announce it a second time. Fix: take the VIP out of the pool (split the range) or choose another VIP",
      );
    }
  }
  (spec.nodes ?? []).forEach((n, i) => {
    if (plainIp(n.address) === vip) {
      throw new InputError(
        field,
        ep.vip,
        `equals the address of ${spec.nodesField ?? "nodes"}[${i}] (${n.name}); the VIP must be an address nothing else uses`,
      );
    }
  });
  for (const host of spec.loadBalancerHosts ?? []) {
    if (plainIp(host.address) === vip) {
      throw new InputError(
        field,
        ep.vip,
        `equals the load-balancer host ${host.field} (${host.address}); the VIP must be an unused address`,
      );
    }
  }
}

/** `externalTrafficPolicy: Local` advice for Layer 2 Service announcements. */
function trafficPolicyWarnings(spec: GuardSpec): string[] {
  const nodeCount = (spec.nodes ?? []).length;
  return (spec.serviceLoadBalancers ?? [])
    .filter((lb) => lb.layer2 && nodeCount !== 1)
    .map(
      (lb) =>
        `${lb.modeField ?? lb.field}: ${lb.name} announces Service addresses over Layer 2, so one node receives each address's ` +
        "traffic and may forward it to a pod on another node, which answers through its own gateway (asymmetric routing, dropped " +
        "by stateful firewalls). Set externalTrafficPolicy: Local on Services reached from outside the segment: only nodes running " +
        'the Service\'s pods then carry it, and the client address is kept (design notes, "Asymmetric Routing Issues")',
    );
}

/**
 * Refuses conflicting load-balancing pieces; returns advice.
 *
 * Refused (InputError on the first piece's field, naming the second's field, both values and the
 * fix): two Service load balancers that both take Services without a class, or that serve the
 * same class; two BGP speakers on one node peering with the same router, or both listening on
 * TCP 179 on one node; a Talos BGP speaker for a Talos version before 1.14; kube-vip's IPVS
 * control-plane load balancer with kube-proxy in IPVS mode; a Layer 2 Service load balancer with
 * kube-proxy in IPVS mode and no strict ARP; a control-plane VIP inside a Service pool, equal to
 * a node address or to a load-balancer host; a malformed VIP or pool block (naming its field).
 *
 * Warnings: `externalTrafficPolicy: Local` advice for every Layer 2 Service load balancer in a
 * cluster of more than one node.
 */
export function checkLoadBalancerConflicts(spec: GuardSpec): GuardResult {
  checkServiceClasses(spec.serviceLoadBalancers ?? []);
  checkBgpSpeakers(spec.bgpSpeakers ?? [], spec.nodes ?? [], spec.talosVersion);
  checkKubeProxy(spec);
  checkVip(spec);
  return { warnings: trafficPolicyWarnings(spec) };
}
