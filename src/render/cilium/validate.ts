/**
 * Validation of the Cilium inputs. Pure: no Pulumi imports. Every problem is an `InputError`
 * naming the input field and the offending value, thrown before anything is rendered; soft
 * findings are returned as warnings for the component to log.
 *
 * Field limits follow the CRDs of Cilium 1.16–1.18 (`CiliumBGPPeerConfig`: `holdTimeSeconds`
 * 3–65535, `keepAliveTimeSeconds` 1–65535 and not above the hold time (a CEL rule from 1.18,
 * checked here for every version), `connectRetryTimeSeconds` 1–2147483647, `ebgpMultihop` 1–255,
 * `transport.peerPort` 1–65535, `gracefulRestart.restartTimeSeconds` 1–4095;
 * `CiliumBGPClusterConfig`: `localASN` 1–4294967295, `peerASN` 0–4294967295 where 0 means
 * auto-detection, which is refused here: a peer needs its AS number (RFC 7607 reserves AS 0)).
 */
import { ReservedAddress, reservedAddresses } from "../serviceAddresses";
import { ingressPoolEntry } from "../serviceInputs";
import { checkBoolean, checkDnsLabel, checkInt, checkNamedList, checkOneOf, checkStringList } from "../../core/checks";
import { InputError, withFieldNames } from "../../core/errors";
import {
  AddressBlock,
  bigIntToIp,
  blockContains,
  blockInNetwork,
  blocksOverlap,
  InterfaceAddress,
  parseAddressBlock,
  parseIp,
} from "../../core/net";
import { checkAsn, checkSelectors } from "../metallb/validate";
import {
  ALL_SERVICES_SELECTOR,
  BGP_LOAD_BALANCER_CLASS,
  CILIUM_DELIVERIES,
  CILIUM_MODES,
  CiliumApiVersions,
  ciliumApiVersions,
  CiliumBgpAdvertisementSpec,
  CiliumBgpPeerSpec,
  CiliumDeliveryValue,
  CiliumL2AnnouncementSpec,
  CiliumModeValue,
  CiliumSpec,
  DEFAULT_CILIUM_VERSION,
  DEFAULT_KUBEPRISM_PORT,
  DEFAULT_LB_SERVICE_IPAM_MINOR,
  DEFAULT_LOAD_BALANCER_SERVICES,
  L2_LOAD_BALANCER_CLASS,
  LabelSelectorSpec,
  MAX_CILIUM_MINOR,
  MIN_CILIUM_MINOR,
  WORKERS_ONLY_SELECTOR,
} from "./types";

/** A parsed, supported Cilium release. */
export interface CiliumVersion {
  /** `X.Y.Z`, no `v`. */
  version: string;
  /** 16, 17 or 18. */
  minor: number;
}

/**
 * Checks a Cilium release `X.Y.Z` (a leading `v` is accepted) of a supported minor, 1.16–1.18.
 * @throws InputError naming `field`.
 */
export function checkCiliumVersion(field: string, value: unknown): CiliumVersion {
  const match = typeof value === "string" ? /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/.exec(value.trim()) : null;
  if (!match) throw new InputError(field, value, `must be a Cilium release version "X.Y.Z", e.g. "${DEFAULT_CILIUM_VERSION}"`);
  const [major, minor, patch] = match.slice(1).map(Number);
  if (major !== 1 || minor < MIN_CILIUM_MINOR || minor > MAX_CILIUM_MINOR) {
    throw new InputError(
      field,
      value,
      `is not supported: Cilium 1.${MIN_CILIUM_MINOR} through 1.${MAX_CILIUM_MINOR} are (their CRDs are the ones the objects are checked against)`,
    );
  }
  return { version: `${major}.${minor}.${patch}`, minor };
}

/**
 * Checks one label selector (`metav1.LabelSelector`): `matchLabels` and/or `matchExpressions`.
 * @throws InputError naming `field` (or `field.matchExpressions[j].operator`, …).
 */
