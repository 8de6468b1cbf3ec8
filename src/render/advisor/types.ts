/**
 * The strategy advisor's inputs and answer. Pure: no Pulumi imports.
 */

/** Where the cluster runs. */
export const ADVISOR_PLATFORMS = ["aws", "proxmox", "bare-metal"] as const;
/** One of {@link ADVISOR_PLATFORMS}. */
export type AdvisorPlatform = (typeof ADVISOR_PLATFORMS)[number];

/** Expected load on the Kubernetes API (e.g. `high` for large CI/CD fleets or many controllers). */
export const API_LOADS = ["low", "medium", "high"] as const;
/** One of {@link API_LOADS}. */
export type ApiLoad = (typeof API_LOADS)[number];

/** The CNI installed (or planned): Talos's default is Flannel. */
export const CNIS = ["flannel", "cilium", "calico", "other"] as const;
/** One of {@link CNIS}. */
export type Cni = (typeof CNIS)[number];

/** kube-proxy's mode, or `none` when the CNI replaces kube-proxy (Cilium kube-proxy replacement). */
export const ADVISOR_KUBE_PROXY_MODES = ["iptables", "ipvs", "nftables", "none"] as const;
/** One of {@link ADVISOR_KUBE_PROXY_MODES}. */
export type AdvisorKubeProxyMode = (typeof ADVISOR_KUBE_PROXY_MODES)[number];

/** What the advisor is told about the cluster. */
export interface ClusterFacts {
  /** `aws`, `proxmox` or `bare-metal`. */
  platform: AdvisorPlatform | string;
  /** Control-plane nodes, an integer ≥ 1. */
  controlPlanes: number;
  /** Worker nodes, an integer ≥ 0; default 0. */
  workers?: number;
  /** The routers next to the nodes speak BGP; default false. */
  bgp?: boolean;
  /** All nodes (and the load-balancer hosts) share one Layer 2 segment; default true. */
  sameL2?: boolean;
  /** Expected Kubernetes API load; default `low`. */
  apiLoad?: ApiLoad | string;
  /** Talos version (`1.12`), 1.9–1.13; default `1.12`. */
  talosVersion?: string;
  /** Kubernetes version (`1.33`); default `1.33`. */
  kubernetesVersion?: string;
  /** The CNI; default `flannel` (Talos's default). */
  cni?: Cni | string;
  /** kube-proxy's mode; default `iptables` (Talos's default); `none` when the CNI replaces it. */
  kubeProxy?: AdvisorKubeProxyMode | string;
}

/** The facts with defaults applied and checked. */
export interface NormalizedFacts {
  platform: AdvisorPlatform;
  controlPlanes: number;
  workers: number;
  bgp: boolean;
  sameL2: boolean;
  apiLoad: ApiLoad;
  /** `1.<minor>`. */
  talosVersion: string;
  /** `1.<minor>`. */
  kubernetesVersion: string;
  cni: Cni;
  kubeProxy: AdvisorKubeProxyMode;
}

/** The design notes' cluster sizes: `homelab` (≤ 3 nodes), `smb` (4–20), `medium` (21–100), `large` (> 100). */
export type ClusterSize = "homelab" | "smb" | "medium" | "large";

/** Control-plane endpoint strategies. */
export type EndpointStrategy = "talos-vip" | "kube-vip" | "haproxy-keepalived" | "nlb";
/** Service load-balancer strategies. */
export type ServiceStrategy = "metallb-l2" | "metallb-bgp" | "cilium-l2" | "cilium-bgp" | "cloud";

/** How long clients lose the service when the active node fails, and where the figure comes from. */
export interface Failover {
  /** A short statement, e.g. `0.5 s (lab median, range 0.5–0.6 s)`. */
  summary: string;
  /** Bounds in seconds where a figure exists (`max` undefined: unbounded or unknown). */
  seconds?: { min: number; max?: number };
  /** The source of the figure (design notes, the project's lab, a constant of this package, upstream docs). */
  source: string;
}

/** One candidate with whether it fits these facts. */
export interface Candidate<S extends string> {
  strategy: S;
  /** A human name (`HAProxy + Keepalived`). */
  label: string;
  /** Whether it can work with these facts at all. */
  viable: boolean;
  /** Why (not) and what it costs. */
  why: string;
  failover: Failover;
  /** The component of this package that builds it, if any. */
  component?: string;
}

/** A trap that applies to the recommendation, with what to do. */
export interface Trap {
  /** Stable id, e.g. `even-control-planes`. */
  id: string;
  /** What goes wrong and what to do (and whether a component of this package handles it). */
  detail: string;
  /** Where the fact comes from. */
  source: string;
}

/** The advisor's answer. */
export interface StrategyAdvice {
  facts: NormalizedFacts;
  size: ClusterSize;
  /** The recommended control-plane endpoint, and every candidate. */
  endpoint: { recommended: EndpointStrategy; candidates: Candidate<EndpointStrategy>[] };
  /** The recommended Service load balancer, and every candidate. */
  services: { recommended: ServiceStrategy; candidates: Candidate<ServiceStrategy>[] };
  /** Why these two, in order. */
  reasons: string[];
  /** The traps that apply. */
  traps: Trap[];
  /** A starting `examples/Pulumi.<stack>.yaml` (placeholder addresses) for the example program. */
  stackYaml: string;
  /** False when the example program cannot build the recommendation as is (see `stackNote`). */
  stackBuildable: boolean;
  /** Why the stack file is only a start, or what to replace. */
  stackNote: string;
}
