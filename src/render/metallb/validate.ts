/**
 * Validation of the MetalLB inputs. Pure: no Pulumi imports. Every problem is an `InputError`
 * naming the input field and the offending value, thrown before anything is rendered; the only
 * soft finding (l2 pools outside the nodes' subnets, an ingress address that may be handed to
 * another Service) is returned as a warning for the component to log.
 *
 * Field limits follow the MetalLB v0.16.1 CRDs (e.g. BGPPeer `peerPort` 1–16384, BFDProfile
 * intervals 10–60000 ms, `detectMultiplier` 2–255). ASNs are 1–4294967295: the CRD allows 0, but
 * AS 0 is reserved and may not be used in BGP sessions (RFC 7607).
 */
import { ReservedAddress, reservedAddresses } from "../serviceAddresses";
import { ingressPoolEntry } from "../serviceInputs";
import { checkBoolean, checkDnsLabel, checkInt, checkNamedList, checkOneOf, checkPattern, checkStringList } from "../../core/checks";
import { InputError } from "../../core/errors";
import { AddressBlock, blockContains, blockInNetwork, blocksOverlap, InterfaceAddress, parseAddressBlock, parseIp } from "../../core/net";
import { checkLinkName } from "../talos/patch";
import { firstAssignable, isBuggyIp } from "./addresses";
import {
  BfdProfileSpec,
  BgpAdvertisementSpec,
  BgpPeerSpec,
  DEFAULT_METALLB_VERSION,
  KUBE_PROXY_MODES,
  KubeProxyMode,
  L2AdvertisementSpec,
  LabelSelectorSpec,
  METALLB_DELIVERIES,
  METALLB_MODES,
  MetalLbDelivery,
  MetalLbMode,
  MetalLbSpec,
  MIN_METALLB_MINOR,
} from "./types";

/** A validated pool. */
export interface CheckedPool {
  name: string;
  /** Parsed blocks, in input order. */
  blocks: AddressBlock[];
  /** Canonical block texts, as rendered. */
  addresses: string[];
  autoAssign: boolean;
  avoidBuggyIPs: boolean;
}

/** Validated, normalised inputs with defaults applied. */
export interface CheckedMetalLb {
  mode: MetalLbMode;
  delivery: MetalLbDelivery;
  /** `X.Y.Z`, no `v`. */
  version: string;
  loadBalancerClass?: string;
  pools: CheckedPool[];
  /** The ingress address (explicit, or the first assignable address of the first pool). */
  endpoint: string;
  /** l2 mode only; `pools` defaults to every pool. */
  l2Advertisement?: { pools: string[]; interfaces?: string[]; nodeSelectors?: LabelSelectorSpec[] };
  /** bgp mode only (empty in l2 mode); addresses canonical. */
  bgpPeers: BgpPeerSpec[];
  /** bgp mode only; `pools` defaults to every pool. */
  bgpAdvertisement?: { pools: string[]; peers?: string[]; aggregationLength?: number; localPref?: number; communities?: string[] };
  bfdProfile?: BfdProfileSpec;
  workerCount: number;
  controlPlanesRunServices: boolean;
  ignoreExcludeLB: boolean;
  kubeProxyMode: KubeProxyMode;
  /** Soft findings, for `pulumi.log.warn`. */
  warnings: string[];
}

/** The kit's `checkOneOf` (quoted list: `must be one of "l2", "bgp"`), re-exported for importers of this module. */
export { checkOneOf };

/**
 * Checks a MetalLB release version `X.Y.Z` (a leading `v` is accepted) of at least 0.13.0, the
 * release that replaced the ConfigMap with the CRDs rendered here. @returns `X.Y.Z`.
 * @throws InputError naming `field`.
 */
export function checkMetalLbVersion(field: string, value: unknown): string {
  const match = typeof value === "string" ? /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/.exec(value.trim()) : null;
  if (!match) throw new InputError(field, value, 'must be a MetalLB release version "X.Y.Z", e.g. "0.16.1"');
  const [major, minor, patch] = match.slice(1).map(Number);
  if (major === 0 && minor < MIN_METALLB_MINOR) {
    throw new InputError(
      field,
      value,
      `is older than MetalLB 0.${MIN_METALLB_MINOR}.0; earlier releases are configured by a ConfigMap, not by the CRDs rendered here`,
    );
  }
  return `${major}.${minor}.${patch}`;
}