export function checkSelector(field: string, value: unknown): LabelSelectorSpec {
  return withFieldNames(
    (f) => (f === `${field}[0]` ? field : f.startsWith(`${field}[0].`) ? field + f.slice(`${field}[0]`.length) : f),
    () => {
      if (value === null || typeof value !== "object" || Array.isArray(value))
        throw new InputError(field, value, "must be a label selector object");
      return checkSelectors(field, [value])[0];
    },
  );
}

/** True when a selector has no requirement at all (`{}`, `{matchLabels: {}}`, `{matchExpressions: []}`). */
export function isEmptySelector(selector: LabelSelectorSpec): boolean {
  return Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0;
}

/** A validated pool. */
export interface CheckedCiliumPool {
  name: string;
  /** Parsed blocks, in input order. */
  blocks: AddressBlock[];
  serviceSelector?: LabelSelectorSpec;
  /** Undefined when not given (Cilium's default, yes). */
  allowFirstLastIPs?: boolean;
  disabled: boolean;
}

/** Validated, normalised inputs with defaults applied. */
export interface CheckedCilium {
  mode: CiliumModeValue;
  delivery: CiliumDeliveryValue;
  /** `X.Y.Z`. */
  version: string;
  minor: number;
  /** The apiVersion of each kind for this minor. */
  apiVersions: CiliumApiVersions;
  /** `io.cilium/l2-announcer` or `io.cilium/bgp-control-plane`. */
  loadBalancerClass: string;
  pools: CheckedCiliumPool[];
  /** The ingress address (explicit, or the first address the first pool hands out). */
  endpoint: string;
  /** l2 mode: the policy with its defaults (node selector filled in). */
  l2Announcement?: Required<Pick<CiliumL2AnnouncementSpec, "externalIPs">> & Omit<CiliumL2AnnouncementSpec, "externalIPs">;
  /** bgp mode: the settings with defaults (node selector and advertisement selector filled in). */
  bgp?: {
    localASN: number;
    nodeSelector?: LabelSelectorSpec;
    peers: CiliumBgpPeerSpec[];
    advertisement: CiliumBgpAdvertisementSpec & { serviceSelector: LabelSelectorSpec };
  };
  /** Whether any pool holds IPv6 blocks (BGP then also negotiates the IPv6 unicast family). */
  hasIpv6: boolean;
  workerCount: number;
  controlPlanesRunServices: boolean;
  kubeProxyReplacement: boolean;
  requireLBClass: boolean;
  loadBalancerServices: number;
  kubePrismPort: number;
  /** Soft findings, for `pulumi.log.warn`. */
  warnings: string[];
}

/** The parts of the inputs that decide which resources exist; see {@link checkCiliumStructure}. */
export interface CiliumStructure {
  mode: unknown;
  delivery: unknown;
  version?: unknown;
  pools: unknown;
  l2Announcement?: unknown;
  bgp?: unknown;
}

/**
 * Checks the inputs that decide the resource graph, which therefore must be plain values: mode,
 * delivery, version (it decides the custom resources' apiVersions, part of their resource types),
 * pool and peer names (DNS labels, unique), and which sections fit the mode (bgp needs `bgp` with
 * at least one peer; l2 takes no `bgp`; bgp takes no `l2Announcement`).
 * @throws InputError naming the field and value.
 */
