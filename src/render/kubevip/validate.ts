/**
 * Validation of the kube-vip inputs. Pure: no Pulumi imports. Every problem is an `InputError`
 * naming the input field and the offending value; soft findings are returned as warnings.
 */
import { checkBoolean, checkInt, checkNonEmptyString, checkOneOf, checkPort } from "../../core/checks";
import { InputError } from "../../core/errors";
import { parseIp } from "../../core/net";
import { checkLoadBalancerConflicts, GuardSpec } from "../guards/loadBalancers";
import { checkAsn } from "../metallb/validate";
import { KUBE_PROXY_MODES } from "../metallb/types";
import { ControlPlaneNode, validateControlPlanes, validateLayer2Vip } from "../talos/controlPlanes";
import { checkLinkName, DEFAULT_KUBEPRISM_PORT } from "../talos/patch";
import { parseTalosVersion } from "../talos/version";
import {
  DEFAULT_KUBE_VIP_CLASS,
  DEFAULT_KUBE_VIP_IMAGE,
  DEFAULT_LEASE_DURATION_SECONDS,
  DEFAULT_RENEW_DEADLINE_SECONDS,
  DEFAULT_RETRY_PERIOD_SECONDS,
  KUBE_VIP_FORWARDING_METHODS,
  KUBE_VIP_MODES,
  KubeVipBgpPeerSpec,
  KubeVipForwardingMethodValue,
  KubeVipModeValue,
  KubeVipSpec,
} from "./types";

/** Validated inputs with defaults applied. */
export interface CheckedKubeVip {
  talosMinor: number;
  nodes: ControlPlaneNode[];
  /** The VIP, canonical. */
  vip: string;
  mode: KubeVipModeValue;
  interface?: string;
  image: string;
  leaseDurationSeconds: number;
  renewDeadlineSeconds: number;
  retryPeriodSeconds: number;
  bgp?: { localASN: number; routerId?: string; peers: Required<Omit<KubeVipBgpPeerSpec, "hasPassword">>[]; passwords: boolean[] };
  loadBalancer: { enabled: boolean; port: number; forwardingMethod: KubeVipForwardingMethodValue };
  services: { enabled: boolean; classOnly: boolean; className: string };
  kubePrismPort: number;
  kubeProxyMode: (typeof KUBE_PROXY_MODES)[number];
  /** kube-vip announces Services by ARP while kube-proxy runs in IPVS mode: the Talos patch sets strict ARP. */
  strictArp: boolean;
  /** Soft findings for `pulumi.log.warn` and the `warnings` output. */
  warnings: string[];
}

/** The parts that decide the shape of the inputs: mode and which sections fit it. @throws InputError. */
export function checkKubeVipStructure(spec: { mode: unknown; bgp?: unknown }): KubeVipModeValue {
  const mode = checkOneOf("mode", spec.mode, KUBE_VIP_MODES);
  if (mode === "bgp" && (spec.bgp === undefined || spec.bgp === null)) {
    throw new InputError(
      "bgp",
      spec.bgp,
      "must be set in bgp mode: the local AS number and the routers every control plane announces the VIP to",
    );
  }
  if (mode === "arp" && spec.bgp !== undefined) throw new InputError("bgp", spec.bgp, 'only applies in bgp mode; mode is "arp"');
  return mode;
}

/** Checks an image reference: non-empty, no whitespace. */
function checkImage(value: unknown): string {
  const image = checkNonEmptyString("image", value);
  if (/\s/.test(image))
    throw new InputError("image", value, "must be an image reference such as ghcr.io/kube-vip/kube-vip:v1.2.3 (no spaces)");
  return image;
}

