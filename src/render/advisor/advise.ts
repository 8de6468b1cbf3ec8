/**
 * The strategy advisor: from a few facts about a Talos cluster (platform, node counts, network,
 * API load, versions, what is installed) to the recommended control-plane endpoint and Service
 * load balancer, with the expected failover time of every candidate and its source, the reasons,
 * the traps that apply, and a starting stack file for the example program. Pure: no Pulumi
 * imports, no I/O.
 *
 * The rules follow the design notes' strategy comparison ("Differentiated
 * Strategies by Cluster Size"): homelab and SMB clusters on one segment take the Talos VIP and an
 * L2 Service load balancer; large, high-load or routed clusters move the API endpoint to an
 * external load balancer (Sidero Labs' guidance for high load) and announce Services with BGP;
 * with Cilium as the CNI its own BGP control plane replaces MetalLB (no second speaker on port
 * 179). AWS networks drop gratuitous ARP, so only the cloud's load balancers work there.
 */
import { stringify } from "yaml";
import { checkBoolean, checkInt, checkOneOf } from "../../core/checks";
import { InputError } from "../../core/errors";
import { L2_LEASE_DURATION_SECONDS, L2_LEASE_RENEW_DEADLINE_SECONDS } from "../cilium/types";
import { NLB_ENDPOINT_DEFAULTS } from "../nlb/limits";
import { parseTalosVersion } from "../talos/version";
import {
  ADVISOR_KUBE_PROXY_MODES,
  ADVISOR_PLATFORMS,
  API_LOADS,
  Candidate,
  ClusterFacts,
  ClusterSize,
  CNIS,
  EndpointStrategy,
  Failover,
  NormalizedFacts,
  ServiceStrategy,
  StrategyAdvice,
  Trap,
} from "./types";

const NOTES = "design notes (strategy comparison)";

/** Failover of each endpoint strategy, with its source. */
export const ENDPOINT_FAILOVER: Readonly<Record<EndpointStrategy, Failover>> = {
  "talos-vip": {
    summary:
      "near-instant on a graceful shutdown; up to about 1 minute when the holder crashes (Talos waits for the etcd election, to avoid split brain)",
    seconds: { min: 0, max: 60 },
    source: `${NOTES}, "The Mechanism of the Native Talos Virtual IP"; Talos docs "Virtual (shared) IP"`,
  },
  "kube-vip": {
    summary:
      "not measured by this project: after a crash, up to the Lease duration plus one retry period (≈ 17 s with KubeVipEndpoint's defaults, 15 s lease and 2 s retry), then gratuitous ARP (ARP mode) or a route change (BGP mode)",
    source: `${NOTES}, "Kube-vip"; KubeVipEndpoint lease defaults (src/render/kubevip/types.ts)`,
  },
  "haproxy-keepalived": {
    summary:
      "0.6 s when the MASTER host dies (lab median, range 0.5–0.6 s), 0.2 s when only HAProxy dies, 0 failed requests when a control plane dies",
    seconds: { min: 0.5, max: 0.6 },
    source: 'README "Bare metal", failover lab, default profile (tests/lab/RESULTS.md)',
  },
  nlb: {
    summary: `${NLB_ENDPOINT_DEFAULTS.healthCheckInterval * NLB_ENDPOINT_DEFAULTS.unhealthyThreshold}–${
      NLB_ENDPOINT_DEFAULTS.healthCheckInterval * NLB_ENDPOINT_DEFAULTS.unhealthyThreshold + NLB_ENDPOINT_DEFAULTS.healthCheckTimeout
    } s: health-check interval × unhealthy threshold (+ timeout)`,
    seconds: {
      min: NLB_ENDPOINT_DEFAULTS.healthCheckInterval * NLB_ENDPOINT_DEFAULTS.unhealthyThreshold,
      max: NLB_ENDPOINT_DEFAULTS.healthCheckInterval * NLB_ENDPOINT_DEFAULTS.unhealthyThreshold + NLB_ENDPOINT_DEFAULTS.healthCheckTimeout,
    },
    source: `src/render/nlb/limits.ts NLB_ENDPOINT_DEFAULTS (interval ${NLB_ENDPOINT_DEFAULTS.healthCheckInterval} s × unhealthy threshold ${NLB_ENDPOINT_DEFAULTS.unhealthyThreshold}, + timeout ${NLB_ENDPOINT_DEFAULTS.healthCheckTimeout} s)`,
  },
};