export function checkCiliumStructure(spec: CiliumStructure): {
  mode: CiliumModeValue;
  delivery: CiliumDeliveryValue;
  version: CiliumVersion;
  pools: string[];
  peers: string[];
} {
  const mode = checkOneOf("mode", spec.mode, CILIUM_MODES);
  const delivery = checkOneOf("delivery", spec.delivery, CILIUM_DELIVERIES);
  const version = checkCiliumVersion("version", spec.version ?? DEFAULT_CILIUM_VERSION);
  const pools = checkNamedList("pools", spec.pools, "IP pools");
  if (pools.length === 0) throw new InputError("pools", spec.pools, "must list at least one IP pool");
  let peers: string[] = [];
  if (mode === "bgp") {
    const bgp = spec.bgp as { peers?: unknown } | undefined;
    if (bgp === undefined || bgp === null || typeof bgp !== "object") {
      throw new InputError("bgp", spec.bgp, "must be set in bgp mode: the local AS number and the peers Cilium announces to");
    }
    peers = checkNamedList("bgp.peers", bgp.peers, "BGP peers");
    if (peers.length === 0) {
      throw new InputError(
        "bgp.peers",
        bgp.peers,
        "must list at least one BGP peer in bgp mode (Cilium advertises only to configured peers)",
      );
    }
    if (spec.l2Announcement !== undefined)
      throw new InputError("l2Announcement", spec.l2Announcement, 'only applies in l2 mode; mode is "bgp"');
  } else if (spec.bgp !== undefined) {
    throw new InputError("bgp", spec.bgp, 'only applies in bgp mode; mode is "l2"');
  }
  return { mode, delivery, version, pools, peers };
}

/** An address the pools must keep clear of. */
type Reserved = ReservedAddress;

/** One pool entry with where it came from. */
interface PoolEntry {
  field: string;
  input: unknown;
  block: AddressBlock;
  pool: CheckedCiliumPool;
}

/**
 * Validates every input and applies defaults: the structure ({@link checkCiliumStructure}), the
 * settings, the addresses the pools must keep clear of, the BGP section, the pools, the ingress
 * address, the L2 policy.
 *
 * Errors (InputError, naming field and value): unknown mode/delivery; malformed or unsupported
 * version; malformed, reversed or host-bit pool blocks; pools overlapping each other, a node
 * address, the control-plane VIP, a load-balancer host, the gateway or a BGP peer; an ingress
 * address outside every pool (or one its pool never hands out); ASNs outside 1–4294967295; a peer
 * without a valid address; bgp mode without peers; CRD range violations (timers, multihop, port,
 * graceful restart); keepalive above hold time; an empty BGP advertisement selector; malformed
 * communities, interface regular expressions or selectors; l2 mode without kube-proxy
 * replacement; `requireLBClass` before Cilium 1.17.
 *
 * Warnings: in l2 mode, pool blocks outside the nodes' subnets and IPv6 blocks (Cilium's L2
 * announcements have no NDP); an ingress address in a pool without a service selector (another
 * Service may be given it first).
 */
