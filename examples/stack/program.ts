/**
 * The stack program. `index.ts` (pulumi up), `npm run synth` (under mocks) and the Automation
 * API (`automation.ts`) all call {@link stackProgram}.
 */
import * as pulumi from "@pulumi/pulumi";
import { CiliumServices } from "../../src/components/CiliumServices";
import { ControlPlaneEndpoint } from "../../src/components/contract";
import { HaproxyKeepalivedEndpoint, HaproxyKeepalivedEndpointArgs, plannedFilePaths } from "../../src/components/HaproxyKeepalivedEndpoint";
import { MetalLbServices } from "../../src/components/MetalLbServices";
import { NlbEndpoint } from "../../src/components/NlbEndpoint";
import { TalosVipEndpoint } from "../../src/components/TalosVipEndpoint";
import { parseInterfaceAddress } from "../../src/core/net";
import { DEFAULT_KUBEPRISM_PORT } from "../../src/render/talos/patch";
import { TalosConfigPush } from "../../src/components/TalosConfigPush";
import { AwsStackConfig, BaremetalStackConfig, LinkSettings, ProxmoxStackConfig, readStackConfig, StackConfig } from "./config";
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
}

/**
 * Builds the stack from its config.
 * @throws InputError naming the config key or the component field when the config is bad (see `readStackConfig` and the components).
 */
export function stackProgram(): StackResult {
  const cfg = readStackConfig();
  return withTalosPush(cfg, platformParts(cfg));
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
    default: {
      // `cfg` is `never` here: a platform added to StackConfig without a case fails the type check.
      const unhandled: never = cfg;
      throw new Error(`stack program: no case for platform ${JSON.stringify(Reflect.get(unhandled, "platform"))}`);
    }
  }
}

/** Proxmox: control-plane VMs with static addresses and the Talos native VIP. */
function proxmoxParts(cfg: ProxmoxStackConfig): PlatformParts {
  const endpoint = new TalosVipEndpoint("control-plane", {
    talosVersion: cfg.talosVersion,
    controlPlanes: cfg.controlPlanes,
    vip: cfg.vip,
    link: cfg.link,
    linkSelector: cfg.linkSelector,
  });
  const vms = proxmoxControlPlaneVms(cfg.proxmox, cfg.proxmoxApiToken, cfg.controlPlanes, cfg.gateway);
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
function withTalosPush(cfg: StackConfig, parts: PlatformParts): StackResult {
  const services = metalLb(cfg, parts);
  const ciliumServices = cilium(cfg, parts);
  const push = new TalosConfigPush(
    "talos-config",
    {
      talosVersion: cfg.talosVersion,
      controlPlanes: cfg.controlPlanes.map(({ name, address }) => ({ name, address })),
      endpoint: parts.endpoint.endpoint,
      vip: parts.vip,
      link: parts.link?.link,
      linkSelector: parts.link?.linkSelector,
      kubePrismEnabled: cfg.kubePrismEnabled,
      kubePrismPort: cfg.kubePrismPort,
      extraCertSANs: cfg.extraCertSANs,
      talosconfig: cfg.talosconfig,
      mode: cfg.applyMode,
      tryTimeout: cfg.tryTimeout,
      waitTimeoutSeconds: cfg.waitTimeoutSeconds,
      extraPatch: services?.talosPatch ?? ciliumServices?.talosPatch,
    },
    { dependsOn: parts.dependsOn },
  );

  const files: Record<string, pulumi.Output<string>> = { ...parts.files };
  for (const { name } of cfg.controlPlanes) {
    files[`talos/${name}.yaml`] = push.patches.apply((p) => p[name]);
    files[`talos/${name}.talosctl.txt`] = push.commandLines.apply((l) => `${l[name]}\n`);
  }
  if (services) files["metallb/manifests.yaml"] = services.manifests;
  if (ciliumServices) {
    files["cilium/manifests.yaml"] = ciliumServices.manifests;
    files["cilium/values.yaml"] = ciliumServices.helmValues;
  }
  const topology = pulumi.all([parts.endpoint.endpoint, parts.endpoint.talosApiEndpoints]).apply(([ep, ips]) =>
    renderTopology({
      backend: parts.backend,
      endpoint: ep,
      controlPlanes: cfg.controlPlanes.map((cp, i) => ({ name: cp.name, ip: ips[i] })),
      kubePrismPort: cfg.kubePrismEnabled === false ? undefined : (cfg.kubePrismPort ?? DEFAULT_KUBEPRISM_PORT),
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
    },
    files,
    topology,
  };
}

/** The program in the shape `pulumi up` and the Automation API expect: a function returning the stack outputs. */
export async function stackOutputs(): Promise<Record<string, pulumi.Input<unknown>>> {
  return stackProgram().outputs;
}
