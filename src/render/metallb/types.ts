/**
 * MetalLB constants and the plain (resolved) input shapes of the MetalLB renderers. Pure: no
 * Pulumi imports.
 *
 * Sources:
 * - MetalLB CRDs v0.16.1 (`config/crd/bases/metallb.io_*.yaml`, copied under
 *   `shared/reference/metallb/v0.16.1`): IPAddressPool, L2Advertisement, BGPAdvertisement and
 *   BFDProfile are `metallb.io/v1beta1`, BGPPeer is `metallb.io/v1beta2`; all namespaced.
 * - MetalLB installation docs and `config/manifests/metallb-native.yaml` @ v0.16.1 (the Namespace
 *   there carries the `pod-security.kubernetes.io/*: privileged` labels; the speaker has no
 *   `--lb-class` / `--ignore-exclude-lb` arguments).
 * - MetalLB Helm chart values: `loadBalancerClass` (metallb/metallb#1417, since v0.13) and
 *   `speaker.ignoreExcludeLB` ("ignore the exclude-from-external-loadbalancer label").
 */

/** How MetalLB announces service addresses: `l2` (ARP/NDP from one node) or `bgp` (routes to peers, ECMP). */
export const METALLB_MODES = ["l2", "bgp"] as const;
/** One of {@link METALLB_MODES}. */
export type MetalLbMode = (typeof METALLB_MODES)[number];

/**
 * How MetalLB reaches the cluster:
 * - `talos-inline`: inside the control-plane machine config (`cluster.extraManifests` for MetalLB
 *   itself, `cluster.inlineManifests` for the namespace and configuration); no Kubernetes resources.
 * - `kubernetes`: Pulumi Kubernetes resources through an explicit provider (Helm chart + CRs).
 */
export const METALLB_DELIVERIES = ["talos-inline", "kubernetes"] as const;
/** One of {@link METALLB_DELIVERIES}. */
export type MetalLbDelivery = (typeof METALLB_DELIVERIES)[number];

/** kube-proxy modes (`cluster.proxy.mode` in Talos; Talos's default is `iptables`). */
export const KUBE_PROXY_MODES = ["iptables", "ipvs", "nftables"] as const;
/** One of {@link KUBE_PROXY_MODES}. */
export type KubeProxyMode = (typeof KUBE_PROXY_MODES)[number];

/** MetalLB release used when none is given; the CRD schemas in the reference data are of this release. */
export const DEFAULT_METALLB_VERSION = "0.16.1";
/** Oldest accepted MetalLB release: 0.13.0 moved the configuration from a ConfigMap to the CRDs rendered here. */
export const MIN_METALLB_MINOR = 13;
/** Namespace MetalLB runs in; BGP password Secrets must live here too (BGPPeer `passwordSecret` docs). */
export const METALLB_NAMESPACE = "metallb-system";
/** Helm repository of the MetalLB chart. */
export const METALLB_HELM_REPO = "https://metallb.github.io/metallb";
/** Helm chart name. Chart versions equal MetalLB release versions (`0.16.1`). */
export const METALLB_HELM_CHART = "metallb";

/** API group/versions of the rendered custom resources (MetalLB v0.16.1 CRDs). */
export const METALLB_V1BETA1 = "metallb.io/v1beta1";
/** BGPPeer's storage version (v1beta1 is still served but converted by a webhook). */
export const METALLB_V1BETA2 = "metallb.io/v1beta2";

/**
 * The label Talos (machine config 1.8+) puts on control-plane nodes, as kubeadm does. MetalLB's
 * speaker does not announce from labelled nodes (metallb/metallb#2021), which silences
 * single-node and control-plane-only clusters (siderolabs/talos#10291).
 */
export const EXCLUDE_LB_LABEL = "node.kubernetes.io/exclude-from-external-load-balancers";

/**
 * kube-proxy flag (without `--`) that sets `arp_ignore=1` / `arp_announce=2` in IPVS mode
 * (kubernetes/kubernetes#75295; kube-proxy reference `--ipvs-strict-arp`). MetalLB's installation
 * docs require strict ARP when kube-proxy runs in IPVS mode, because kube-proxy binds every
 * LoadBalancer IP to `kube-ipvs0` on every node and all nodes would answer ARP for it.
 */