/** Failover of each Service load-balancer strategy, with its source. */
export const SERVICE_FAILOVER: Readonly<Record<ServiceStrategy, Failover>> = {
  "metallb-l2": {
    summary: "a new node answers ARP once MetalLB sees the old one gone; clients that ignore gratuitous ARP keep a stale cache for 30–60 s",
    seconds: { min: 0, max: 60 },
    source: `${NOTES}, "Implications of Layer 2 and ARP"`,
  },
  "cilium-l2": {
    summary: `${L2_LEASE_DURATION_SECONDS - L2_LEASE_RENEW_DEADLINE_SECONDS}–${L2_LEASE_DURATION_SECONDS + L2_LEASE_RENEW_DEADLINE_SECONDS} s with the default leases (duration ${L2_LEASE_DURATION_SECONDS} s, renew deadline ${L2_LEASE_RENEW_DEADLINE_SECONDS} s), plus stale ARP caches`,
    seconds: {
      min: L2_LEASE_DURATION_SECONDS - L2_LEASE_RENEW_DEADLINE_SECONDS,
      max: L2_LEASE_DURATION_SECONDS + L2_LEASE_RENEW_DEADLINE_SECONDS,
    },
    source: 'Cilium 1.18.11 Documentation/network/l2-announcements.rst, "Leader Election" and "Failover" (tools/refs/cilium-1.18)',
  },
  "metallb-bgp": {
    summary:
      "the route is withdrawn: sub-second with BFD (MetalLbServices bfdProfile), else after the negotiated BGP hold time (RFC 4271 suggests 90 s)",
    seconds: { min: 0, max: 90 },
    source: `${NOTES}, "Implications of Layer 3 and BGP"; README "LoadBalancer Services (MetalLbServices)"`,
  },
  "cilium-bgp": {
    summary:
      "the route is withdrawn after the hold time: 90 s by default, 9 s with the data-centre timers Cilium's docs suggest; no BFD in Cilium 1.16–1.18; graceful restart keeps routes through an agent restart",
    seconds: { min: 0, max: 90 },
    source: 'Cilium 1.18.11 bgp-control-plane-v2.rst, "Timers" and "Graceful Restart"; CiliumBGPPeerConfig CRDs 1.16–1.18 (no BFD field)',
  },
  cloud: {
    summary: `the cloud load balancer's health checks; an NLB with this package's defaults takes ${ENDPOINT_FAILOVER.nlb.seconds!.min}–${ENDPOINT_FAILOVER.nlb.seconds!.max} s`,
    seconds: ENDPOINT_FAILOVER.nlb.seconds,
    source: "src/render/nlb/limits.ts NLB_ENDPOINT_DEFAULTS",
  },
};

function minorOf(field: string, value: unknown): string {
  const m = typeof value === "string" ? /^v?1\.(\d+)(?:\.\d+)?$/.exec(value.trim()) : null;
  if (!m) throw new InputError(field, value, 'must be a version such as "1.33"');
  return `1.${Number(m[1])}`;
}

/** Checks the facts and applies defaults. @throws InputError naming the fact. */
export function normalizeFacts(facts: ClusterFacts): NormalizedFacts {
  const platform = checkOneOf("platform", facts.platform, ADVISOR_PLATFORMS);
  const controlPlanes = checkInt("controlPlanes", facts.controlPlanes, { min: 1, max: 99, what: "a node count, an integer" });
  const workers = checkInt("workers", facts.workers ?? 0, { min: 0, max: 100000, what: "a node count, an integer" });
  const talos = parseTalosVersion(facts.talosVersion ?? "1.12", "talosVersion");
  return {
    platform,
    controlPlanes,
    workers,
    bgp: checkBoolean("bgp", facts.bgp, false),
    sameL2: checkBoolean("sameL2", facts.sameL2, true),
    apiLoad: checkOneOf("apiLoad", facts.apiLoad ?? "low", API_LOADS),
    talosVersion: `1.${talos.minor}`,
    kubernetesVersion: minorOf("kubernetesVersion", facts.kubernetesVersion ?? "1.33"),
    cni: checkOneOf("cni", facts.cni ?? "flannel", CNIS),
    kubeProxy: checkOneOf("kubeProxy", facts.kubeProxy ?? "iptables", ADVISOR_KUBE_PROXY_MODES),
  };
}