/** The lease timings: whole seconds, renew deadline below the lease, retry below the renew deadline. */
function checkTimings(spec: KubeVipSpec): Pick<CheckedKubeVip, "leaseDurationSeconds" | "renewDeadlineSeconds" | "retryPeriodSeconds"> {
  const seconds = { min: 1, max: 3600, what: "whole seconds" };
  const lease = checkInt("leaseDurationSeconds", spec.leaseDurationSeconds ?? DEFAULT_LEASE_DURATION_SECONDS, seconds);
  const renew = checkInt("renewDeadlineSeconds", spec.renewDeadlineSeconds ?? DEFAULT_RENEW_DEADLINE_SECONDS, seconds);
  const retry = checkInt("retryPeriodSeconds", spec.retryPeriodSeconds ?? DEFAULT_RETRY_PERIOD_SECONDS, seconds);
  if (renew >= lease) {
    throw new InputError(
      "renewDeadlineSeconds",
      renew,
      `must be less than leaseDurationSeconds (${lease}): the holder must renew before its lease expires, or the VIP moves on every renewal`,
    );
  }
  // client-go's leader election (leaderelection.go, NewLeaderElector, v0.33.3, which kube-vip
  // v1.0.0 uses) refuses RenewDeadline <= JitterFactor (1.2) × RetryPeriod, and kube-vip calls
  // RunOrDie, so such timings crash-loop every pod.
  if (renew * 10 <= retry * 12) {
    throw new InputError(
      "retryPeriodSeconds",
      retry,
      `must be less than renewDeadlineSeconds / 1.2 (${renew} / 1.2): client-go's leader election refuses RenewDeadline <= 1.2 × RetryPeriod, and kube-vip would crash-loop`,
    );
  }
  return { leaseDurationSeconds: lease, renewDeadlineSeconds: renew, retryPeriodSeconds: retry };
}

/** Characters that would break kube-vip's `bgp_peers` format (`address:AS:password:multihop:port`, comma-separated, `/` options). */
export const BGP_PASSWORD_FORBIDDEN = /[:,/\s]/;

function checkBgp(spec: KubeVipSpec, nodes: readonly ControlPlaneNode[]): NonNullable<CheckedKubeVip["bgp"]> {
  const bgp = spec.bgp!;
  const localASN = checkAsn("bgp.localASN", bgp.localASN);
  let routerId: string | undefined;
  if (bgp.routerId !== undefined) {
    const parsed = parseIp("bgp.routerId", bgp.routerId);
    if (parsed.family !== "ipv4")
      throw new InputError("bgp.routerId", bgp.routerId, "must be an IPv4 address (a BGP router ID is 32 bits)");
    if (nodes.length > 1) {
      throw new InputError(
        "bgp.routerId",
        bgp.routerId,
        `cannot be shared by ${nodes.length} control planes: every BGP speaker needs its own router ID; leave it unset and each node uses its own address`,
      );
    }
    routerId = parsed.ip;
  }
  if (!Array.isArray(bgp.peers) || bgp.peers.length === 0) {
    throw new InputError(
      "bgp.peers",
      bgp.peers,
      "must list at least one BGP peer in bgp mode (kube-vip announces the VIP only to configured peers)",
    );
  }
  const seen = new Map<string, number>();
  const peers = bgp.peers.map((p, i) => {
    const f = `bgp.peers[${i}]`;
    const address = parseIp(`${f}.address`, p?.address).ip;
    if (seen.has(address)) throw new InputError(`${f}.address`, p.address, `is also the address of bgp.peers[${seen.get(address)}]`);
    seen.set(address, i);
    nodes.forEach((n, j) => {
      if (n.address.ip === address)
        throw new InputError(`${f}.address`, p.address, `is the address of controlPlanes[${j}] (${n.name}), not a router`);
    });
    return {
      address,
      asn: checkAsn(`${f}.asn`, p.asn),
      port: p.port === undefined ? 179 : checkPort(`${f}.port`, p.port),
      multihop: checkBoolean(`${f}.multihop`, p.multihop, false),
    };
  });
  return { localASN, routerId, peers, passwords: bgp.peers.map((p) => p.hasPassword === true) };
}

/**
 * Validates every input and applies defaults, then runs the cross-component guards on what this
 * component alone decides (`checkLoadBalancerConflicts`).
 *
 * Errors (InputError naming field and value): Talos version outside 1.9–1.13; empty node list,
 * bad or duplicate node names/addresses; malformed VIP; in `arp` mode a VIP outside the nodes'
 * subnet, or their network/broadcast address; a VIP equal to a node address or inside one of
 * `servicePools`; unknown mode; `bgp` missing in bgp mode or given in arp mode; AS numbers outside
 * 1–4294967295; a router ID that is not IPv4 or is given for several control planes; no peers, a
 * malformed, duplicate or node peer address, a port outside 1–65535; lease timings that are not
 * whole seconds 1–3600, a renew deadline not below the lease duration, a retry period not below
 * the renew deadline; a bad interface name, image, forwarding method, class name, KubePrism port
 * or kube-proxy mode; the IPVS load balancer with kube-proxy in IPVS mode (kube-vip#745).
 *
 * Warnings: Services without `classOnly` (kube-vip then also takes Services without a class);
 * `externalTrafficPolicy: Local` advice for Services announced by ARP; an even node count.
 */