export const IPVS_STRICT_ARP_ARG = "ipvs-strict-arp";

/** Pod Security Admission labels of the MetalLB namespace (Talos enforces `baseline` by default; the speaker needs `privileged`). */
export const POD_SECURITY_LABELS: Readonly<Record<string, string>> = {
  "pod-security.kubernetes.io/enforce": "privileged",
  "pod-security.kubernetes.io/audit": "privileged",
  "pod-security.kubernetes.io/warn": "privileged",
};

/** `metadata.name` of the rendered L2Advertisement. */
export const L2_ADVERTISEMENT_NAME = "l2";
/** `metadata.name` of the rendered BGPAdvertisement. */
export const BGP_ADVERTISEMENT_NAME = "bgp";
/** Name of the `cluster.inlineManifests` entry carrying the namespace, Secrets and configuration. */
export const METALLB_INLINE_MANIFEST_NAME = "metallb-config";

/** Name of the Secret holding a BGP peer's password (`kubernetes.io/basic-auth`, key `password`). */
export function bgpPasswordSecretName(peerName: string): string {
  return `bgp-password-${peerName}`;
}

/**
 * The upstream MetalLB manifest for `cluster.extraManifests`, pinned to the release tag. The
 * native manifest (native BGP speaker) is used unless BFD is wanted: BFD needs an FRR-based BGP
 * backend, so a BFD profile selects `metallb-frr-k8s.yaml` (both files exist at v0.16.1).
 */
export function upstreamManifestUrl(version: string, frrBackend: boolean): string {
  const file = frrBackend ? "metallb-frr-k8s.yaml" : "metallb-native.yaml";
  return `https://raw.githubusercontent.com/metallb/metallb/v${version}/config/manifests/${file}`;
}