/** The design notes' size classes by node count: ≤ 3 homelab, ≤ 20 SMB, ≤ 100 medium, above large. */
export function clusterSize(nodes: number): ClusterSize {
  if (nodes <= 3) return "homelab";
  if (nodes <= 20) return "smb";
  if (nodes <= 100) return "medium";
  return "large";
}

function endpointCandidates(f: NormalizedFacts): Candidate<EndpointStrategy>[] {
  const aws = f.platform === "aws";
  return [
    {
      strategy: "talos-vip",
      label: "Talos native VIP",
      viable: !aws && f.sameL2,
      why: aws
        ? "cloud networks drop gratuitous ARP, so a VIP never moves"
        : f.sameL2
          ? "no extra hosts; active-passive (one node takes all API traffic); held only while etcd is healthy"
          : "needs every control plane on one L2 segment",
      failover: ENDPOINT_FAILOVER["talos-vip"],
      component: "TalosVipEndpoint",
    },
    {
      strategy: "kube-vip",
      label: "kube-vip",
      viable: !aws && (f.sameL2 || f.bgp),
      why: aws
        ? "ARP does not work in a VPC and VPC routers take no BGP"
        : "active-active through IPVS (masquerade), but one more controller, applied as a Talos inline manifest once the API server is up, and its ARP-mode VIP follows a Lease, so it goes with etcd quorum (and a second BGP speaker beside a BGP Service load balancer)",
      failover: ENDPOINT_FAILOVER["kube-vip"],
      component: "KubeVipEndpoint",
    },
    {
      strategy: "haproxy-keepalived",
      label: "HAProxy + Keepalived",
      viable: !aws,
      why: aws
        ? "Keepalived's VIP moves by gratuitous ARP, which a VPC drops"
        : "two dedicated hosts (on one segment between them) balance across every healthy control plane; independent of etcd; measured sub-second failover",
      failover: ENDPOINT_FAILOVER["haproxy-keepalived"],
      component: "HaproxyKeepalivedEndpoint",
    },
    {
      strategy: "nlb",
      label: "AWS Network Load Balancer",
      viable: aws,
      why: aws ? "the managed L4 load balancer with health checks across zones" : "AWS only",
      failover: ENDPOINT_FAILOVER.nlb,
      component: "NlbEndpoint",
    },
  ];
}

function serviceCandidates(f: NormalizedFacts): Candidate<ServiceStrategy>[] {
  const aws = f.platform === "aws";
  const cilium = f.cni === "cilium";
  const onPremL2 = !aws && f.sameL2;
  const onPremBgp = !aws && f.bgp;
  const notCilium = `needs Cilium as the CNI (installed: ${f.cni})`;
  return [
    {
      strategy: "metallb-l2",
      label: "MetalLB L2",
      viable: onPremL2,
      why: aws
        ? "a VPC drops gratuitous ARP"
        : f.sameL2
          ? "works on any switch; one node per address carries its traffic (failover, not balancing)"
          : "needs the nodes and clients on one segment",
      failover: SERVICE_FAILOVER["metallb-l2"],
      component: "MetalLbServices",
    },
    {
      strategy: "metallb-bgp",
      label: "MetalLB BGP",
      viable: onPremBgp,
      why: !onPremBgp
        ? "needs BGP-capable routers next to the nodes"
        : "every node announces; the routers spread traffic with ECMP; BFD for sub-second withdrawal",
      failover: SERVICE_FAILOVER["metallb-bgp"],
      component: "MetalLbServices",
    },
    {
      strategy: "cilium-l2",
      label: "Cilium L2 announcements",
      viable: onPremL2 && cilium,
      why: !cilium
        ? notCilium
        : !onPremL2
          ? "needs the nodes and clients on one segment"
          : "no extra controller; needs kube-proxy replacement; one lease per Service (API load); IPv4 only",
      failover: SERVICE_FAILOVER["cilium-l2"],
      component: "CiliumServices",
    },
    {
      strategy: "cilium-bgp",
      label: "Cilium BGP control plane",
      viable: onPremBgp && cilium,
      why: !cilium
        ? notCilium
        : !onPremBgp
          ? "needs BGP-capable routers next to the nodes"
          : "the CNI's own BGP speaker: no second controller, no port-179 conflict; ECMP through the routers",
      failover: SERVICE_FAILOVER["cilium-bgp"],
      component: "CiliumServices",
    },
    {
      strategy: "cloud",
      label: "the cloud's load balancer",
      viable: aws,
      why: aws ? "Services of type LoadBalancer become cloud load balancers (AWS cloud provider / load balancer controller)" : "cloud only",
      failover: SERVICE_FAILOVER.cloud,
    },
  ];
}

