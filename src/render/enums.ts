/**
 * The enumerated inputs of the components, in the form Pulumi's component analyzer serves to
 * other languages as enums: an `as const` object and a type of the same name (declared in this
 * order), e.g. `LoadBalancerMode.HaPair === "ha-pair"`. A TypeScript program may pass either the
 * member or the string. Each object's values equal the list the renderers check against
 * (`tests/multiLanguage.test.ts` asserts it).
 */

/** How `HaproxyKeepalivedEndpoint` builds the endpoint (design notes, bare metal options 1–3). */
export const LoadBalancerMode = {
  /** HAProxy on two or more hosts, Keepalived (VRRP) moving a floating VIP between them. */
  HaPair: "ha-pair",
  /** One HAProxy host: no failover of the load balancer itself. */
  SingleHaproxy: "single-haproxy",
  /** One DNS name with an A/AAAA record per control plane: no health checking. */
  DnsRoundRobin: "dns-round-robin",
} as const;
/** How `HaproxyKeepalivedEndpoint` builds the endpoint. */
export type LoadBalancerMode = (typeof LoadBalancerMode)[keyof typeof LoadBalancerMode];

/** The HAProxy + Keepalived timing profile the `tuning` overrides start from. */
export const TuningProfile = {
  /**
   * The default timings: a dead MASTER load balancer replaced within 1 s, a dead HAProxy within
   * 1 s, a gracefully stopped Keepalived within 0.3 s (measured in the project's lab, README "Bare
   * metal"); tolerates Keepalived stalls below 0.6 s.
   */
  Default: "default",
  /** Shorter VRRPv3 adverts and checks: faster failover, but a Keepalived stall of 0.3 s already moves the VIP. */
  Fast: "fast",
} as const;
/** The HAProxy + Keepalived timing profile. */
export type TuningProfile = (typeof TuningProfile)[keyof typeof TuningProfile];

/** VRRP protocol version (Keepalived `vrrp_version`). */
export const VrrpVersion = {
  /** VRRPv2 (RFC 3768): whole-second adverts, optional `auth_pass`. */
  V2: 2,
  /** VRRPv3 (RFC 5798): adverts down to 10 ms, no authentication. */
  V3: 3,
} as const;
/** VRRP protocol version. */
export type VrrpVersion = (typeof VrrpVersion)[keyof typeof VrrpVersion];

/** HAProxy `balance` algorithm of the backends. */
export const BalanceAlgorithm = {
  /** Each node in turn. */
  RoundRobin: "roundrobin",
  /** The node with the fewest connections (long-lived watches spread better). */
  LeastConn: "leastconn",
} as const;
/** HAProxy `balance` algorithm. */
export type BalanceAlgorithm = (typeof BalanceAlgorithm)[keyof typeof BalanceAlgorithm];

/** `talosctl apply-config` / `patch` `--mode` (Talos `machine.ApplyConfigurationRequest_Mode`). */
export const ApplyMode = {
  /** Talos decides: live when possible, else a reboot. */
  Auto: "auto",
  /** Apply live; fail instead of rebooting when a change needs a reboot. */
  NoReboot: "no-reboot",
  /** Apply and reboot. */
  Reboot: "reboot",
  /** Store the config; apply it at the next reboot. */
  Staged: "staged",
  /** Apply live and roll back after the try timeout unless confirmed. */
  Try: "try",
} as const;
/** `talosctl` apply mode. */
export type ApplyMode = (typeof ApplyMode)[keyof typeof ApplyMode];

/** How the VIP's link gets its address on Talos < 1.12 (`TalosConfigPush.linkAddressing`). */
export const LinkAddressing = {
  /** Talos's default DHCP: the push adds `dhcp: true` beside the VIP while the node's own entry for the link sets no addressing. */
  Dhcp: "dhcp",
  /** Static (platform network config, kernel `ip=`, or the node's own entry): the push adds no DHCP. */
  Static: "static",
} as const;
/** How the VIP's link gets its address on Talos < 1.12. */
export type LinkAddressing = (typeof LinkAddressing)[keyof typeof LinkAddressing];

/** How MetalLB announces Service addresses. */
export const MetalLbMode = {
  /** Layer 2 (ARP/NDP) from one node per address: one segment, small clusters. */
  L2: "l2",
  /** BGP to routers (ECMP across nodes): routed networks, large clusters. */
  Bgp: "bgp",
} as const;
/** How MetalLB announces Service addresses. */
export type MetalLbMode = (typeof MetalLbMode)[keyof typeof MetalLbMode];

/** How MetalLB reaches the cluster. */
export const MetalLbDelivery = {
  /** In the Talos machine config (`cluster.inlineManifests`), applied by Talos at bootstrap. */
  TalosInline: "talos-inline",
  /** Helm chart and custom resources through a Kubernetes provider built from a kubeconfig. */
  Kubernetes: "kubernetes",
} as const;
/** How MetalLB reaches the cluster. */
export type MetalLbDelivery = (typeof MetalLbDelivery)[keyof typeof MetalLbDelivery];

