/**
 * The stack program. `index.ts` (pulumi up), `npm run synth` (under mocks) and the Automation
 * API (`automation.ts`) all call {@link stackProgram}.
 */
import * as pulumi from "@pulumi/pulumi";
import { CiliumServices } from "../../src/components/CiliumServices";
import { ControlPlaneEndpoint } from "../../src/components/contract";
import { HaproxyKeepalivedEndpoint, HaproxyKeepalivedEndpointArgs, plannedFilePaths } from "../../src/components/HaproxyKeepalivedEndpoint";
import { KubeVipEndpoint } from "../../src/components/KubeVipEndpoint";
import { MetalLbServices } from "../../src/components/MetalLbServices";
import { NlbEndpoint } from "../../src/components/NlbEndpoint";
import { TalosVipEndpoint } from "../../src/components/TalosVipEndpoint";
import { parseAddressBlock, parseInterfaceAddress, tryParseIp } from "../../src/core/net";
import { InputError } from "../../src/core/errors";
import { BGP_LOAD_BALANCER_CLASS, L2_LOAD_BALANCER_CLASS } from "../../src/render/cilium/types";
import { checkLoadBalancerConflicts, GuardBgpSpeaker, GuardEndpoint, GuardServiceLoadBalancer, GuardSpec } from "../../src/render/guards";
import { DEFAULT_KUBE_VIP_CLASS, mergeTalosPatches } from "../../src/render/kubevip";
import { DEFAULT_KUBEPRISM_PORT } from "../../src/render/talos/patch";
import { TalosConfigPush } from "../../src/components/TalosConfigPush";
import {
  AwsStackConfig,
  BaremetalStackConfig,
  KubeVipStackConfig,
  TalosVipStackConfig,
  LinkSettings,
  PROJECT,
  ProxmoxStackConfig,
  readStackConfig,
  StackConfig,
} from "./config";
import { proxmoxControlPlaneVms } from "./proxmox";
import { renderTopology } from "./topology";

/** What the program produces besides its stack outputs. */
export interface StackResult {
  /** The stack outputs (what `pulumi stack output` shows). */
  outputs: Record<string, pulumi.Input<unknown>>;
  /**
   * Every rendered artifact by relative path, e.g. `talos/cp-01.yaml`. Each is its own Output so
   * that one holding a secret (a BGP password inside an inline manifest) stays secret while the
   * others can be shown.
   */
  files: Record<string, pulumi.Output<string>>;
  /** Mermaid topology (`topology.md`). */
  topology: pulumi.Output<string>;
}

/** What a platform contributes to the common tail (push, files, topology, outputs). */
interface PlatformParts {
  backend: string;
  endpoint: ControlPlaneEndpoint;
  /** The Talos VIP to render on the nodes, if the backend is the Talos VIP. */
  vip?: pulumi.Output<string>;
  /** Link config rendered on the nodes (none on clouds). */
  link?: LinkSettings;
  /** What the push waits for. */
  dependsOn: pulumi.Resource[];
  outputs: Record<string, pulumi.Input<unknown>>;
  /** Artifacts the platform renders (e.g. haproxy.cfg per host), by path under files/. */
  files?: Record<string, pulumi.Output<string>>;
  /** Addresses MetalLB pools must stay clear of, besides the nodes: the VIP, load-balancer hosts. */
  reserved?: { vip?: pulumi.Input<string>; loadBalancerHosts?: pulumi.Input<string>[] };
  /** The endpoint's own Talos patch fragment (kube-vip's inline manifest), merged with the Service load balancer's. */
  talosPatch?: pulumi.Output<string>;
}

/**
 * Builds the stack from its config.
 * @throws InputError naming the config key or the component field when the config is bad (see `readStackConfig` and the components).
 */
export function stackProgram(): StackResult {
  const cfg = readStackConfig();
  // The guards run on the plain config before any resource is registered.
  const { warnings } = checkLoadBalancerConflicts(stackGuardSpec(cfg));
  return withTalosPush(cfg, platformParts(cfg), warnings);
}