export function checkCiliumSpec(spec: CiliumSpec): CheckedCilium {
  const { mode, delivery, version } = checkCiliumStructure(spec);
  const workerCount = checkInt("workerCount", spec.workerCount, { min: 0, max: Number.MAX_SAFE_INTEGER, what: "a node count, an integer" });
  const controlPlanesRunServices = checkBoolean("controlPlanesRunServices", spec.controlPlanesRunServices, false);
  const kubeProxyReplacement = checkBoolean("kubeProxyReplacement", spec.kubeProxyReplacement, true);
  const requireLBClass = checkBoolean("requireLBClass", spec.requireLBClass, false);
  const loadBalancerServices = checkInt("loadBalancerServices", spec.loadBalancerServices ?? DEFAULT_LOAD_BALANCER_SERVICES, {
    min: 1,
    max: 10000,
    what: "a Service count, an integer",
  });
  const kubePrismPort = checkInt("kubePrismPort", spec.kubePrismPort ?? DEFAULT_KUBEPRISM_PORT, {
    min: 1,
    max: 65535,
    what: "a TCP port, an integer",
  });
  if (mode === "l2" && !kubeProxyReplacement) {
    throw new InputError(
      "kubeProxyReplacement",
      spec.kubeProxyReplacement,
      'must be true in l2 mode: Cilium\'s L2 announcements require kube-proxy replacement (l2-announcements.rst, "Prerequisites")',
    );
  }
  if (requireLBClass && version.minor < DEFAULT_LB_SERVICE_IPAM_MINOR) {
    throw new InputError(
      "requireLBClass",
      spec.requireLBClass,
      `needs Cilium 1.${DEFAULT_LB_SERVICE_IPAM_MINOR} or later (Helm value defaultLBServiceIPAM); version is ${version.version}`,
    );
  }
  const servicesOnControlPlanes = workerCount === 0 || controlPlanesRunServices;
  const defaultNodeSelector = servicesOnControlPlanes ? undefined : WORKERS_ONLY_SELECTOR;

  const { reserved, nodeSubnets } = checkReservedAddresses(spec);
  const bgp = mode === "bgp" ? checkBgp(spec.bgp as NonNullable<CiliumSpec["bgp"]>, defaultNodeSelector) : undefined;
  bgp?.peers.forEach((p, i) => reserved.push({ ip: p.peerAddress, what: `BGP peer bgp.peers[${i}].peerAddress (${p.peerAddress})` }));
  const { pools, entries } = checkPools(spec, reserved);
  const warnings: string[] = [];
  if (mode === "l2") warnings.push(...l2PoolWarnings(entries, nodeSubnets));
  const ingress = checkIngressAddress(spec, pools, entries);
  warnings.push(...ingress.warnings);
  const l2Announcement = mode === "l2" ? checkL2Announcement(spec.l2Announcement ?? {}, defaultNodeSelector) : undefined;
  return {
    mode,
    delivery,
    version: version.version,
    minor: version.minor,
    apiVersions: ciliumApiVersions(version.minor),
    loadBalancerClass: mode === "l2" ? L2_LOAD_BALANCER_CLASS : BGP_LOAD_BALANCER_CLASS,
    pools,
    endpoint: ingress.endpoint,
    l2Announcement,
    bgp,
    hasIpv6: entries.some((e) => e.block.family === "ipv6"),
    workerCount,
    controlPlanesRunServices,
    kubeProxyReplacement,
    requireLBClass,
    loadBalancerServices,
    kubePrismPort,
    warnings,
  };
}

/** See {@link reservedAddresses}. */
function checkReservedAddresses(spec: CiliumSpec): { reserved: Reserved[]; nodeSubnets: InterfaceAddress[] } {
  return reservedAddresses(spec);
}

const WELL_KNOWN_COMMUNITIES = [
  "internet",
  "planned-shut",
  "accept-own",
  "route-filter-translated-v4",
  "route-filter-v4",
  "route-filter-translated-v6",
  "route-filter-v6",
  "llgr-stale",
  "no-llgr",
  "blackhole",
  "no-export",
  "no-advertise",
  "no-export-subconfed",
  "no-peer",
] as const;

/** A community sorted into the CRD's three lists. */
export type CommunityKind = "standard" | "large" | "wellKnown";

/**
 * Checks a BGP community: `a:b` (16-bit each) or a 32-bit decimal (standard, RFC 1997), `a:b:c`
 * (32-bit each, large, RFC 8092), or a well-known name (`no-export`, … as the CRD lists them).
 * @returns the kind it is rendered under. @throws InputError naming `field`.
 */
export function checkCommunity(field: string, value: unknown): CommunityKind {
  if (typeof value === "string") {
    if ((WELL_KNOWN_COMMUNITIES as readonly string[]).includes(value)) return "wellKnown";
    const parts = value.split(":");
    const numeric = parts.every((p) => /^(0|[1-9]\d{0,9})$/.test(p));
    if (numeric && parts.length === 1 && Number(parts[0]) <= 4294967295) return "standard";
    if (numeric && parts.length === 2 && parts.every((p) => Number(p) <= 65535)) return "standard";
    if (numeric && parts.length === 3 && parts.every((p) => Number(p) <= 4294967295)) return "large";
  }
  throw new InputError(
    field,
    value,
    `must be a BGP community: "65000:100" or a 32-bit decimal (standard), "65000:1:2" (large), or one of ${WELL_KNOWN_COMMUNITIES.join(", ")}`,
  );
}