/**
 * Recommends a control-plane endpoint and a Service load balancer for the facts.
 * @throws InputError naming the fact when one is malformed or out of range.
 */
export function adviseStrategy(input: ClusterFacts): StrategyAdvice {
  const f = normalizeFacts(input);
  const nodes = f.controlPlanes + f.workers;
  const size = clusterSize(nodes);
  const endpoints = endpointCandidates(f);
  const services = serviceCandidates(f);
  const reasons: string[] = [];

  let endpoint: EndpointStrategy;
  if (f.platform === "aws") {
    endpoint = "nlb";
    reasons.push(
      "AWS: VPC networks drop gratuitous ARP, so neither the Talos VIP nor Keepalived can move an address; the NLB health-checks every control plane",
    );
  } else if (!f.sameL2) {
    endpoint = "haproxy-keepalived";
    reasons.push(
      "the control planes are not on one L2 segment, so the Talos VIP cannot move between them; HAProxy reaches them routed, only its two hosts share a segment",
    );
  } else if (size === "large" || f.apiLoad === "high") {
    endpoint = "haproxy-keepalived";
    reasons.push(
      `${size === "large" ? `${nodes} nodes` : "high API load"}: the Talos VIP sends all API traffic to one node and waits up to a minute for etcd after a crash; Sidero Labs' guidance for high-load clusters is an external load balancer across every healthy control plane (measured failover 0.5 s here)`,
    );
  } else {
    endpoint = "talos-vip";
    reasons.push(
      `${size === "homelab" ? "homelab" : size === "smb" ? "SMB" : "medium"} cluster on one segment: the Talos VIP needs no extra hosts and is the design notes' recommendation for small and medium clusters`,
    );
    if (f.controlPlanes === 1)
      reasons.push("one control plane: the VIP brings no failover yet, but the endpoint stays the same when control planes are added");
  }

  const viable = (s: ServiceStrategy) => services.find((c) => c.strategy === s)!.viable;
  let service: ServiceStrategy;
  if (f.platform === "aws") {
    service = "cloud";
    reasons.push("AWS: Service addresses come from the cloud's load balancers; L2 announcements and BGP do not reach VPC routing");
  } else {
    const wantBgp = f.bgp && (!f.sameL2 || size === "medium" || size === "large");
    const prefix = f.cni === "cilium" ? "cilium" : "metallb";
    if (wantBgp || (!f.sameL2 && f.bgp)) {
      service = `${prefix}-bgp` as ServiceStrategy;
      reasons.push(
        !f.sameL2
          ? "routed network with BGP routers: Service addresses are announced as routes, not ARP"
          : `${nodes} nodes with BGP routers: the design notes call BGP imperative at scale (ECMP spreads traffic over every node; no L2 broadcast load)`,
      );
    } else if (f.sameL2) {
      service = `${prefix}-l2` as ServiceStrategy;
      reasons.push(
        f.bgp
          ? "BGP routers exist, but a cluster this size on one segment gains little from ECMP; L2 is simpler (BGP stays a viable candidate)"
          : "one segment and no BGP routers: L2 announcements are the only on-premises choice, and they work on any switch",
      );
    } else {
      service = "metallb-l2";
      reasons.push(
        "no BGP routers and no shared segment: nothing announces Service addresses across routed segments; MetalLB L2 can serve only the segment its announcing nodes sit on (restrict it with l2Advertisement.nodeSelectors)",
      );
    }
    if (f.cni === "cilium") {
      reasons.push(
        "Cilium is the CNI: its own LB IPAM and announcements replace MetalLB (one controller fewer; no second BGP speaker on port 179)",
      );
    }
    if (!viable(service) && service.startsWith("cilium") && f.cni !== "cilium")
      service = service.replace("cilium", "metallb") as ServiceStrategy;
  }

  const traps = trapsFor(f, endpoint, service);
  const stack = stackFor(f, size, endpoint, service);
  return {
    facts: f,
    size,
    endpoint: { recommended: endpoint, candidates: endpoints },
    services: { recommended: service, candidates: services },
    reasons,
    traps,
    stackYaml: stack.yaml,
    stackBuildable: stack.buildable,
    stackNote: stack.note,
  };
}

