/**
 * kube-vip constants and the plain (resolved) input shape of the kube-vip renderers. Pure: no
 * Pulumi imports.
 *
 * Sources:
 * - kube-vip v1.0.0, the newest release the Go module proxy serves (`tools/refs/kube-vip`; v1.0.1
 *   and later answer 403, docs/blocked.md), read from the Go module cache:
 *   - `pkg/kubevip/config_envvar.go`: the environment variable names (the tests check every name
 *     rendered here against that file's string constants);
 *   - `pkg/kubevip/config_environment.go`: how they are parsed (lease timings in whole seconds,
 *     `lb_class_only` and `lb_class_name` read only when `svc_enable` is set, `bgp_peers` as
 *     `<address>:<AS>[:<password>[:<multihop>[:<port>]]]`, comma-separated, IPv6 in brackets,
 *     `pkg/bgp/peers.go`);
 *   - `pkg/kubevip/config_generator.go`: the RBAC rules (`GenerateRole`), the names
 *     (`kube-vip`, `system:kube-vip-role`, `system:kube-vip-binding`, `kube-vip-ds`), the
 *     capabilities (`NET_ADMIN`, `NET_RAW`, all others dropped; privileged with masquerade);
 *   - `cmd/kube-vip.go`: kube-vip's own defaults (lease 5 s / renew 3 s / retry 1 s, `lb_port`
 *     6443, `lb_fwdmethod` `local`, class `kube-vip.io/kube-vip-class`, lease `plndr-cp-lock`,
 *     interface auto-detected from the default route);
 *   - `pkg/manager/manager.go`: without `/etc/kubernetes/admin.conf` and `$HOME/.kube/config`
 *     kube-vip uses the in-cluster config (its ServiceAccount), which client-go's
 *     `rest.InClusterConfig` builds from `KUBERNETES_SERVICE_HOST` / `KUBERNETES_SERVICE_PORT`
 *     (k8s.io/client-go v0.33.3, the client kube-vip v1.0.0 is built with).
 * - Talos (pkg/machinery v1.13.9): `config/generate/init.go` enforces Pod Security `baseline`
 *   with `kube-system` exempt; `constants.DefaultKubePrismPort` = 7445; no `admin.conf` on the
 *   nodes (Talos writes no kubeadm files).
 */

/** The image deployed by default: kube-vip v1.2.3, the first release with the fix for kube-vip#1658 (v1.2.2 dialled the VIP it was about to create to win its lease). */
export const DEFAULT_KUBE_VIP_IMAGE = "ghcr.io/kube-vip/kube-vip:v1.2.3";
/** The kube-vip release whose source the rendered variable names are checked against (`tools/refs/kube-vip`). */
export const KUBE_VIP_REFERENCE_VERSION = "v1.0.0";

/** How the VIP is announced: `arp` (leader election, gratuitous ARP) or `bgp` (every control plane announces). */
export const KUBE_VIP_MODES = ["arp", "bgp"] as const;
/** One of {@link KUBE_VIP_MODES}. */
export type KubeVipModeValue = (typeof KUBE_VIP_MODES)[number];

/** IPVS forwarding methods kube-vip v1.0.0 knows (`pkg/loadbalancer/ipvs.go`); others fall back to `local` with a warning there. */
export const KUBE_VIP_FORWARDING_METHODS = ["local", "masquerade", "tunnel", "directroute", "bypass"] as const;
/** One of {@link KUBE_VIP_FORWARDING_METHODS}. */
export type KubeVipForwardingMethodValue = (typeof KUBE_VIP_FORWARDING_METHODS)[number];

/** Namespace kube-vip runs in: `kube-system`, the namespace Talos exempts from Pod Security `baseline` (hostNetwork, NET_ADMIN). */
export const KUBE_VIP_NAMESPACE = "kube-system";
/** ServiceAccount name (kube-vip's generator). */
export const KUBE_VIP_SERVICE_ACCOUNT = "kube-vip";
/** ClusterRole name (kube-vip's generator). */
export const KUBE_VIP_CLUSTER_ROLE = "system:kube-vip-role";
/** ClusterRoleBinding name (kube-vip's generator). */
export const KUBE_VIP_CLUSTER_ROLE_BINDING = "system:kube-vip-binding";
/** DaemonSet name (kube-vip's generator). */
export const KUBE_VIP_DAEMONSET = "kube-vip-ds";
/** Secret holding `bgp_peers` when a peer has a password. */
export const KUBE_VIP_BGP_SECRET = "kube-vip-bgp";
/** Name of the `cluster.inlineManifests` entry. */
export const KUBE_VIP_INLINE_MANIFEST_NAME = "kube-vip";
/** kube-vip's default Service class (`lb_class_name`, cmd/kube-vip.go v1.0.0). */
export const DEFAULT_KUBE_VIP_CLASS = "kube-vip.io/kube-vip-class";
/** The control-plane lease kube-vip takes in ARP mode (kube-vip's default `vip_leasename`). */
export const KUBE_VIP_LEASE_NAME = "plndr-cp-lock";
/** The Talos label of control-plane nodes. */
export const CONTROL_PLANE_LABEL = "node-role.kubernetes.io/control-plane";