/** The BGP section (peer names already checked): ASNs, addresses, CRD limits, selectors, communities. */
function checkBgp(
  bgp: NonNullable<CiliumSpec["bgp"]>,
  defaultNodeSelector: LabelSelectorSpec | undefined,
): NonNullable<CheckedCilium["bgp"]> {
  const localASN = checkAsn("bgp.localASN", bgp.localASN);
  const nodeSelector = bgp.nodeSelector === undefined ? defaultNodeSelector : checkSelector("bgp.nodeSelector", bgp.nodeSelector);
  const peers = bgp.peers.map((peer, i) => checkPeer(`bgp.peers[${i}]`, peer));
  const adv = bgp.advertisement ?? {};
  const advertisement: NonNullable<CheckedCilium["bgp"]>["advertisement"] = { serviceSelector: ALL_SERVICES_SELECTOR };
  if (adv.serviceSelector !== undefined) {
    const selector = checkSelector("bgp.advertisement.serviceSelector", adv.serviceSelector);
    if (isEmptySelector(selector)) {
      throw new InputError(
        "bgp.advertisement.serviceSelector",
        adv.serviceSelector,
        "is empty: since Cilium 1.19 an empty selector matches no Service, so nothing would be advertised after an upgrade; leave it unset to advertise every LoadBalancer Service, or give matchLabels or matchExpressions",
      );
    }
    advertisement.serviceSelector = selector;
  }
  if (adv.communities !== undefined) {
    advertisement.communities = checkStringList("bgp.advertisement.communities", adv.communities);
    advertisement.communities.forEach((c, i) => checkCommunity(`bgp.advertisement.communities[${i}]`, c));
  }
  if (adv.localPreference !== undefined) {
    advertisement.localPreference = checkInt("bgp.advertisement.localPreference", adv.localPreference, { min: 0, max: 4294967295 });
  }
  return { localASN, nodeSelector, peers, advertisement };
}

function checkPeer(f: string, peer: CiliumBgpPeerSpec): CiliumBgpPeerSpec {
  if (peer.peerAddress === undefined || peer.peerAddress === "") {
    throw new InputError(`${f}.peerAddress`, peer.peerAddress, "must be set: the address Cilium dials for this BGP session");
  }
  const out: CiliumBgpPeerSpec = {
    name: peer.name,
    peerAddress: parseIp(`${f}.peerAddress`, peer.peerAddress).ip,
    peerASN: checkAsn(`${f}.peerASN`, peer.peerASN),
  };
  if (peer.peerPort !== undefined)
    out.peerPort = checkInt(`${f}.peerPort`, peer.peerPort, { min: 1, max: 65535, what: "a TCP port, an integer" });
  if (peer.ebgpMultihop !== undefined)
    out.ebgpMultihop = checkInt(`${f}.ebgpMultihop`, peer.ebgpMultihop, { min: 1, max: 255, what: "a TTL, an integer" });
  if (peer.timers !== undefined) {
    const t = peer.timers;
    const timers: NonNullable<CiliumBgpPeerSpec["timers"]> = {};
    if (t.holdTimeSeconds !== undefined)
      timers.holdTimeSeconds = checkInt(`${f}.timers.holdTimeSeconds`, t.holdTimeSeconds, { min: 3, max: 65535, what: "whole seconds" });
    if (t.keepAliveTimeSeconds !== undefined)
      timers.keepAliveTimeSeconds = checkInt(`${f}.timers.keepAliveTimeSeconds`, t.keepAliveTimeSeconds, {
        min: 1,
        max: 65535,
        what: "whole seconds",
      });
    if (t.connectRetryTimeSeconds !== undefined)
      timers.connectRetryTimeSeconds = checkInt(`${f}.timers.connectRetryTimeSeconds`, t.connectRetryTimeSeconds, {
        min: 1,
        max: 2147483647,
        what: "whole seconds",
      });
    const hold = timers.holdTimeSeconds ?? 90;
    const keepAlive = timers.keepAliveTimeSeconds ?? 30;
    if (keepAlive > hold) {
      throw new InputError(
        `${f}.timers.keepAliveTimeSeconds`,
        keepAlive,
        `must not be larger than holdTimeSeconds (${hold}${timers.holdTimeSeconds === undefined ? ", Cilium's default" : ""}); the CRD refuses it from 1.18`,
      );
    }
    out.timers = timers;
  }
  if (peer.gracefulRestart !== undefined) {
    const g = peer.gracefulRestart;
    out.gracefulRestart = { enabled: checkBoolean(`${f}.gracefulRestart.enabled`, g.enabled) };
    if (g.restartTimeSeconds !== undefined)
      out.gracefulRestart.restartTimeSeconds = checkInt(`${f}.gracefulRestart.restartTimeSeconds`, g.restartTimeSeconds, {
        min: 1,
        max: 4095,
        what: "whole seconds",
      });
  }
  if (peer.authSecretRef !== undefined) out.authSecretRef = checkDnsLabel(`${f}.authSecretRef`, peer.authSecretRef);
  return out;
}