/** kube-proxy's mode in the cluster (decides whether strict ARP is needed). */
export const KubeProxyMode = {
  /** kube-proxy with iptables rules (Kubernetes' default). */
  Iptables: "iptables",
  /** kube-proxy in IPVS mode: Layer 2 announcers need strict ARP (`ipvs-strict-arp`). */
  Ipvs: "ipvs",
  /** kube-proxy with nftables rules (Kubernetes ≥ 1.31). */
  Nftables: "nftables",
} as const;
/** kube-proxy's mode. */
export type KubeProxyMode = (typeof KubeProxyMode)[keyof typeof KubeProxyMode];

/** DNS record type of a control-plane address (`dns-round-robin`). */
export const DnsRecordType = {
  /** IPv4 address record. */
  A: "A",
  /** IPv6 address record. */
  AAAA: "AAAA",
} as const;
/** DNS record type. */
export type DnsRecordType = (typeof DnsRecordType)[keyof typeof DnsRecordType];

/** Operator of a Kubernetes label selector requirement (`metav1.LabelSelectorOperator`). */
export const LabelSelectorOperator = {
  /** The label's value is one of `values`. */
  In: "In",
  /** The label is missing or its value is none of `values`. */
  NotIn: "NotIn",
  /** The label is set (no `values`). */
  Exists: "Exists",
  /** The label is not set (no `values`). */
  DoesNotExist: "DoesNotExist",
} as const;
/** Operator of a label selector requirement. */
export type LabelSelectorOperator = (typeof LabelSelectorOperator)[keyof typeof LabelSelectorOperator];

/** How Cilium announces LoadBalancer Service addresses (`CiliumServices.mode`). */
export const CiliumMode = {
  /** L2 announcements (ARP from the node holding each Service's lease): one segment, small clusters. */
  L2: "l2",
  /** BGP control plane v2 (routes to routers, ECMP across nodes): routed networks, large clusters. */
  Bgp: "bgp",
} as const;
/** How Cilium announces LoadBalancer Service addresses. */
export type CiliumMode = (typeof CiliumMode)[keyof typeof CiliumMode];

/** How `CiliumServices` delivers its custom resources. */
export const CiliumDelivery = {
  /** In the Talos machine config (`cluster.inlineManifests`); Cilium itself is installed by the user's Helm step with the rendered values. */
  TalosInline: "talos-inline",
  /** The Helm chart `cilium` and the custom resources through a Kubernetes provider built from a kubeconfig. */
  Kubernetes: "kubernetes",
} as const;
/** How `CiliumServices` delivers its custom resources. */
export type CiliumDelivery = (typeof CiliumDelivery)[keyof typeof CiliumDelivery];

/** How `KubeVipEndpoint` announces the control-plane VIP (kube-vip `vip_arp` / `bgp_enable`). */
export const KubeVipMode = {
  /**
   * ARP: the control plane holding a Kubernetes Lease answers ARP for the VIP (gratuitous ARP on
   * takeover). One segment; failover waits for the lease to expire.
   */
  Arp: "arp",
  /** BGP: every control plane announces the VIP as a /32 (/128) route to the peers; the routers spread traffic with ECMP. */
  Bgp: "bgp",
} as const;
/** How `KubeVipEndpoint` announces the control-plane VIP. */
export type KubeVipMode = (typeof KubeVipMode)[keyof typeof KubeVipMode];

/** IPVS forwarding method of kube-vip's control-plane load balancer (`lb_fwdmethod`; kube-vip v1.0.0 `pkg/loadbalancer/ipvs.go`). */
export const KubeVipForwardingMethod = {
  /**
   * IPVS "local" (LOCALNODE; kube-vip's own default): the kernel hands every connection to the VIP
   * holder's own kube-apiserver, so nothing is spread over the other control planes (kube-vip
   * v1.0.0 `pkg/loadbalancer/ipvs.go` even gives up the lease when its local backend fails).
   */
  Local: "local",
  /**
   * NAT (masquerade; this package's default): the holder forwards connections to every healthy
   * control plane and the replies return through it; kube-vip's own manifests then run the
   * container privileged, and so does this package.
   */
  Masquerade: "masquerade",
  /** IP-in-IP tunnelling to the backends. */
  Tunnel: "tunnel",
  /** Direct routing (backends on the same L2 segment answer clients directly). */
  DirectRoute: "directroute",
  /** IPVS bypass. */
  Bypass: "bypass",
} as const;
/** IPVS forwarding method of kube-vip's control-plane load balancer. */
export type KubeVipForwardingMethod = (typeof KubeVipForwardingMethod)[keyof typeof KubeVipForwardingMethod];

/** Where `TalosConfigPush` gets each node's machine config from. */
export const ConfigSource = {
  /**
   * Patch each configured control plane's current config with `talosctl patch machineconfig`
   * (existing clusters; needs a talosconfig the nodes trust). The default.
   */
  Patch: "patch",
  /**
   * Generate every node's whole config with `talosctl gen config` from a secrets bundle and
   * patches, apply it (`--insecure` in maintenance mode), bootstrap once (new clusters).
   */
  Generated: "generated",
} as const;
/** Where `TalosConfigPush` gets each node's machine config from. */
export type ConfigSource = (typeof ConfigSource)[keyof typeof ConfigSource];
