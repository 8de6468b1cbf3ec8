/**
 * Cilium constants, the API versions per Cilium minor, and the plain (resolved) input shapes of
 * the Cilium renderers. Pure: no Pulumi imports.
 *
 * Sources (all read at the pinned releases v1.16.19, v1.17.16 and v1.18.11 of the
 * `github.com/cilium/cilium` module, `tools/refs/cilium-1.16|1.17|1.18`; the tests validate every
 * rendered object against these files):
 * - the CRDs in `pkg/k8s/apis/cilium.io/client/crds/`: in 1.16 and 1.17 `CiliumLoadBalancerIPPool`,
 *   `CiliumBGPClusterConfig`, `CiliumBGPPeerConfig` and `CiliumBGPAdvertisement` are only
 *   `cilium.io/v2alpha1`; in 1.18 they moved to `crds/v2/` with `cilium.io/v2` as the storage
 *   version (v2alpha1 is still served; for the BGP kinds it is marked `deprecated: true`).
 *   `CiliumL2AnnouncementPolicy` is `cilium.io/v2alpha1` in all three. All of them are
 *   cluster-scoped. None of the BGP CRDs of 1.16–1.18 has a BFD field.
 * - the Helm chart `install/kubernetes/cilium/values.yaml` (chart version = Cilium version):
 *   `l2announcements.enabled`, `bgpControlPlane.enabled` (secrets namespace `kube-system`),
 *   `k8sClientRateLimit.qps|burst` (agent defaults 10 and 20), `defaultLBServiceIPAM` (1.17+),
 *   `externalIPs.enabled` (1.16 only: the chart of 1.17 and 1.18 no longer has it).
 * - `Documentation/network/l2-announcements.rst` (kube-proxy replacement required, no IPv6/NDP,
 *   lease sizing `QPS = #services * (1 / leaseRenewDeadline)`, lease defaults 15 s / 5 s / 2 s),
 *   `Documentation/network/lb-ipam.rst` (load balancer classes, `lbipam.cilium.io/ips`),
 *   `Documentation/network/bgp-control-plane/bgp-control-plane-v2.rst` (timers, MD5 password
 *   Secret with key `password` in the BGP secrets namespace, the `NotIn` selector that selects
 *   every Service).
 * - Talos: "Deploying Cilium CNI" (Talos docs; the same values in `hack/test/e2e.sh` of
 *   github.com/siderolabs/talos v1.12.6): `cluster.network.cni.name: none`,
 *   `cluster.proxy.disabled: true` without kube-proxy, `ipam.mode=kubernetes`,
 *   `cgroup.autoMount.enabled=false`, `cgroup.hostRoot=/sys/fs/cgroup`, KubePrism as the API
 *   endpoint (`k8sServiceHost=localhost`, `k8sServicePort=7445`) and the capability lists without
 *   `SYS_MODULE` (Talos refuses it to every process).
 */
import type { LabelSelectorSpec } from "../metallb/types";

export type { LabelSelectorSpec } from "../metallb/types";

/** How Cilium announces Service addresses: `l2` (L2 announcements, ARP) or `bgp` (BGP control plane v2). */
export const CILIUM_MODES = ["l2", "bgp"] as const;
/** One of {@link CILIUM_MODES}. */
export type CiliumModeValue = (typeof CILIUM_MODES)[number];

/**
 * How the custom resources reach the cluster: `talos-inline` (one `cluster.inlineManifests`
 * entry; the Cilium install itself is the user's Helm step with the rendered values) or
 * `kubernetes` (Helm chart and custom resources through a Kubernetes provider).
 */
export const CILIUM_DELIVERIES = ["talos-inline", "kubernetes"] as const;
/** One of {@link CILIUM_DELIVERIES}. */
export type CiliumDeliveryValue = (typeof CILIUM_DELIVERIES)[number];

/** Cilium release used when none is given: the newest 1.18 release the Go module proxy serves (`tools/refs/cilium-1.18`). */
export const DEFAULT_CILIUM_VERSION = "1.18.11";
/** Oldest supported Cilium minor (BGP control plane v2 CRDs and `spec.blocks` pools exist from 1.16). */
export const MIN_CILIUM_MINOR = 16;
/** Newest supported Cilium minor. */
export const MAX_CILIUM_MINOR = 18;
/** First minor whose chart has `defaultLBServiceIPAM` (what `requireLBClass` sets). */
export const DEFAULT_LB_SERVICE_IPAM_MINOR = 17;
/** First minor whose chart has no `externalIPs.enabled` value any more. */
export const EXTERNAL_IPS_ALWAYS_MINOR = 17;
/** First minor whose pool and BGP CRDs are served as `cilium.io/v2`. */
export const CILIUM_V2_LB_BGP_MINOR = 18;