/** `talos-endpoints:<key>`: the config key a guard error names. */
const key = (k: string): string => `${PROJECT}:${k}`;

/** A block that parses (malformed ones are left to the components, which name their own fields). */
function wellFormedBlock(block: unknown): block is string {
  try {
    parseAddressBlock("block", block);
    return true;
  } catch {
    return false;
  }
}

/** A config value read as a plain string (config values are plain; the arg types allow Inputs). */
function str(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

/** The plain IP of an address with or without prefix, or undefined when malformed (the components report it). */
function plainIp(address: unknown): string | undefined {
  return typeof address === "string" ? tryParseIp(address.split("/")[0])?.ip : undefined;
}

/**
 * What the stack chose, as the cross-component guards take it (`checkLoadBalancerConflicts`):
 * the endpoint and its VIP, the Service load balancers with their classes, the BGP speakers with
 * their nodes and peers, kube-proxy's mode and strict ARP, the Service pools, the control planes
 * and the load-balancer hosts. Field names are the config keys. Malformed values are left out:
 * the components refuse them with their own messages. The address checks (VIP inside a Service
 * pool, equal to a node or a load-balancer host) are given for the `kubevip` platform only: on the
 * other platforms TalosVipEndpoint, HaproxyKeepalivedEndpoint, MetalLbServices and CiliumServices
 * refuse the same addresses themselves, under the field names their users and tests know.
 * @throws InputError when `kubeVip.kubeProxyMode` and `metallb.kubeProxyMode` disagree.
 */
export function stackGuardSpec(cfg: StackConfig): GuardSpec {
  const kubeVip = cfg.platform === "kubevip" ? cfg.kubeVip : undefined;
  let endpoint: GuardEndpoint | undefined;
  switch (cfg.platform) {
    case "proxmox":
    case "talosvip":
      endpoint = { backend: "talos-vip", vip: plainIp(cfg.vip), vipField: key("vip") };
      break;
    case "baremetal":
      endpoint = {
        backend: cfg.loadBalancer.mode === "dns-round-robin" ? "dns" : "haproxy-keepalived",
        vip: plainIp(cfg.loadBalancer.vip),
        vipField: key("loadBalancer.vip"),
      };
      break;
    case "kubevip":
      endpoint = {
        backend: "kube-vip",
        vip: plainIp(cfg.kubeVip.vip),
        vipField: key("kubeVip.vip"),
        ipvsLoadBalancer: cfg.kubeVip.loadBalancer?.enabled === true,
        ipvsField: key("kubeVip.loadBalancer.enabled"),
      };
      break;
    case "aws":
      endpoint = { backend: "nlb" };
      break;
  }
  const services: GuardServiceLoadBalancer[] = [];
  const speakers: GuardBgpSpeaker[] = [];
  const pools: { field: string; block: string }[] = [];
  if (kubeVip?.services?.enabled === true) {
    const classOnly = kubeVip.services.classOnly === true;
    services.push({
      name: "kube-vip Services",
      field: key("kubeVip.services.classOnly"),
      value: kubeVip.services.classOnly,
      loadBalancerClass: str(kubeVip.services.className) ?? DEFAULT_KUBE_VIP_CLASS,
      servesUnclassed: !classOnly,
      layer2: kubeVip.mode === "arp",
      modeField: key("kubeVip.mode"),
    });
  }
  if (kubeVip?.mode === "bgp" && kubeVip.bgp) {
    speakers.push({
      kind: "kube-vip",
      field: key("kubeVip.bgp.peers"),
      nodes: "control-planes",
      peers: kubeVip.bgp.peers.flatMap((p) => str(p.address) ?? []),
    });
  }
  const metallb = cfg.metallb;
  if (metallb) {
    services.push({
      name: "MetalLB",
      field: key("metallb.loadBalancerClass"),
      value: metallb.loadBalancerClass,
      loadBalancerClass: typeof metallb.loadBalancerClass === "string" ? metallb.loadBalancerClass : undefined,
      servesUnclassed: metallb.loadBalancerClass === undefined,
      layer2: metallb.mode === "l2",
      modeField: key("metallb.mode"),
    });
    if (metallb.mode === "bgp") {
      (metallb.bgpPeers ?? []).forEach((peer, i) => {
        const selectors = Array.isArray(peer.nodeSelectors) ? peer.nodeSelectors : [];
        // A peer whose every node selector excludes the control planes runs on the workers only.
        const workersOnly =
          selectors.length > 0 &&
          selectors.every((sel) =>
            (sel.matchExpressions ?? []).some((e) => e.key === "node-role.kubernetes.io/control-plane" && e.operator === "DoesNotExist"),
          );
        speakers.push({
          kind: "metallb",
          field: key(`metallb.bgpPeers[${i}]`),
          nodes: workersOnly ? "workers" : "all",
          peers: typeof peer.peerAddress === "string" ? [peer.peerAddress] : [],
          // A BFD profile selects MetalLB's FRR backend, whose bgpd listens on TCP 179.
          listens: metallb.bfdProfile !== undefined,
        });
      });
    }
    (Array.isArray(metallb.pools) ? metallb.pools : []).forEach((pool, i) =>
      (Array.isArray(pool.addresses) ? pool.addresses : []).forEach((block, j) => {
        if (wellFormedBlock(block)) pools.push({ field: key(`metallb.pools[${i}].addresses[${j}]`), block });
      }),
    );
  }
  const cilium = cfg.cilium;
  if (cilium) {
    services.push({
      name: "Cilium",
      field: key("cilium.requireLBClass"),
      value: cilium.requireLBClass,
      loadBalancerClass: cilium.mode === "l2" ? L2_LOAD_BALANCER_CLASS : BGP_LOAD_BALANCER_CLASS,
      servesUnclassed: cilium.requireLBClass !== true,
      layer2: cilium.mode === "l2",
      modeField: key("cilium.mode"),
    });
    if (cilium.mode === "bgp" && cilium.bgp) {
      speakers.push({
        kind: "cilium",
        field: key("cilium.bgp.peers"),
        nodes:
          cilium.workerCount === 0 || cilium.controlPlanesRunServices === true || cilium.bgp.nodeSelector !== undefined ? "all" : "workers",
        peers: (cilium.bgp.peers ?? []).flatMap((p) => (typeof p.peerAddress === "string" ? [p.peerAddress] : [])),
      });
    }
    (Array.isArray(cilium.pools) ? cilium.pools : []).forEach((pool, i) =>
      (Array.isArray(pool.blocks) ? pool.blocks : []).forEach((block, j) => {
        if (wellFormedBlock(block)) pools.push({ field: key(`cilium.pools[${i}].blocks[${j}]`), block });
      }),
    );
  }
  const vipProxy = str(kubeVip?.kubeProxyMode);
  const metallbProxy = str(metallb?.kubeProxyMode);
  if (vipProxy !== undefined && metallbProxy !== undefined && vipProxy !== metallbProxy) {
    throw new InputError(
      key("metallb.kubeProxyMode"),
      metallbProxy,
      `differs from ${key("kubeVip.kubeProxyMode")} (${JSON.stringify(vipProxy)}); the cluster runs one kube-proxy: set both to its mode`,
    );
  }
  const proxyMode = cilium && cilium.kubeProxyReplacement !== false ? "none" : (vipProxy ?? metallbProxy ?? "iptables");
  const proxyField = vipProxy !== undefined ? key("kubeVip.kubeProxyMode") : key("metallb.kubeProxyMode");
  // Strict ARP is rendered by MetalLbServices with kubeProxyMode ipvs, and by KubeVipEndpoint when its Services use ARP.
  const strictArp = metallbProxy === "ipvs" || (vipProxy === "ipvs" && kubeVip?.services?.enabled === true && kubeVip.mode === "arp");
  const addresses = cfg.platform === "kubevip";
  return {
    talosVersion: typeof cfg.talosVersion === "string" ? cfg.talosVersion : undefined,
    endpoint: endpoint && !addresses ? { ...endpoint, vip: undefined } : endpoint,
    serviceLoadBalancers: services,
    bgpSpeakers: speakers,
    kubeProxy: { mode: proxyMode, field: proxyField, strictArp },
    servicePools: addresses ? pools : [],
    nodes: cfg.controlPlanes.flatMap((cp) => {
      const address = str(cp.address);
      return address !== undefined && plainIp(address) ? [{ name: cp.name, address, role: "control-plane" as const }] : [];
    }),
    nodesField: key("controlPlanes"),
    loadBalancerHosts:
      cfg.platform === "baremetal"
        ? (cfg.loadBalancer.hosts ?? []).flatMap((h, i) => {
            const address = str(h.address);
            return address !== undefined && plainIp(address) ? [{ field: key(`loadBalancer.hosts[${i}].address`), address }] : [];
          })
        : [],
  };
}

/** The platform's own resources and outputs. */
function platformParts(cfg: StackConfig): PlatformParts {
  switch (cfg.platform) {
    case "proxmox":
      return proxmoxParts(cfg);
    case "aws":
      return awsParts(cfg);
    case "baremetal":
      return baremetalParts(cfg);
    case "kubevip":
      return kubeVipParts(cfg);
    case "talosvip":
      return talosVipParts(cfg);
    default: {
      // `cfg` is `never` here: a platform added to StackConfig without a case fails the type check.
      const unhandled: never = cfg;
      throw new Error(`stack program: no case for platform ${JSON.stringify(Reflect.get(unhandled, "platform"))}`);
    }
  }
}

/** The Talos native VIP over the stack's control planes (shared by the talosvip and proxmox platforms). */
function talosVipEndpoint(cfg: TalosVipStackConfig | ProxmoxStackConfig): TalosVipEndpoint {
  return new TalosVipEndpoint("control-plane", {
    talosVersion: cfg.talosVersion,
    controlPlanes: cfg.controlPlanes,
    vip: cfg.vip,
    link: cfg.link,
    linkSelector: cfg.linkSelector,
  });
}

/**
 * Talos's VIP on existing machines (bare metal, no hypervisor API): nothing is created for the
 * machines; the push reaches each by its address, in maintenance mode or configured.
 */
function talosVipParts(cfg: TalosVipStackConfig): PlatformParts {
  const endpoint = talosVipEndpoint(cfg);
  return {
    backend: "Talos native VIP",
    endpoint,
    vip: endpoint.vip,
    link: { link: cfg.link, linkSelector: cfg.linkSelector },
    dependsOn: [],
    outputs: {},
    reserved: { vip: cfg.vip },
  };
}

/** Proxmox: control-plane VMs with static addresses and the Talos native VIP. */
function proxmoxParts(cfg: ProxmoxStackConfig): PlatformParts {
  const endpoint = talosVipEndpoint(cfg);
  const vms = proxmoxControlPlaneVms(cfg.proxmox, cfg.proxmoxApiToken, cfg.controlPlanes, cfg.gateway, cfg.workerNodes ?? []);
  return {
    backend: "Talos native VIP",
    endpoint,
    vip: endpoint.vip,
    link: { link: cfg.link, linkSelector: cfg.linkSelector },
    dependsOn: vms,
    outputs: { vmIds: pulumi.all(vms.map((vm) => vm.vmId)) },
    // Plain config values (not the Output), so MetalLB can check its pools before registering anything.
    reserved: { vip: cfg.vip },
  };
}

/**
 * Bare metal: HAProxy + Keepalived on dedicated hosts (or one HAProxy, or DNS round-robin) in front of the control planes.
 * Files: every file the push installs on each host (the component's `files`): `haproxy/<host>.cfg`,
 * `keepalived/<host>.conf` and, beside it, `keepalived/<host>/<check script>` under its name on the host.
 */
function baremetalParts(cfg: BaremetalStackConfig): PlatformParts {
  const lb = cfg.loadBalancer;
  const hosts = lb.hosts ?? [];
  const args: HaproxyKeepalivedEndpointArgs = {
    mode: lb.mode,
    talosVersion: cfg.talosVersion,
    controlPlanes: cfg.controlPlanes,
    loadBalancers: hosts.map((h) => ({
      name: h.name,
      address: h.address,
      priority: h.priority,
      ssh: { user: h.sshUser, port: h.sshPort, privateKey: cfg.lbSshPrivateKey },
    })),
    vip: lb.vip,
    vrrpInterface: lb.vrrpInterface,
    virtualRouterId: lb.virtualRouterId,
    vrrpAuthPass: cfg.vrrpAuthPass,
    tuningProfile: lb.tuningProfile,
    tuning: lb.tuning,
    dnsName: lb.dnsName,
    dnsTtl: lb.dnsTtl,
  };
  const endpoint = new HaproxyKeepalivedEndpoint("control-plane", args);
  /** Where synth writes a host's file: `<service>/<host>.cfg|.conf` for the two configs, else `<service>/<host>/<file name>`. */
  const synthPathOf = (host: string, file: string): string => {
    if (file === "/etc/haproxy/haproxy.cfg") return `haproxy/${host}.cfg`;
    if (file === "/etc/keepalived/keepalived.conf") return `keepalived/${host}.conf`;
    const [service, name] = file.split("/").slice(-2); // e.g. keepalived, talos-endpoints-check-<hash>.sh
    return `${service}/${host}/${name}`;
  };
  // The paths are known now (the config is plain); the contents come from the component's output.
  const files: Record<string, pulumi.Output<string>> = {};
  for (const [host, paths] of Object.entries(plannedFilePaths(args))) {
    for (const file of paths) {
      files[synthPathOf(host, file)] = endpoint.files.apply((f) => {
        const content = f[host]?.[file];
        if (content === undefined) throw new Error(`HaproxyKeepalivedEndpoint.files has no ${file} for ${host}`);
        return content;
      });
    }
  }
  return {
    backend: lb.mode === "dns-round-robin" ? "DNS round-robin" : lb.mode === "single-haproxy" ? "HAProxy" : "HAProxy + Keepalived VIP",
    endpoint,
    // Link config on the nodes only when set (the VIP lives on the load-balancer hosts, not the nodes).
    link: { link: cfg.link, linkSelector: cfg.linkSelector },
    dependsOn: [endpoint],
    outputs: { dnsRecords: endpoint.dnsRecords, warnings: endpoint.warnings },
    reserved: { vip: lb.vip?.split("/")[0], loadBalancerHosts: hosts.map((h) => h.address.split("/")[0]) },
    files,
  };
}

/**
 * kube-vip: a DaemonSet on the control planes holds the VIP (ARP or BGP, optionally IPVS across
 * the API servers), delivered in the Talos patch as an inline manifest; no Talos VIP and no link
 * config on the nodes. Files: `kube-vip/manifests.yaml` (the objects, never the BGP Secret).
 */
function kubeVipParts(cfg: KubeVipStackConfig): PlatformParts {
  const kv = cfg.kubeVip;
  const password = cfg.kubeVipBgpPassword;
  const servicePools = (cfg.metallb?.pools ?? []).flatMap((p) => (Array.isArray(p.addresses) ? p.addresses : []));
  const endpoint = new KubeVipEndpoint("control-plane", {
    ...kv,
    talosVersion: cfg.talosVersion,
    controlPlanes: cfg.controlPlanes,
    kubePrismPort: cfg.kubePrismPort,
    servicePools,
    bgp: kv.bgp && { ...kv.bgp, peers: kv.bgp.peers.map((peer) => (password ? { ...peer, password } : peer)) },
  });
  return {
    backend: `kube-vip (${kv.mode === "bgp" ? "BGP" : "ARP"}${kv.loadBalancer?.enabled ? ", IPVS" : ""})`,
    endpoint,
    dependsOn: [],
    outputs: { kubeVipLoadBalancerClass: endpoint.loadBalancerClass, kubeVipWarnings: endpoint.warnings },
    files: { "kube-vip/manifests.yaml": endpoint.manifests },
    reserved: { vip: kv.vip },
    talosPatch: endpoint.talosPatch,
  };
}

/** Several Talos patch fragments as one (`mergeTalosPatches`); secret when any input is. */
function mergePatches(field: string, patches: (pulumi.Output<string> | undefined)[]): pulumi.Output<string> | undefined {
  const given = patches.filter((p): p is pulumi.Output<string> => p !== undefined);
  if (given.length <= 1) return given[0];
  return pulumi.all(given).apply((texts) => mergeTalosPatches(field, texts));
}

/** AWS: a Network Load Balancer in front of existing instances; no VIP and no link config on the nodes. */
function awsParts(cfg: AwsStackConfig): PlatformParts {
  const nlb = new NlbEndpoint("control-plane", {
    ...cfg.aws,
    controlPlaneInstances: cfg.controlPlanes.map((cp, i) => ({
      name: cp.name,
      instanceId: cp.instanceId,
      privateIp: parseInterfaceAddress(`controlPlanes[${i}].address`, cp.address).ip,
    })),
    workerInstances: cfg.workers ?? [],
  });
  return {
    backend: "AWS Network Load Balancer",
    endpoint: nlb,
    dependsOn: [nlb],
    outputs: {
      loadBalancerDnsName: nlb.loadBalancerDnsName,
      loadBalancerArn: nlb.loadBalancerArn,
      kubernetesApiEndpoint: nlb.kubernetesApiEndpoint,
      talosApiEndpoint: nlb.talosApiEndpoint,
      kubernetesApiTargetGroupArn: nlb.kubernetesApiTargetGroupArn,
      talosApiTargetGroupArn: nlb.talosApiTargetGroupArn,
      workerTalosApiTargetGroupArn: nlb.workerTalosApiTargetGroupArn,
    },
  };
}

/** MetalLB for LoadBalancer Services, when configured. */
function metalLb(cfg: StackConfig, parts: PlatformParts): MetalLbServices | undefined {
  if (!cfg.metallb) return undefined;
  const password = cfg.metallbBgpPassword;
  return new MetalLbServices("services", {
    ...cfg.metallb,
    bgpPeers: cfg.metallb.bgpPeers?.map((peer) => (password ? { ...peer, password } : peer)),
    nodeAddresses: cfg.controlPlanes.map((cp) => cp.address),
    controlPlaneVip: parts.reserved?.vip,
    loadBalancerHosts: parts.reserved?.loadBalancerHosts,
    gateway: cfg.gateway,
    kubeconfig: cfg.kubeconfig,
  });
}

/** Cilium for LoadBalancer Services, when configured (never together with MetalLB: `readStackConfig` refuses it). */
function cilium(cfg: StackConfig, parts: PlatformParts): CiliumServices | undefined {
  if (!cfg.cilium) return undefined;
  const password = cfg.ciliumBgpPassword;
  const bgp = cfg.cilium.bgp;
  return new CiliumServices("services", {
    ...cfg.cilium,
    bgp: bgp && { ...bgp, peers: bgp.peers?.map((peer) => (password ? { ...peer, password } : peer)) },
    nodeAddresses: cfg.controlPlanes.map((cp) => cp.address),
    controlPlaneVip: parts.reserved?.vip,
    loadBalancerHosts: parts.reserved?.loadBalancerHosts,
    gateway: cfg.gateway,
    kubePrismPort: cfg.kubePrismPort,
    kubeconfig: cfg.kubeconfig,
  });
}

/** The part every platform shares: MetalLB or Cilium, the talosctl push of the endpoint, the artifacts, the outputs. */
function withTalosPush(cfg: StackConfig, parts: PlatformParts, loadBalancerAdvice: string[]): StackResult {
  const services = metalLb(cfg, parts);
  const ciliumServices = cilium(cfg, parts);
  // Generated configs (proxmox only): the whole config of every node, workers included, from a secrets bundle.
  // Stacks that list workers by address (proxmox, talosvip): both modes configure them.
  const byAddress = cfg.platform === "proxmox" || cfg.platform === "talosvip" ? cfg : undefined;
  const workers = (byAddress?.workerNodes ?? []).map(({ name, address }) => ({ name, address }));
  const generated =
    byAddress?.configSource === "generated"
      ? { configSource: byAddress.configSource, clusterName: byAddress.clusterName, kubernetesVersion: byAddress.kubernetesVersion }
      : {};
  const push = new TalosConfigPush(
    "talos-config",
    {
      talosVersion: cfg.talosVersion,
      controlPlanes: cfg.controlPlanes.map(({ name, address }) => ({ name, address })),
      endpoint: parts.endpoint.endpoint,
      vip: parts.vip,
      link: parts.link?.link,
      linkSelector: parts.link?.linkSelector,
      // Proxmox VMs get static addresses from cloud-init (nocloud), not DHCP: no `dhcp: true` beside a Talos < 1.12 VIP.
      linkAddressing: cfg.platform === "proxmox" ? "static" : cfg.platform === "talosvip" ? cfg.linkAddressing : undefined,
      kubePrismEnabled: cfg.kubePrismEnabled,
      kubePrismPort: cfg.kubePrismPort,
      extraCertSANs: cfg.extraCertSANs,
      talosconfig: cfg.talosconfig,
      mode: cfg.applyMode,
      tryTimeout: cfg.tryTimeout,
      waitTimeoutSeconds: cfg.waitTimeoutSeconds,
      extraPatch: mergePatches("extraPatch", [parts.talosPatch, services?.talosPatch ?? ciliumServices?.talosPatch]),
      ...generated,
      ...(workers.length > 0 ? { workers, workerParallelism: byAddress?.workerParallelism } : {}),
    },
    { dependsOn: parts.dependsOn },
  );

  const files: Record<string, pulumi.Output<string>> = { ...parts.files };
  for (const { name } of [...cfg.controlPlanes, ...workers]) {
    files[`talos/${name}.yaml`] = push.patches.apply((p) => p[name]);
    files[`talos/${name}.talosctl.txt`] = push.commandLines.apply((l) => `${l[name]}\n`);
  }
  if (services) files["metallb/manifests.yaml"] = services.manifests;
  if (ciliumServices) {
    files["cilium/manifests.yaml"] = ciliumServices.manifests;
    files["cilium/values.yaml"] = ciliumServices.helmValues;
  }
  const topology = pulumi.all([parts.endpoint.endpoint, parts.endpoint.talosApiEndpoints, push.applyOrder]).apply(([ep, ips, order]) =>
    renderTopology({
      backend: parts.backend,
      endpoint: ep,
      controlPlanes: cfg.controlPlanes.map((cp, i) => ({ name: cp.name, ip: ips[i] })),
      kubePrismPort: cfg.kubePrismEnabled === false ? undefined : (cfg.kubePrismPort ?? DEFAULT_KUBEPRISM_PORT),
      workers: workers.map((w) => ({ name: w.name, ip: w.address.split("/")[0] })),
      applyOrder: order,
    }),
  );

  return {
    outputs: {
      platform: cfg.platform,
      talosVersion: cfg.talosVersion,
      endpoint: parts.endpoint.endpoint,
      kubernetesApiUrl: parts.endpoint.kubernetesApiUrl,
      talosApiEndpoints: parts.endpoint.talosApiEndpoints,
      ...parts.outputs,
      ...(services ? { servicesEndpoint: services.endpoint } : {}),
      ...(ciliumServices ? { servicesEndpoint: ciliumServices.endpoint, servicesLoadBalancerClass: ciliumServices.loadBalancerClass } : {}),
      patchHashes: push.patchHashes,
      // Generated configs: the talosconfig and kubeconfig the cluster was made with (secrets).
      ...("configSource" in generated ? { talosconfig: push.talosconfig, kubeconfig: push.kubeconfig } : {}),
      // The guards' advice (e.g. externalTrafficPolicy: Local for Layer 2 announcements), when there is any.
      ...(loadBalancerAdvice.length > 0 ? { loadBalancerAdvice } : {}),
    },
    files,
    topology,
  };
}

/** The program in the shape `pulumi up` and the Automation API expect: a function returning the stack outputs. */
export async function stackOutputs(): Promise<Record<string, pulumi.Input<unknown>>> {
  return stackProgram().outputs;
}