/** The pools (names already checked): blocks parsed, no block overlapping another or containing a reserved address. */
function checkPools(spec: CiliumSpec, reserved: readonly Reserved[]): { pools: CheckedCiliumPool[]; entries: PoolEntry[] } {
  const pools: CheckedCiliumPool[] = spec.pools.map((pool, i) => {
    const f = `pools[${i}]`;
    if (!Array.isArray(pool.blocks) || pool.blocks.length === 0) {
      throw new InputError(`${f}.blocks`, pool.blocks, "must list at least one address range or CIDR");
    }
    const out: CheckedCiliumPool = {
      name: pool.name,
      blocks: pool.blocks.map((b, j) => parseAddressBlock(`${f}.blocks[${j}]`, b)),
      disabled: checkBoolean(`${f}.disabled`, pool.disabled, false),
    };
    if (pool.serviceSelector !== undefined) out.serviceSelector = checkSelector(`${f}.serviceSelector`, pool.serviceSelector);
    if (pool.allowFirstLastIPs !== undefined) out.allowFirstLastIPs = checkBoolean(`${f}.allowFirstLastIPs`, pool.allowFirstLastIPs);
    return out;
  });
  const entries: PoolEntry[] = pools.flatMap((pool, i) =>
    pool.blocks.map((block, j) => ({ field: `pools[${i}].blocks[${j}]`, input: spec.pools[i].blocks[j], block, pool })),
  );
  entries.forEach((a, x) => {
    entries.slice(0, x).forEach((b) => {
      if (blocksOverlap(a.block, b.block))
        throw new InputError(
          a.field,
          a.input,
          `overlaps ${b.field} (${b.block.text}); pools must not share addresses (Cilium would mark both pools conflicting)`,
        );
    });
    for (const r of reserved) {
      if (blockContains(a.block, r.ip))
        throw new InputError(a.field, a.input, `contains ${r.what}; pools must only hold addresses nothing else uses`);
    }
  });
  return { pools, entries };
}

/** True when the pool never hands out `ip`: the first or last address of a CIDR block of a pool with `allowFirstLastIPs: false` (not /31, /32, /127, /128). */
function reservedByPool(pool: CheckedCiliumPool, block: AddressBlock, ip: string): boolean {
  if (pool.allowFirstLastIPs !== false || block.kind !== "cidr") return false;
  const small = block.last - block.first <= 1n;
  return !small && (ip === bigIntToIp(block.first, block.family) || ip === bigIntToIp(block.last, block.family));
}