function trapsFor(f: NormalizedFacts, endpoint: EndpointStrategy, service: ServiceStrategy): Trap[] {
  const traps: Trap[] = [];
  const metallb = service.startsWith("metallb");
  if (f.controlPlanes % 2 === 0) {
    traps.push({
      id: "even-control-planes",
      detail: `${f.controlPlanes} control planes: etcd needs a majority, so ${f.controlPlanes} tolerate ${f.controlPlanes / 2 - 1} failure(s), no more than ${f.controlPlanes - 1}; use an odd count`,
      source: 'README "Using the components from Python, Go, C# and YAML" (TalosVipEndpoint warns); etcd quorum',
    });
  }
  if (f.workers === 0 && f.platform !== "aws") {
    traps.push({
      id: "single-node-exclude-label",
      detail: metallb
        ? "no workers: Talos labels control planes node.kubernetes.io/exclude-from-external-load-balancers and MetalLB then announces nothing; MetalLbServices with workerCount: 0 deletes the label and allows scheduling on control planes (fallback ignoreExcludeLB)"
        : "no workers: Services' pods must run on control planes (allowSchedulingOnControlPlanes, set by the Service component with workerCount: 0); Cilium does not read Talos's exclude-from-external-load-balancers label",
      source: `${NOTES}, "Small Clusters and Minecraft Environments"; README "LoadBalancer Services"`,
    });
  }
  if (metallb) {
    traps.push({
      id: "psa-baseline",
      detail:
        "Talos enforces Pod Security baseline, which rejects MetalLB's speaker (hostNetwork, NET_RAW); MetalLbServices labels metallb-system privileged",
      source: 'Talos docs "Pod Security"; README "LoadBalancer Services (MetalLbServices)"',
    });
  }
  if (f.kubeProxy === "ipvs" && service === "metallb-l2") {
    traps.push({
      id: "strict-arp-ipvs",
      detail:
        "kube-proxy in IPVS mode binds every LoadBalancer IP on every node: without strict ARP all nodes answer ARP; MetalLbServices with kubeProxyMode: ipvs sets ipvs-strict-arp",
      source: `MetalLB installation docs; ${NOTES}, "Asymmetric Routing Issues"`,
    });
  }
  if (service.endsWith("-bgp")) {
    traps.push({
      id: "bgp-churn-resilient-ecmp",
      detail:
        "adding or removing a node (every Talos upgrade) makes stateless ECMP rehash flows to other nodes and reset connections; use routers with resilient ECMP, or keep sessions behind an ingress layer",
      source: `${NOTES}, "Implications of Layer 3 and BGP"`,
    });
  }
  if (service.endsWith("-l2") || endpoint === "talos-vip" || endpoint === "haproxy-keepalived") {
    traps.push({
      id: "l2-stale-arp",
      detail:
        "an address moves by gratuitous ARP; clients and routers that ignore it keep a stale ARP cache and lose the address for 30–60 s",
      source: `${NOTES}, "Implications of Layer 2 and ARP"; README lab row e (client cut off 36.5 s)`,
    });
  }
  if (service === "cilium-l2" && f.kubeProxy !== "none") {
    traps.push({
      id: "cilium-l2-needs-kube-proxy-replacement",
      detail:
        "Cilium's L2 announcements require kube-proxy replacement: CiliumServices sets kubeProxyReplacement and cluster.proxy.disabled (kube-proxy is running now)",
      source: 'Cilium 1.18.11 l2-announcements.rst, "Prerequisites"',
    });
  }
  if (service === "cilium-l2") {
    traps.push({
      id: "cilium-l2-client-rate-limit",
      detail:
        "each Service holds a lease renewed every 5 s: the agent's client rate limit must grow with the Services (CiliumServices sizes k8sClientRateLimit from loadBalancerServices)",
      source: 'Cilium 1.18.11 l2-announcements.rst, "Sizing client rate limit"',
    });
  }
  if (service === "cilium-bgp") {
    traps.push({
      id: "cilium-bgp-explicit-selector",
      detail:
        "a CiliumBGPAdvertisement without a selector advertises no Service, and since Cilium 1.19 an empty one neither; CiliumServices always renders an explicit selector",
      source: "CiliumBGPAdvertisement CRD 1.16–1.18 (selector description); cilium/cilium#33537; issue #14",
    });
  }
  if (f.cni === "calico" && service === "metallb-bgp") {
    traps.push({
      id: "bgp-port-179",
      detail: "Calico's BGP and MetalLB's BGP both want TCP 179 towards the same routers; peer through Calico or give MetalLB other peers",
      source: `${NOTES}, "Conflicts between Kube-vip and MetalLB"`,
    });
  }
  if (endpoint === "talos-vip") {
    traps.push({
      id: "talosconfig-not-vip",
      detail:
        "never put the VIP into the talosconfig: it is held only while etcd is healthy, exactly when talosctl is needed; the components publish talosApiEndpoints (the physical addresses)",
      source: `${NOTES}, "Configuring the Native VIP"; Talos docs "Virtual (shared) IP"`,
    });
  }
  const k8sMinor = Number(f.kubernetesVersion.split(".")[1]);
  if (k8sMinor < 24) {
    traps.push({
      id: "load-balancer-class",
      detail: `Kubernetes ${f.kubernetesVersion} has no spec.loadBalancerClass (1.24+): two Service load balancers cannot be kept apart`,
      source: `${NOTES}, "Conflicts between Kube-vip and MetalLB"`,
    });
  }
  return traps;
}