export function checkKubeVipSpec(spec: KubeVipSpec): CheckedKubeVip {
  const talos = parseTalosVersion(spec.talosVersion);
  const mode = checkKubeVipStructure(spec);
  const { nodes, warnings } = validateControlPlanes("controlPlanes", spec.controlPlanes);
  let vip: string;
  if (mode === "arp") {
    vip = validateLayer2Vip("vip", spec.vip, nodes, "controlPlanes");
  } else {
    vip = parseIp("vip", spec.vip).ip;
  }
  const iface = spec.interface === undefined ? undefined : checkLinkName("interface", spec.interface);
  const image = checkImage(spec.image ?? DEFAULT_KUBE_VIP_IMAGE);
  const timings = checkTimings(spec);
  const bgp = mode === "bgp" ? checkBgp(spec, nodes) : undefined;
  const lb = spec.loadBalancer ?? {};
  const loadBalancer = {
    enabled: checkBoolean("loadBalancer.enabled", lb.enabled, false),
    port: checkPort("loadBalancer.port", lb.port ?? 6443),
    forwardingMethod: checkOneOf("loadBalancer.forwardingMethod", lb.forwardingMethod ?? "masquerade", KUBE_VIP_FORWARDING_METHODS),
  };
  const svc = spec.services ?? {};
  const services = {
    enabled: checkBoolean("services.enabled", svc.enabled, false),
    classOnly: checkBoolean("services.classOnly", svc.classOnly, false),
    className: svc.className === undefined ? DEFAULT_KUBE_VIP_CLASS : checkNonEmptyString("services.className", svc.className),
  };
  if (/\s/.test(services.className))
    throw new InputError("services.className", svc.className, "must be a class name without spaces, e.g. kube-vip.io/kube-vip-class");
  const kubePrismPort = checkPort("kubePrismPort", spec.kubePrismPort ?? DEFAULT_KUBEPRISM_PORT);
  const kubeProxyMode = checkOneOf("kubeProxyMode", spec.kubeProxyMode ?? "iptables", KUBE_PROXY_MODES);
  const strictArp = services.enabled && mode === "arp" && kubeProxyMode === "ipvs";
  if (spec.servicePools !== undefined && !Array.isArray(spec.servicePools)) {
    throw new InputError("servicePools", spec.servicePools, "must be a list of address ranges or CIDRs");
  }

  const guard: GuardSpec = {
    talosVersion: spec.talosVersion,
    endpoint: { backend: "kube-vip", vip, vipField: "vip", ipvsLoadBalancer: loadBalancer.enabled, ipvsField: "loadBalancer.enabled" },
    serviceLoadBalancers: services.enabled
      ? [
          {
            name: "kube-vip Services",
            field: "services.classOnly",
            value: services.classOnly,
            loadBalancerClass: services.className,
            servesUnclassed: !services.classOnly,
            layer2: mode === "arp",
            modeField: "mode",
          },
        ]
      : [],
    bgpSpeakers: bgp ? [{ kind: "kube-vip", field: "bgp.peers", nodes: "control-planes", peers: bgp.peers.map((p) => p.address) }] : [],
    kubeProxy: { mode: kubeProxyMode, field: "kubeProxyMode", strictArp },
    servicePools: (spec.servicePools ?? []).map((block, i) => ({ field: `servicePools[${i}]`, block })),
    nodes: nodes.map((n) => ({ name: n.name, address: n.address.cidr, role: "control-plane" as const })),
    nodesField: "controlPlanes",
  };
  warnings.push(...checkLoadBalancerConflicts(guard).warnings);
  if (services.enabled && !services.classOnly) {
    warnings.push(
      `services.classOnly: false: kube-vip also takes every LoadBalancer Service without spec.loadBalancerClass; beside another ` +
        `Service load balancer (MetalLB, Cilium) set classOnly: true and give kube-vip's Services the class ${services.className}`,
    );
  }
  return {
    talosMinor: talos.minor,
    nodes,
    vip,
    mode,
    interface: iface,
    image,
    ...timings,
    bgp,
    loadBalancer,
    services,
    kubePrismPort,
    kubeProxyMode,
    strictArp,
    warnings,
  };
}