/** A Kubernetes label selector (`matchLabels` and/or `matchExpressions`, ANDed). */
export interface LabelSelectorSpec {
  /** Exact label matches. */
  matchLabels?: Record<string, string>;
  /** Set-based requirements; `values` required for In/NotIn, forbidden for Exists/DoesNotExist. */
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

/** One IPAddressPool. */
export interface MetalLbPoolSpec {
  /** Pool name (`metadata.name`): a DNS label, unique. */
  name: string;
  /** Address blocks: ranges `192.168.30.200-192.168.30.220` or CIDRs `192.168.30.192/27` (IPv4 or IPv6). */
  addresses: string[];
  /** Let MetalLB hand out addresses from this pool automatically; default true. */
  autoAssign?: boolean;
  /** Never hand out IPv4 addresses ending in .0 or .255; default false. */
  avoidBuggyIPs?: boolean;
}

/** The L2Advertisement (l2 mode). */
export interface L2AdvertisementSpec {
  /** Pools announced; default all pools. */
  pools?: string[];
  /** Announce only from these interfaces (e.g. `eth0`); default all interfaces. */
  interfaces?: string[];
  /** Announce only from nodes matching any of these selectors; default all nodes with a speaker. */
  nodeSelectors?: LabelSelectorSpec[];
}

/** One BGPPeer (bgp mode). */
export interface BgpPeerSpec {
  /** Peer name (`metadata.name`): a DNS label, unique. */
  name: string;
  /** Local AS number, 1–4294967295. */
  myASN: number;
  /** Remote AS number, 1–4294967295. */
  peerASN: number;
  /** The router's address (plain IP). */
  peerAddress: string;
  /** TCP port to dial, 1–16384 (CRD limit); MetalLB's default is 179. */
  peerPort?: number;
  /** Peer is more than one hop away (eBGP multihop). */
  ebgpMultiHop?: boolean;
  /** Name of the BFD profile for this session; must be the rendered {@link BfdProfileSpec}. */
  bfdProfile?: string;
  /** Name of the `kubernetes.io/basic-auth` Secret (key `password`) in `metallb-system` holding the TCP MD5 password. */
  passwordSecret?: string;
  /** Peer only from nodes matching any of these selectors. */
  nodeSelectors?: LabelSelectorSpec[];
}

/** The BGPAdvertisement (bgp mode). */
export interface BgpAdvertisementSpec {
  /** Pools advertised; default all pools. */
  pools?: string[];
  /** Peers advertised to; default all peers. */
  peers?: string[];
  /** IPv4 aggregation prefix length, 1–32; MetalLB's default is 32 (one /32 route per service). */
  aggregationLength?: number;
  /** BGP LOCAL_PREF, 0–2147483647 (the CRD types it int32); iBGP only. */
  localPref?: number;
  /** Standard (`65535:100`) or large (`large:1:2:3`) communities. */
  communities?: string[];
}

/** A BFDProfile (bgp mode). Intervals in milliseconds. */
export interface BfdProfileSpec {
  /** Profile name (`metadata.name`): a DNS label. */
  name: string;
  /** Minimum receive interval, 10–60000 ms (MetalLB default 300). */
  receiveInterval?: number;
  /** Minimum transmit interval, 10–60000 ms (MetalLB default 300). */
  transmitInterval?: number;
  /** Detection multiplier, 2–255. */
  detectMultiplier?: number;
  /** Echo receive interval, 10–60000 ms (MetalLB default 50). */
  echoInterval?: number;
  /** Echo mode (single-hop only). */
  echoMode?: boolean;
  /** Wait for the peer to start the session. */
  passiveMode?: boolean;
  /** Minimum incoming TTL, 1–254 (multihop only). */
  minimumTtl?: number;
}

/** Everything the MetalLB renderers take, as resolved plain values. */
export interface MetalLbSpec {
  /** `l2` or `bgp` ({@link METALLB_MODES}). */
  mode: string;
  /** `talos-inline` or `kubernetes` ({@link METALLB_DELIVERIES}). */
  delivery: string;
  /** MetalLB release `X.Y.Z` (a `v` prefix is accepted); default {@link DEFAULT_METALLB_VERSION}; 0.13.0 or newer. */
  version?: string;
  /** Serve only Services with this `spec.loadBalancerClass` (a qualified name such as `metallb.io/metallb`); default: Services without a class. */
  loadBalancerClass?: string;
  /** At least one pool; pools must not overlap each other or any address below. */
  pools: MetalLbPoolSpec[];
  /** The ingress Service's address; must lie inside a pool. Default: the first assignable address of the first pool. */
  ingressAddress?: string;
  /**
   * Node addresses, plain (`192.168.30.31`) or with prefix (`192.168.30.31/24`). Pools must not
   * contain them; in l2 mode the prefixed ones define the subnets pools should sit in (warning only).
   */
  nodeAddresses?: string[];
  /** The control-plane VIP (plain IP); pools must not contain it. */
  controlPlaneVip?: string;
  /** Addresses of external load-balancer hosts (plain IPs); pools must not contain them. */
  loadBalancerHosts?: string[];
  /** The nodes' default gateway (plain IP): in L2 mode a pool holding it would answer ARP for the router. */
  gateway?: string;
  /** L2Advertisement settings (l2 mode only). */
  l2Advertisement?: L2AdvertisementSpec;
  /** BGP peers: at least one in bgp mode, none in l2 mode. */
  bgpPeers?: BgpPeerSpec[];
  /** BGPAdvertisement settings (bgp mode only). */
  bgpAdvertisement?: BgpAdvertisementSpec;
  /** Optional BFD profile (bgp mode only). */
  bfdProfile?: BfdProfileSpec;
  /** Number of worker nodes (integer ≥ 0). With 0, control planes must announce Services. */
  workerCount: number;
  /** Control planes run Services even though there are workers; default false. */
  controlPlanesRunServices?: boolean;
  /**
   * Keep the exclude label and set MetalLB's Helm value `speaker.ignoreExcludeLB` instead of
   * deleting the label with `$patch: delete` (the fallback for siderolabs/talos#9325, #11549,
   * #13023). Needs delivery `kubernetes`; default false.
   */
  ignoreExcludeLB?: boolean;
  /** kube-proxy mode ({@link KUBE_PROXY_MODES}); default `iptables`. `ipvs` adds strict ARP. */
  kubeProxyMode?: string;
}