const PLATFORM_OF_STACK: Record<NormalizedFacts["platform"], string> = { aws: "aws", proxmox: "proxmox", "bare-metal": "baremetal" };

/** A starting stack file for `examples/stack/program.ts`, with placeholder addresses (192.168.30.0/24 nodes, 192.168.40.0/24 Services). */
function stackFor(
  f: NormalizedFacts,
  size: ClusterSize,
  endpoint: EndpointStrategy,
  service: ServiceStrategy,
): { yaml: string; buildable: boolean; note: string } {
  const ns = "talos-endpoints";
  const config: Record<string, unknown> = {};
  const set = (k: string, v: unknown) => (config[`${ns}:${k}`] = v);
  const platform = PLATFORM_OF_STACK[f.platform];
  const cps = Array.from({ length: f.controlPlanes }, (_, i) => ({
    name: `cp-${String(i + 1).padStart(2, "0")}`,
    address: `192.168.30.${31 + i}/24`,
    ...(f.platform === "aws" ? { instanceId: `i-0${String(i + 1).padStart(16, "0")}` } : {}),
  }));
  if (f.platform === "aws") cps.forEach((c, i) => (c.address = `10.0.1.${10 + i}/24`));
  set("platform", platform);
  set("talosVersion", f.talosVersion);
  set("controlPlanes", cps);
  set("applyMode", "no-reboot");
  let buildable = true;
  const notes: string[] = [
    "Replace the placeholder addresses, names and IDs before `pulumi up`; `npm run synth -- --stack <name>` renders it offline.",
  ];
  if (f.platform === "aws") {
    set("aws", {
      environment: "prod",
      vpcId: "vpc-0123456789abcdef0",
      vpcCidr: "10.0.0.0/16",
      subnetIds: ["subnet-0123456789abcdef0"],
      instanceSecurityGroupId: "sg-0123456789abcdef0",
      internal: true,
    });
  } else if (endpoint === "haproxy-keepalived") {
    if (f.platform === "proxmox") {
      notes.push(
        "The example program builds HAProxy + Keepalived only with platform baremetal; this file uses it (the load-balancer hosts may be Proxmox VMs you create yourself).",
      );
      set("platform", "baremetal");
    }
    set("loadBalancer", {
      mode: "ha-pair",
      vip: "192.168.30.30/24",
      vrrpInterface: "eth0",
      virtualRouterId: 51,
      tuningProfile: "default",
      hosts: [
        { name: "lb-01", address: "192.168.30.21/24", priority: 250 },
        { name: "lb-02", address: "192.168.30.22/24", priority: 240 },
      ],
    });
  } else if (f.platform === "proxmox") {
    set("vip", "192.168.30.30");
    set("link", "ens18");
    set("gateway", "192.168.30.1");
    set("proxmox", {
      endpoint: "https://pve.example.internal:8006/",
      nodeName: "pve",
      templateVmId: 9000,
      datastoreId: "local-lvm",
      bridge: "vmbr0",
    });
  } else {
    buildable = false;
    notes.push(
      'The example program\'s baremetal platform always builds HAProxy + Keepalived (loadBalancer); for the Talos VIP on bare metal use TalosVipEndpoint and TalosConfigPush from your own program (README, "Using the components from another Pulumi program"). The keys below show the inputs.',
    );
    set("vip", "192.168.30.30");
    set("link", "eth0");
  }
  const bgp = service.endsWith("-bgp");
  if (service.startsWith("metallb")) {
    set("metallb", {
      mode: bgp ? "bgp" : "l2",
      delivery: "talos-inline",
      workerCount: f.workers,
      ...(f.kubeProxy === "ipvs" ? { kubeProxyMode: "ipvs" } : {}),
      pools: bgp
        ? [
            { name: "ingress", addresses: ["192.168.40.10/32"], autoAssign: false },
            { name: "services", addresses: ["192.168.40.32/27"], avoidBuggyIPs: true },
          ]
        : [
            { name: "ingress", addresses: ["192.168.30.200/32"], autoAssign: false },
            { name: "services", addresses: ["192.168.30.201-192.168.30.220"] },
          ],
      ingressAddress: bgp ? "192.168.40.10" : "192.168.30.200",
      ...(bgp ? { bgpPeers: [{ name: "tor-1", myASN: 64513, peerASN: 64512, peerAddress: "192.168.30.1" }] } : {}),
    });
  } else if (service.startsWith("cilium")) {
    const ingressSelector = { matchLabels: { "app.kubernetes.io/name": "ingress-nginx" } };
    set("cilium", {
      mode: bgp ? "bgp" : "l2",
      delivery: "talos-inline",
      workerCount: f.workers,
      pools: bgp
        ? [
            { name: "ingress", blocks: ["192.168.40.10/32"], serviceSelector: ingressSelector },
            { name: "services", blocks: ["192.168.40.32/27"] },
          ]
        : [
            { name: "ingress", blocks: ["192.168.30.200/32"], serviceSelector: ingressSelector },
            { name: "services", blocks: ["192.168.30.201-192.168.30.220"] },
          ],
      ingressAddress: bgp ? "192.168.40.10" : "192.168.30.200",
      ...(bgp
        ? {
            bgp: {
              localASN: 64513,
              peers: [
                {
                  name: "tor-1",
                  peerAddress: "192.168.30.1",
                  peerASN: 64512,
                  timers: { holdTimeSeconds: 9, keepAliveTimeSeconds: 3, connectRetryTimeSeconds: 5 },
                },
              ],
            },
          }
        : {}),
      ...(size === "homelab" || size === "smb" ? {} : { loadBalancerServices: 50 }),
    });
  }
  const secrets = ["talosconfig"];
  if (platform === "proxmox" && endpoint !== "haproxy-keepalived") secrets.push("proxmoxApiToken");
  if (endpoint === "haproxy-keepalived") secrets.push("lbSshPrivateKey");
  const header = [
    `Starting stack from \`npm run advise\`: ${f.platform}, ${f.controlPlanes} control plane(s), ${f.workers} worker(s), ${size}.`,
    `Endpoint: ${endpoint}; Services: ${service}.`,
    ...notes,
    "Secrets (not in this file):",
    ...secrets.map((s) => `  pulumi config set --secret ${ns}:${s} -- '...'`),
  ];
  const yaml = `${header.map((l) => `# ${l}`).join("\n")}\n${stringify({ config }, { lineWidth: 0 })}`;
  return { yaml, buildable, note: notes.join(" ") };
}