/** l2 mode: blocks outside every prefixed node address's subnet, and IPv6 blocks (no NDP). */
function l2PoolWarnings(entries: readonly PoolEntry[], nodeSubnets: readonly InterfaceAddress[]): string[] {
  const warnings: string[] = [];
  const networks = [...new Set(nodeSubnets.map((s) => s.network))];
  for (const e of entries) {
    if (e.block.family === "ipv6") {
      warnings.push(
        `${e.field}: ${JSON.stringify(e.input)} is IPv6; Cilium's L2 announcements do not support IPv6/NDP (l2-announcements.rst, "Limitations"), so these addresses are allocated but not announced`,
      );
    } else if (networks.length > 0 && !networks.some((n) => blockInNetwork(e.block, n))) {
      warnings.push(
        `${e.field}: ${JSON.stringify(e.input)} is outside the nodes' subnets (${networks.join(", ")}); in l2 mode Cilium answers ARP ` +
          "only on the nodes' own segment, so these addresses are reachable only if a router sends them to the nodes",
      );
    }
  }
  return warnings;
}

/** The ingress address: `ingressAddress` (inside a pool that hands it out), or the first address the first pool hands out. */
function checkIngressAddress(
  spec: CiliumSpec,
  pools: readonly CheckedCiliumPool[],
  entries: readonly PoolEntry[],
): { endpoint: string; warnings: string[] } {
  let endpoint: string;
  let pool: CheckedCiliumPool;
  let field: string;
  if (spec.ingressAddress !== undefined) {
    const found = ingressPoolEntry(spec.ingressAddress, entries);
    endpoint = found.endpoint;
    const hit = found.hit;
    if (reservedByPool(hit.pool, hit.block, endpoint)) {
      throw new InputError(
        "ingressAddress",
        spec.ingressAddress,
        `is the first or last address of ${hit.block.text}, which pool "${hit.pool.name}" never hands out (allowFirstLastIPs: false)`,
      );
    }
    if (hit.pool.disabled) throw new InputError("ingressAddress", spec.ingressAddress, `is in pool "${hit.pool.name}", which is disabled`);
    pool = hit.pool;
    field = "ingressAddress";
  } else {
    const first = pools[0];
    let found: string | undefined;
    for (const block of first.blocks) {
      for (let n = block.first; n <= block.last && n <= block.first + 1n && found === undefined; n++) {
        const ip = bigIntToIp(n, block.family);
        if (!reservedByPool(first, block, ip)) found = ip;
      }
      if (found !== undefined) break;
    }
    if (found === undefined) throw new InputError("pools[0].blocks", spec.pools[0].blocks, "holds no address Cilium can hand out");
    endpoint = found;
    pool = first;
    field = "pools[0]";
  }
  const warnings: string[] = [];
  if (pool.serviceSelector === undefined) {
    warnings.push(
      `${field}: the ingress address ${endpoint} is in pool "${pool.name}", which serves every Service; another LoadBalancer Service may be ` +
        "given it first. Give that pool a serviceSelector that matches only the ingress Service to reserve it",
    );
  }
  return { endpoint, warnings };
}

/** The L2 policy (l2 mode): interface regular expressions, selectors, the default node selector. */
function checkL2Announcement(
  l2: CiliumL2AnnouncementSpec,
  defaultNodeSelector: LabelSelectorSpec | undefined,
): NonNullable<CheckedCilium["l2Announcement"]> {
  const out: NonNullable<CheckedCilium["l2Announcement"]> = {
    externalIPs: checkBoolean("l2Announcement.externalIPs", l2.externalIPs, false),
  };
  if (l2.interfaces !== undefined) {
    out.interfaces = checkStringList("l2Announcement.interfaces", l2.interfaces).map((re, i) => {
      try {
        new RegExp(re);
      } catch (err) {
        throw new InputError(
          `l2Announcement.interfaces[${i}]`,
          re,
          `is not a regular expression (${(err as Error).message}); interfaces are matched by regular expression, e.g. ^eth[0-9]+`,
        );
      }
      return re;
    });
  }
  const nodeSelector = l2.nodeSelector === undefined ? defaultNodeSelector : checkSelector("l2Announcement.nodeSelector", l2.nodeSelector);
  if (nodeSelector !== undefined) out.nodeSelector = nodeSelector;
  if (l2.serviceSelector !== undefined) out.serviceSelector = checkSelector("l2Announcement.serviceSelector", l2.serviceSelector);
  return out;
}