/** Helm repository of the Cilium chart. */
export const CILIUM_HELM_REPO = "https://helm.cilium.io";
/** Helm chart name; chart versions equal Cilium versions. */
export const CILIUM_HELM_CHART = "cilium";
/** Namespace of the Cilium release (the Talos guide installs into `kube-system`). */
export const CILIUM_NAMESPACE = "kube-system";
/** The BGP secrets namespace (`bgpControlPlane.secretsNamespace.name`, default `kube-system`), where password Secrets live. */
export const CILIUM_BGP_SECRETS_NAMESPACE = "kube-system";

/** `loadBalancerClass` Cilium's L2 announcer serves (`L2AnnounceLoadBalancerClass`, `pkg/k8s/apis/cilium.io/v2alpha1/l2announcement_types.go`). */
export const L2_LOAD_BALANCER_CLASS = "io.cilium/l2-announcer";
/** `loadBalancerClass` Cilium's BGP control plane serves (`BGPLoadBalancerClass`, `pkg/k8s/apis/cilium.io/v2alpha1/bgpp_types.go`; also `v2/bgp_advert_types.go` in 1.18). */
export const BGP_LOAD_BALANCER_CLASS = "io.cilium/bgp-control-plane";

/** The Service annotation that requests specific LB-IPAM addresses (lb-ipam.rst, "Requesting IPs"). */
export const LB_IPAM_IPS_ANNOTATION = "lbipam.cilium.io/ips";

/** `metadata.name` of the rendered CiliumL2AnnouncementPolicy. */
export const L2_POLICY_NAME = "l2";
/** `metadata.name` of the rendered CiliumBGPClusterConfig. */
export const BGP_CLUSTER_CONFIG_NAME = "bgp";
/** `metadata.name` of the rendered CiliumBGPAdvertisement. */
export const BGP_ADVERTISEMENT_NAME = "loadbalancer-services";
/** The label of the CiliumBGPAdvertisement that every peer config's address families select. */
export const BGP_ADVERTISEMENT_LABEL: Readonly<Record<string, string>> = { advertise: "loadbalancer-services" };
/** Name of the `cluster.inlineManifests` entry carrying the custom resources (`talos-inline`). */
export const CILIUM_INLINE_MANIFEST_NAME = "cilium-services";

/**
 * The selector Cilium's BGP docs give for "every Service": a `NotIn` requirement on a key no
 * Service carries (bgp-control-plane-v2.rst, "Load Balancer IP"). An absent selector selects no
 * Service (CRD description; cilium/cilium#33537), and since Cilium 1.19 an empty one matches
 * nothing either (issue #14), so the advertisement always carries this or the user's selector.
 */
export const ALL_SERVICES_SELECTOR: LabelSelectorSpec = {
  matchExpressions: [{ key: "somekey", operator: "NotIn", values: ["never-used-value"] }],
};

/** The Talos label on control-plane nodes (kubelet role label). */
export const CONTROL_PLANE_ROLE_LABEL = "node-role.kubernetes.io/control-plane";
/** Node selector of workers only: the default for announcements when the cluster has workers and control planes do not run Services. */
export const WORKERS_ONLY_SELECTOR: LabelSelectorSpec = {
  matchExpressions: [{ key: CONTROL_PLANE_ROLE_LABEL, operator: "DoesNotExist" }],
};

/**
 * The agent's and the state cleaner's capabilities from Talos's "Deploying Cilium CNI" guide
 * (Cilium's defaults without `SYS_MODULE`, which Talos refuses to every process).
 */
export const TALOS_CILIUM_AGENT_CAPABILITIES = [
  "CHOWN",
  "KILL",
  "NET_ADMIN",
  "NET_RAW",
  "IPC_LOCK",
  "SYS_ADMIN",
  "SYS_RESOURCE",
  "DAC_OVERRIDE",
  "FOWNER",
  "SETGID",
  "SETUID",
] as const;
/** `securityContext.capabilities.cleanCiliumState` from the same guide. */
export const TALOS_CILIUM_CLEAN_STATE_CAPABILITIES = ["NET_ADMIN", "SYS_ADMIN", "SYS_RESOURCE"] as const;