const DNS_SUBDOMAIN = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const NAME_PART = /^(?=.{1,63}$)[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

/** True for a Kubernetes qualified name: `[prefix/]name`, prefix a DNS subdomain, name ≤ 63 characters. */
export function isQualifiedName(value: string): boolean {
  const slash = value.indexOf("/");
  if (slash < 0) return NAME_PART.test(value);
  return DNS_SUBDOMAIN.test(value.slice(0, slash)) && NAME_PART.test(value.slice(slash + 1));
}

/**
 * Checks a `loadBalancerClass`: a qualified name such as `metallb.io/metallb` (Kubernetes requires
 * Service `spec.loadBalancerClass` to be a label-style key). @throws InputError naming `field`.
 */
export function checkLoadBalancerClass(field: string, value: unknown): string {
  if (typeof value !== "string" || !isQualifiedName(value)) {
    throw new InputError(field, value, "must be a label-style qualified name such as metallb.io/metallb");
  }
  return value;
}

/** Checks an AS number, 1–4294967295 (32-bit ASNs, RFC 6793; 0 is reserved, RFC 7607). */
export function checkAsn(field: string, value: unknown): number {
  return checkInt(field, value, { min: 1, max: 4294967295, what: "an AS number, an integer" });
}

/** The operators of a Kubernetes label selector requirement (`metav1.LabelSelectorOperator`). */
export const SELECTOR_OPERATORS = ["In", "NotIn", "Exists", "DoesNotExist"] as const;

/** Checks a list of label selectors (Kubernetes `LabelSelector`). @throws InputError naming the field. */
export function checkSelectors(field: string, value: unknown): LabelSelectorSpec[] {
  if (!Array.isArray(value)) throw new InputError(field, value, "must be a list of label selectors");
  return value.map((sel, i) => {
    const f = `${field}[${i}]`;
    if (sel === null || typeof sel !== "object" || Array.isArray(sel)) throw new InputError(f, sel, "must be a label selector object");
    const unknownKey = Object.keys(sel).find((k) => k !== "matchLabels" && k !== "matchExpressions");
    if (unknownKey)
      throw new InputError(
        `${f}.${unknownKey}`,
        (sel as Record<string, unknown>)[unknownKey],
        "is not a label selector field; use matchLabels or matchExpressions",
      );
    const { matchLabels, matchExpressions } = sel as LabelSelectorSpec;
    const out: LabelSelectorSpec = {};
    if (matchLabels !== undefined) {
      if (matchLabels === null || typeof matchLabels !== "object")
        throw new InputError(`${f}.matchLabels`, matchLabels, "must map label keys to values");
      for (const [k, v] of Object.entries(matchLabels)) {
        if (!isQualifiedName(k)) throw new InputError(`${f}.matchLabels`, k, "is not a valid label key");
        if (typeof v !== "string" || (v !== "" && !NAME_PART.test(v)))
          throw new InputError(`${f}.matchLabels.${k}`, v, "is not a valid label value");
      }
      out.matchLabels = { ...matchLabels };
    }
    if (matchExpressions !== undefined) {
      if (!Array.isArray(matchExpressions))
        throw new InputError(`${f}.matchExpressions`, matchExpressions, "must be a list of requirements");
      out.matchExpressions = matchExpressions.map((req, j) => {
        const rf = `${f}.matchExpressions[${j}]`;
        if (typeof req?.key !== "string" || !isQualifiedName(req.key))
          throw new InputError(`${rf}.key`, req?.key, "is not a valid label key");
        const operator = checkOneOf(`${rf}.operator`, req.operator, SELECTOR_OPERATORS);
        const needsValues = operator === "In" || operator === "NotIn";
        if (needsValues && (!Array.isArray(req.values) || req.values.length === 0))
          throw new InputError(`${rf}.values`, req.values, `must list values for operator ${operator}`);
        if (!needsValues && req.values !== undefined && req.values.length > 0)
          throw new InputError(`${rf}.values`, req.values, `must be empty for operator ${operator}`);
        return needsValues ? { key: req.key, operator, values: checkStringList(`${rf}.values`, req.values) } : { key: req.key, operator };
      });
    }
    return out;
  });
}

/** The parts of the inputs that decide which resources exist; see {@link checkMetalLbStructure}. */
export interface MetalLbStructure {
  mode: unknown;
  delivery: unknown;
  pools: unknown;
  bgpPeers?: unknown;
  bfdProfile?: unknown;
  l2Advertisement?: unknown;
  bgpAdvertisement?: unknown;
}

/**
 * Checks the inputs that decide the resource graph, which therefore must be plain values: mode,
 * delivery, pool and peer names (DNS labels, unique), the BFD profile name, and which sections
 * fit the mode (bgp needs at least one peer; l2 takes no peers, BGP advertisement or BFD profile;
 * bgp takes no L2 advertisement).
 *
 * @returns the mode, delivery and names.
 * @throws InputError naming the field and value.
 */
export function checkMetalLbStructure(spec: MetalLbStructure): {
  mode: MetalLbMode;
  delivery: MetalLbDelivery;
  pools: string[];
  bgpPeers: string[];
  bfdProfile?: string;
} {
  const mode = checkOneOf("mode", spec.mode, METALLB_MODES);
  const delivery = checkOneOf("delivery", spec.delivery, METALLB_DELIVERIES);
  const pools = checkNamedList("pools", spec.pools, "IP address pools");
  if (pools.length === 0) throw new InputError("pools", spec.pools, "must list at least one IP address pool");
  const bgpPeers = spec.bgpPeers === undefined ? [] : checkNamedList("bgpPeers", spec.bgpPeers, "BGP peers");
  const bfdProfile =
    spec.bfdProfile === undefined ? undefined : checkDnsLabel("bfdProfile.name", (spec.bfdProfile as { name?: unknown } | null)?.name);
  if (mode === "bgp" && bgpPeers.length === 0) {
    throw new InputError(
      "bgpPeers",
      spec.bgpPeers,
      "must list at least one BGP peer in bgp mode (MetalLB announces service addresses only to configured peers)",
    );
  }
  if (mode === "l2") {
    if (spec.bgpPeers !== undefined) throw new InputError("bgpPeers", spec.bgpPeers, 'only applies in bgp mode; mode is "l2"');
    if (spec.bgpAdvertisement !== undefined)
      throw new InputError("bgpAdvertisement", spec.bgpAdvertisement, 'only applies in bgp mode; mode is "l2"');
    if (spec.bfdProfile !== undefined) throw new InputError("bfdProfile", spec.bfdProfile, 'only applies in bgp mode; mode is "l2"');
  }
  if (mode === "bgp" && spec.l2Advertisement !== undefined) {
    throw new InputError("l2Advertisement", spec.l2Advertisement, 'only applies in l2 mode; mode is "bgp"');
  }
  return { mode, delivery, pools, bgpPeers, bfdProfile };
}

function checkPoolRefs(field: string, value: unknown, known: string[], what: string): string[] {
  const refs = checkStringList(field, value);
  refs.forEach((r, i) => {
    if (!known.includes(r)) throw new InputError(`${field}[${i}]`, r, `is not one of the ${what} (${known.join(", ")})`);
  });
  return refs;
}

function checkCommunity(field: string, value: unknown): string {
  const std = typeof value === "string" ? /^(\d{1,5}):(\d{1,5})$/.exec(value) : null;
  if (std && Number(std[1]) <= 65535 && Number(std[2]) <= 65535) return value as string;
  const large = typeof value === "string" ? /^large:(\d{1,10}):(\d{1,10}):(\d{1,10})$/.exec(value) : null;
  if (large && large.slice(1).every((n) => Number(n) <= 4294967295)) return value as string;
  throw new InputError(
    field,
    value,
    'must be a BGP community "65535:100" or a large community "large:1:2:3" (Community aliases are not rendered)',
  );
}

/** An address the pools must keep clear of. */
type Reserved = ReservedAddress;

/** One pool entry with where it came from. */
interface PoolEntry {
  /** `pools[i].addresses[j]`. */
  field: string;
  /** The entry as given. */
  input: unknown;
  block: AddressBlock;
  pool: CheckedPool;
}

/**
 * Validates every input and applies defaults, in this order: the structure
 * ({@link checkMetalLbStructure}), the settings, the addresses the pools must keep clear of, the
 * BFD profile, the BGP peers, the pools, the ingress address, the L2 or BGP advertisement.
 *
 * Errors (InputError, naming field and value): unknown mode/delivery/kube-proxy mode; malformed
 * or too old version; malformed loadBalancerClass; malformed, reversed or host-bit CIDR pool
 * entries; pools overlapping each other, a node address, the control-plane VIP, a load-balancer
 * host or a BGP peer; an ingress address outside every pool (or one its pool never hands out);
 * ASNs outside 1–4294967295; a BGP peer without a valid address; bgp mode without peers; CRD
 * range violations; references to unknown pools, peers or BFD profile; `loadBalancerClass` or
 * `ignoreExcludeLB` with the `talos-inline` delivery, which cannot honour them (the upstream
 * manifest has no `--lb-class` / `--ignore-exclude-lb` arguments).
 *
 * Warnings: in l2 mode, pool entries outside every prefixed node address's subnet (MetalLB answers
 * ARP/NDP on the nodes' own segments only); an ingress address in a pool with `autoAssign`
 * (another LoadBalancer Service may be given it first).
 */
export function checkMetalLbSpec(spec: MetalLbSpec): CheckedMetalLb {
  const { mode, delivery } = checkMetalLbStructure(spec);
  const settings = checkSettings(spec, delivery);
  const { reserved, nodeSubnets } = checkReservedAddresses(spec);
  const bfdProfile = spec.bfdProfile === undefined ? undefined : checkBfdProfile(spec.bfdProfile);
  const bgpPeers = checkBgpPeers(spec.bgpPeers ?? [], bfdProfile);
  bgpPeers.forEach((p, i) => reserved.push({ ip: p.peerAddress, what: `BGP peer bgpPeers[${i}].peerAddress (${p.peerAddress})` }));
  const { pools, entries } = checkPools(spec, reserved);
  const warnings = mode === "l2" ? poolSubnetWarnings(entries, nodeSubnets) : [];
  const ingress = checkIngressAddress(spec, pools, entries);
  warnings.push(...ingress.warnings);
  const poolNames = pools.map((p) => p.name);
  return {
    mode,
    delivery,
    version: settings.version,
    loadBalancerClass: settings.loadBalancerClass,
    pools,
    endpoint: ingress.endpoint,
    l2Advertisement: mode === "l2" ? checkL2Advertisement(spec.l2Advertisement ?? {}, poolNames) : undefined,
    bgpPeers,
    bgpAdvertisement: mode === "bgp" ? checkBgpAdvertisement(spec.bgpAdvertisement ?? {}, poolNames, bgpPeers) : undefined,
    bfdProfile,
    workerCount: settings.workerCount,
    controlPlanesRunServices: settings.controlPlanesRunServices,
    ignoreExcludeLB: settings.ignoreExcludeLB,
    kubeProxyMode: settings.kubeProxyMode,
    warnings,
  };
}

type Settings = Pick<
  CheckedMetalLb,
  "version" | "loadBalancerClass" | "workerCount" | "controlPlanesRunServices" | "ignoreExcludeLB" | "kubeProxyMode"
>;

/**
 * The settings that are not addresses, with defaults, and the two the `talos-inline` delivery
 * cannot honour (`loadBalancerClass`, `ignoreExcludeLB`). @throws InputError naming the field.
 */
function checkSettings(spec: MetalLbSpec, delivery: MetalLbDelivery): Settings {
  const version = checkMetalLbVersion("version", spec.version ?? DEFAULT_METALLB_VERSION);
  const loadBalancerClass =
    spec.loadBalancerClass === undefined ? undefined : checkLoadBalancerClass("loadBalancerClass", spec.loadBalancerClass);
  const workerCount = checkInt("workerCount", spec.workerCount, { min: 0, max: Number.MAX_SAFE_INTEGER, what: "a node count, an integer" });
  const controlPlanesRunServices = checkBoolean("controlPlanesRunServices", spec.controlPlanesRunServices, false);
  const ignoreExcludeLB = checkBoolean("ignoreExcludeLB", spec.ignoreExcludeLB, false);
  const kubeProxyMode = checkOneOf("kubeProxyMode", spec.kubeProxyMode ?? "iptables", KUBE_PROXY_MODES);
  if (delivery === "talos-inline" && loadBalancerClass !== undefined) {
    throw new InputError(
      "loadBalancerClass",
      loadBalancerClass,
      'cannot be honoured with delivery "talos-inline": the pinned upstream manifest starts MetalLB without --lb-class; use delivery "kubernetes" (Helm value loadBalancerClass)',
    );
  }
  if (delivery === "talos-inline" && ignoreExcludeLB) {
    throw new InputError(
      "ignoreExcludeLB",
      ignoreExcludeLB,
      'cannot be honoured with delivery "talos-inline": the pinned upstream manifest starts the speaker without --ignore-exclude-lb; use delivery "kubernetes" (Helm value speaker.ignoreExcludeLB) or let the Talos patch delete the label',
    );
  }
  return { version, loadBalancerClass, workerCount, controlPlanesRunServices, ignoreExcludeLB, kubeProxyMode };
}

/** See {@link reservedAddresses}. */
function checkReservedAddresses(spec: MetalLbSpec): { reserved: Reserved[]; nodeSubnets: InterfaceAddress[] } {
  return reservedAddresses(spec);
}

/**
 * The BFD profile's CRD limits (name already checked). @throws InputError naming `bfdProfile.<key>`.
 */
function checkBfdProfile(profile: BfdProfileSpec): BfdProfileSpec {
  const out: BfdProfileSpec = { name: profile.name };
  const ms = ["receiveInterval", "transmitInterval", "echoInterval"] as const;
  for (const k of ms)
    if (profile[k] !== undefined)
      out[k] = checkInt(`bfdProfile.${k}`, profile[k], { min: 10, max: 60000, what: "an interval in milliseconds" });
  if (profile.detectMultiplier !== undefined)
    out.detectMultiplier = checkInt("bfdProfile.detectMultiplier", profile.detectMultiplier, { min: 2, max: 255 });
  if (profile.minimumTtl !== undefined) out.minimumTtl = checkInt("bfdProfile.minimumTtl", profile.minimumTtl, { min: 1, max: 254 });
  if (profile.echoMode !== undefined) out.echoMode = checkBoolean("bfdProfile.echoMode", profile.echoMode, false);
  if (profile.passiveMode !== undefined) out.passiveMode = checkBoolean("bfdProfile.passiveMode", profile.passiveMode, false);
  return out;
}

/**
 * The BGP peers (names already checked): ASNs, a canonical peer address, the CRD limits, a BFD
 * profile reference to `bfdProfile`, the password Secret name and node selectors.
 * @throws InputError naming `bgpPeers[i].<field>`.
 */
function checkBgpPeers(peers: readonly BgpPeerSpec[], bfdProfile: BfdProfileSpec | undefined): BgpPeerSpec[] {
  return peers.map((peer, i) => {
    const f = `bgpPeers[${i}]`;
    if (peer.peerAddress === undefined || peer.peerAddress === "") {
      throw new InputError(`${f}.peerAddress`, peer.peerAddress, "must be set: the address MetalLB dials for this BGP session");
    }
    const out: BgpPeerSpec = {
      name: peer.name,
      myASN: checkAsn(`${f}.myASN`, peer.myASN),
      peerASN: checkAsn(`${f}.peerASN`, peer.peerASN),
      peerAddress: parseIp(`${f}.peerAddress`, peer.peerAddress).ip,
    };
    if (peer.peerPort !== undefined)
      out.peerPort = checkInt(`${f}.peerPort`, peer.peerPort, { min: 1, max: 16384, what: "a TCP port (CRD limit)" });
    if (peer.ebgpMultiHop !== undefined) out.ebgpMultiHop = checkBoolean(`${f}.ebgpMultiHop`, peer.ebgpMultiHop, false);
    if (peer.bfdProfile !== undefined) {
      if (peer.bfdProfile !== bfdProfile?.name) {
        throw new InputError(
          `${f}.bfdProfile`,
          peer.bfdProfile,
          bfdProfile ? `is not the configured BFD profile "${bfdProfile.name}"` : "names a BFD profile, but bfdProfile is not set",
        );
      }
      out.bfdProfile = peer.bfdProfile;
    }
    if (peer.passwordSecret !== undefined) {
      out.passwordSecret = checkPattern(
        `${f}.passwordSecret`,
        peer.passwordSecret,
        DNS_SUBDOMAIN,
        "must be a Secret name (a DNS subdomain)",
      );
    }
    if (peer.nodeSelectors !== undefined) out.nodeSelectors = checkSelectors(`${f}.nodeSelectors`, peer.nodeSelectors);
    return out;
  });
}

/**
 * The pools (names already checked): every entry parsed, then no entry overlapping an earlier
 * one or containing a reserved address.
 * @throws InputError naming `pools[i].addresses[j]`.
 */
function checkPools(spec: MetalLbSpec, reserved: readonly Reserved[]): { pools: CheckedPool[]; entries: PoolEntry[] } {
  const pools: CheckedPool[] = spec.pools.map((pool, i) => {
    const f = `pools[${i}]`;
    if (!Array.isArray(pool.addresses) || pool.addresses.length === 0) {
      throw new InputError(`${f}.addresses`, pool.addresses, "must list at least one address range or CIDR");
    }
    const blocks = pool.addresses.map((a, j) => parseAddressBlock(`${f}.addresses[${j}]`, a));
    return {
      name: pool.name,
      blocks,
      addresses: blocks.map((b) => b.text),
      autoAssign: checkBoolean(`${f}.autoAssign`, pool.autoAssign, true),
      avoidBuggyIPs: checkBoolean(`${f}.avoidBuggyIPs`, pool.avoidBuggyIPs, false),
    };
  });
  const entries: PoolEntry[] = pools.flatMap((pool, i) =>
    pool.blocks.map((block, j) => ({ field: `pools[${i}].addresses[${j}]`, input: spec.pools[i].addresses[j], block, pool })),
  );
  entries.forEach((a, x) => {
    entries.slice(0, x).forEach((b) => {
      if (blocksOverlap(a.block, b.block))
        throw new InputError(a.field, a.input, `overlaps ${b.field} (${b.block.text}); pools must not share addresses`);
    });
    for (const r of reserved) {
      if (blockContains(a.block, r.ip))
        throw new InputError(a.field, a.input, `contains ${r.what}; pools must only hold addresses nothing else uses`);
    }
  });
  return { pools, entries };
}

/** l2 mode: a warning for each pool entry outside every prefixed node address's subnet. */
function poolSubnetWarnings(entries: readonly PoolEntry[], nodeSubnets: readonly InterfaceAddress[]): string[] {
  if (nodeSubnets.length === 0) return [];
  const networks = [...new Set(nodeSubnets.map((s) => s.network))];
  return entries
    .filter((e) => !networks.some((n) => blockInNetwork(e.block, n)))
    .map(
      (e) =>
        `${e.field}: ${JSON.stringify(e.input)} is outside the nodes' subnets (${networks.join(", ")}); in l2 mode MetalLB answers ARP/NDP ` +
        "only on the nodes' own segment, so these addresses are reachable only if a router sends them to the nodes",
    );
}

/**
 * The ingress address: `ingressAddress` (inside a pool that hands it out), or the first
 * assignable address of the first pool; a warning when its pool auto-assigns.
 * @throws InputError naming `ingressAddress` or `pools[0].addresses`.
 */
function checkIngressAddress(
  spec: MetalLbSpec,
  pools: readonly CheckedPool[],
  entries: readonly PoolEntry[],
): { endpoint: string; warnings: string[] } {
  let endpoint: string;
  let endpointPool: CheckedPool;
  let endpointField: string;
  if (spec.ingressAddress !== undefined) {
    const found = ingressPoolEntry(spec.ingressAddress, entries);
    endpoint = found.endpoint;
    const hit = found.hit;
    if (hit.pool.avoidBuggyIPs && isBuggyIp(endpoint)) {
      throw new InputError(
        "ingressAddress",
        spec.ingressAddress,
        `ends in .0 or .255, which pool "${hit.pool.name}" never hands out (avoidBuggyIPs)`,
      );
    }
    endpointPool = hit.pool;
    endpointField = "ingressAddress";
  } else {
    const first = pools[0];
    const ip = first.blocks.map((b) => firstAssignable(b, first.avoidBuggyIPs)).find((a) => a !== undefined);
    if (ip === undefined)
      throw new InputError(
        "pools[0].addresses",
        spec.pools[0].addresses,
        "holds no address MetalLB can hand out (avoidBuggyIPs excludes them all)",
      );
    endpoint = ip;
    endpointPool = first;
    endpointField = "pools[0]";
  }
  const warnings: string[] = [];
  if (endpointPool.autoAssign) {
    warnings.push(
      `${endpointField}: the ingress address ${endpoint} is in pool "${endpointPool.name}", which has autoAssign enabled; another LoadBalancer ` +
        "Service may be given it first. Put it in a pool with autoAssign: false to reserve it",
    );
  }
  return { endpoint, warnings };
}

/** The L2Advertisement (l2 mode): pool references (default all pools), interfaces, node selectors. */
function checkL2Advertisement(l2: L2AdvertisementSpec, poolNames: string[]): NonNullable<CheckedMetalLb["l2Advertisement"]> {
  const out: NonNullable<CheckedMetalLb["l2Advertisement"]> = {
    pools: l2.pools === undefined ? poolNames : checkPoolRefs("l2Advertisement.pools", l2.pools, poolNames, "pools"),
  };
  if (l2.interfaces !== undefined) {
    out.interfaces = checkStringList("l2Advertisement.interfaces", l2.interfaces).map((n, i) =>
      checkLinkName(`l2Advertisement.interfaces[${i}]`, n),
    );
  }
  if (l2.nodeSelectors !== undefined) out.nodeSelectors = checkSelectors("l2Advertisement.nodeSelectors", l2.nodeSelectors);
  return out;
}

/** The BGPAdvertisement (bgp mode): pool and peer references (default all), the CRD limits, communities. */
function checkBgpAdvertisement(
  adv: BgpAdvertisementSpec,
  poolNames: string[],
  peers: readonly BgpPeerSpec[],
): NonNullable<CheckedMetalLb["bgpAdvertisement"]> {
  const out: NonNullable<CheckedMetalLb["bgpAdvertisement"]> = {
    pools: adv.pools === undefined ? poolNames : checkPoolRefs("bgpAdvertisement.pools", adv.pools, poolNames, "pools"),
  };
  if (adv.peers !== undefined)
    out.peers = checkPoolRefs(
      "bgpAdvertisement.peers",
      adv.peers,
      peers.map((p) => p.name),
      "BGP peers",
    );
  if (adv.aggregationLength !== undefined)
    out.aggregationLength = checkInt("bgpAdvertisement.aggregationLength", adv.aggregationLength, {
      min: 1,
      max: 32,
      what: "an IPv4 prefix length",
    });
  if (adv.localPref !== undefined) out.localPref = checkInt("bgpAdvertisement.localPref", adv.localPref, { min: 0, max: 2147483647 });
  if (adv.communities !== undefined) {
    out.communities = checkStringList("bgpAdvertisement.communities", adv.communities).map((c, i) =>
      checkCommunity(`bgpAdvertisement.communities[${i}]`, c),
    );
  }
  return out;
}