/**
 * Default lease timings, seconds: the Kubernetes components' leader-election defaults (15 / 10 / 2,
 * as kube-controller-manager's `--leader-elect-*`), not kube-vip's tighter 5 / 3 / 1, because
 * kube-vip here renews through KubePrism and an API server under load: a 3 s renew deadline makes
 * the VIP move on a slow renewal. A crashed holder is replaced after at most the lease duration
 * plus one retry period (about 17 s), then gratuitous ARP.
 */
export const DEFAULT_LEASE_DURATION_SECONDS = 15;
/** See {@link DEFAULT_LEASE_DURATION_SECONDS}. */
export const DEFAULT_RENEW_DEADLINE_SECONDS = 10;
/** See {@link DEFAULT_LEASE_DURATION_SECONDS}. */
export const DEFAULT_RETRY_PERIOD_SECONDS = 2;

/**
 * The ClusterRole rules of kube-vip's generator (`GenerateRole`, pkg/kubevip/config_generator.go
 * v1.0.0): Service status, Services and Endpoints, Nodes (labelling), Leases (election),
 * EndpointSlices, Pods (list).
 */
export const KUBE_VIP_RBAC_RULES: readonly { apiGroups: string[]; resources: string[]; verbs: string[] }[] = [
  { apiGroups: [""], resources: ["services/status"], verbs: ["update"] },
  { apiGroups: [""], resources: ["services", "endpoints"], verbs: ["list", "get", "watch", "update"] },
  { apiGroups: [""], resources: ["nodes"], verbs: ["list", "get", "watch", "update", "patch"] },
  { apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["list", "get", "watch", "update", "create"] },
  { apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: ["list", "get", "watch", "update"] },
  { apiGroups: [""], resources: ["pods"], verbs: ["list"] },
];

/** One BGP peer. */
export interface KubeVipBgpPeerSpec {
  /** The router's address (plain IPv4 or IPv6). */
  address: string;
  /** The router's AS number, 1–4294967295. */
  asn: number;
  /** TCP port, 1–65535; kube-vip's default 179. */
  port?: number;
  /** eBGP multihop; default false. */
  multihop?: boolean;
  /** The peer has a TCP MD5 password (the value itself is passed apart, see `renderKubeVipBgpSecret`). */
  hasPassword?: boolean;
}

/** BGP settings (mode `bgp`). */
export interface KubeVipBgpSpec {
  /** The control planes' AS number (`bgp_as`), 1–4294967295. */
  localASN: number;
  /** Router ID (`bgp_routerid`, IPv4). Default: each node's own address (`status.hostIP`); only with one control plane. */
  routerId?: string;
  /** At least one peer. */
  peers: KubeVipBgpPeerSpec[];
}

/** kube-vip's IPVS control-plane load balancer. */
export interface KubeVipLoadBalancerSpec {
  /** `lb_enable`; default false. */
  enabled?: boolean;
  /** `lb_port`, the IPVS virtual service's port on the VIP, 1–65535; default 6443. */
  port?: number;
  /** `lb_fwdmethod`, one of {@link KUBE_VIP_FORWARDING_METHODS}; default `local`. */
  forwardingMethod?: string;
}

/** kube-vip for Services of type LoadBalancer. */
export interface KubeVipServicesSpec {
  /** `svc_enable`; default false. */
  enabled?: boolean;
  /** `lb_class_only`: take only Services whose `spec.loadBalancerClass` is `className`; default false. */
  classOnly?: boolean;
  /** `lb_class_name`; default `kube-vip.io/kube-vip-class`. */
  className?: string;
}

/** Everything the kube-vip renderers take, as resolved plain values. */
export interface KubeVipSpec {
  /** Target Talos version, 1.9–1.13. */
  talosVersion: string;
  /** The control planes (name, address with prefix): kube-vip runs on each. */
  controlPlanes: { name: string; address: string }[];
  /** The control-plane VIP (plain IP). In `arp` mode inside the nodes' subnet. */
  vip: string;
  /** `arp` or `bgp`. */
  mode: string;
  /** `vip_interface`; default: kube-vip picks the interface of the default route. */
  interface?: string;
  /** Container image; default {@link DEFAULT_KUBE_VIP_IMAGE}. */
  image?: string;
  /** `vip_leaseduration`, seconds, 1–3600; default 15. */
  leaseDurationSeconds?: number;
  /** `vip_renewdeadline`, seconds, below the lease duration; default 10. */
  renewDeadlineSeconds?: number;
  /** `vip_retryperiod`, seconds, below the renew deadline; default 2. */
  retryPeriodSeconds?: number;
  /** Required in `bgp` mode, refused in `arp` mode. */
  bgp?: KubeVipBgpSpec;
  /** The IPVS control-plane load balancer. */
  loadBalancer?: KubeVipLoadBalancerSpec;
  /** Services of type LoadBalancer. */
  services?: KubeVipServicesSpec;
  /** KubePrism's port, 1–65535; default 7445. */
  kubePrismPort?: number;
  /** kube-proxy's mode: `iptables` (default), `ipvs` or `nftables`. */
  kubeProxyMode?: string;
  /** Service address blocks of other controllers (e.g. MetalLB pools) the VIP must stay out of. */
  servicePools?: string[];
}