/** KubePrism's default port: the guide's `k8sServicePort`. */
export const DEFAULT_KUBEPRISM_PORT = 7445;

/** The agent's client rate limit defaults (`k8sClientRateLimit`, values.yaml 1.17/1.18, and 1.16 on Kubernetes ≥ 1.27). */
export const AGENT_CLIENT_DEFAULT_QPS = 10;
/** Default burst of the agent's client rate limit. */
export const AGENT_CLIENT_DEFAULT_BURST = 20;
/** `l2announcements.leaseRenewDeadline` default, seconds (l2-announcements.rst). */
export const L2_LEASE_RENEW_DEADLINE_SECONDS = 5;
/** `l2announcements.leaseDuration` default, seconds (l2-announcements.rst). */
export const L2_LEASE_DURATION_SECONDS = 15;
/** Default of `loadBalancerServices`, the expected number of LoadBalancer Services. */
export const DEFAULT_LOAD_BALANCER_SERVICES = 10;

/** API versions of the rendered kinds for one Cilium minor. */
export interface CiliumApiVersions {
  /** `CiliumLoadBalancerIPPool`: `cilium.io/v2alpha1` before 1.18, `cilium.io/v2` from 1.18. */
  pool: string;
  /** `CiliumL2AnnouncementPolicy`: `cilium.io/v2alpha1`. */
  l2Policy: string;
  /** `CiliumBGPClusterConfig`, `CiliumBGPPeerConfig`, `CiliumBGPAdvertisement`: like the pool. */
  bgp: string;
}

/** The apiVersions for Cilium 1.`minor` (see the module docstring for the CRD files they come from). */
export function ciliumApiVersions(minor: number): CiliumApiVersions {
  const lbBgp = minor >= CILIUM_V2_LB_BGP_MINOR ? "cilium.io/v2" : "cilium.io/v2alpha1";
  return { pool: lbBgp, l2Policy: "cilium.io/v2alpha1", bgp: lbBgp };
}

/** Name of the Secret holding a BGP peer's TCP MD5 password (key `password`, in {@link CILIUM_BGP_SECRETS_NAMESPACE}). */
export function ciliumBgpPasswordSecretName(peerName: string): string {
  return `bgp-password-${peerName}`;
}

/** One CiliumLoadBalancerIPPool. */
export interface CiliumPoolSpec {
  /** Pool name (`metadata.name`): a DNS label, unique. */
  name: string;
  /** Address blocks: ranges `192.168.30.200-192.168.30.220` (rendered `{start, stop}`) or CIDRs (rendered `{cidr}`). */
  blocks: string[];
  /** Only Services matching this selector get addresses from the pool; default every Service. */
  serviceSelector?: LabelSelectorSpec;
  /** Hand out the first and last address of each CIDR (`allowFirstLastIPs: Yes`/`No`); Cilium's default since 1.16 is yes. */
  allowFirstLastIPs?: boolean;
  /** No new addresses from this pool; default false. */
  disabled?: boolean;
}

/** The CiliumL2AnnouncementPolicy (l2 mode). */
export interface CiliumL2AnnouncementSpec {
  /** Regular expressions of the interfaces to announce on (e.g. `^eth[0-9]+`); default every interface. */
  interfaces?: string[];
  /** Nodes that announce; default workers only when there are workers and control planes do not run Services, else every node. */
  nodeSelector?: LabelSelectorSpec;
  /** Services announced; default every Service. */
  serviceSelector?: LabelSelectorSpec;
  /** Also announce `externalIPs` (on 1.16 also sets Helm `externalIPs.enabled`); default false. */
  externalIPs?: boolean;
}

/** BGP timers of one peer (`CiliumBGPPeerConfig.spec.timers`). */
export interface CiliumBgpTimersSpec {
  /** 3–65535 s; Cilium's default 90. */
  holdTimeSeconds?: number;
  /** 1–65535 s, not above the hold time; Cilium's default 30. */
  keepAliveTimeSeconds?: number;
  /** 1–2147483647 s; Cilium's default 120. */
  connectRetryTimeSeconds?: number;
}

/** One BGP peer: an entry of the cluster config and its own CiliumBGPPeerConfig. */
export interface CiliumBgpPeerSpec {
  /** Peer name: a DNS label, unique; also the name of its CiliumBGPPeerConfig. */
  name: string;
  /** The router's address (plain IP). */
  peerAddress: string;
  /** The router's AS number, 1–4294967295. */
  peerASN: number;
  /** TCP port, 1–65535; Cilium's default 179. */
  peerPort?: number;
  /** eBGP multihop TTL, 1–255; Cilium's default 1. */
  ebgpMultihop?: number;
  /** Timers. */
  timers?: CiliumBgpTimersSpec;
  /** Graceful restart: `enabled`, `restartTimeSeconds` 1–4095 (Cilium's default 120). */
  gracefulRestart?: { enabled: boolean; restartTimeSeconds?: number };
  /** Name of the Secret (key `password`, in `kube-system`) holding the TCP MD5 password. */
  authSecretRef?: string;
}

/** The CiliumBGPAdvertisement of the LoadBalancer addresses. */
export interface CiliumBgpAdvertisementSpec {
  /** Services advertised; default every Service ({@link ALL_SERVICES_SELECTOR}). An empty selector is refused. */
  serviceSelector?: LabelSelectorSpec;
  /** Communities: `65000:100` or a 32-bit decimal (standard), `65000:1:2` (large), or a well-known name (`no-export`). */
  communities?: string[];
  /** BGP LOCAL_PREF (iBGP only), 0–4294967295. */
  localPreference?: number;
}

/** BGP control plane v2 settings (bgp mode). */
export interface CiliumBgpSpec {
  /** Local AS number of the nodes, 1–4294967295. */
  localASN: number;
  /** Nodes that speak BGP; default as for the L2 node selector. */
  nodeSelector?: LabelSelectorSpec;
  /** At least one peer. */
  peers: CiliumBgpPeerSpec[];
  /** The advertisement of LoadBalancer addresses. */
  advertisement?: CiliumBgpAdvertisementSpec;
}

/** Everything the Cilium renderers take, as resolved plain values. */
export interface CiliumSpec {
  /** `l2` or `bgp` ({@link CILIUM_MODES}). */
  mode: string;
  /** `talos-inline` or `kubernetes` ({@link CILIUM_DELIVERIES}). */
  delivery: string;
  /** Cilium release `X.Y.Z` (a `v` prefix is accepted), 1.16–1.18; default {@link DEFAULT_CILIUM_VERSION}. */
  version?: string;
  /** At least one pool; pools must not overlap each other or any address below. */
  pools: CiliumPoolSpec[];
  /** The ingress Service's address; must lie inside a pool. Default: the first address of the first pool it hands out. */
  ingressAddress?: string;
  /** Node addresses, plain or with prefix; pools must avoid them; in l2 mode the prefixes give the nodes' subnets (warning). */
  nodeAddresses?: string[];
  /** The control-plane VIP (plain IP); pools must avoid it. */
  controlPlaneVip?: string;
  /** External load-balancer host addresses (plain IPs); pools must avoid them. */
  loadBalancerHosts?: string[];
  /** The nodes' default gateway (plain IP); pools must avoid it. */
  gateway?: string;
  /** l2 mode only. */
  l2Announcement?: CiliumL2AnnouncementSpec;
  /** bgp mode only; required there. */
  bgp?: CiliumBgpSpec;
  /** Number of worker nodes, an integer ≥ 0. */
  workerCount: number;
  /** Control planes run and announce Services although there are workers; default false. */
  controlPlanesRunServices?: boolean;
  /** Cilium replaces kube-proxy (Helm `kubeProxyReplacement`, Talos `cluster.proxy.disabled`); default true; required in l2 mode. */
  kubeProxyReplacement?: boolean;
  /** Serve only Services whose `loadBalancerClass` is Cilium's (Helm `defaultLBServiceIPAM: none`, Cilium ≥ 1.17); default false. */
  requireLBClass?: boolean;
  /** Expected number of LoadBalancer Services (l2 mode sizes the client rate limit by it), 1–10000; default 10. */
  loadBalancerServices?: number;
  /** KubePrism's port on every node (Helm `k8sServicePort`), 1–65535; default 7445. */
  kubePrismPort?: number;
}
