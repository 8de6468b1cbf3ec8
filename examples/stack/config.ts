/**
 * The stack configuration, read from `Pulumi.<stack>.yaml` (namespace `talos-endpoints`): a union
 * discriminated on `platform` ({@link StackConfig}). See the README, "Stack configuration".
 *
 * Keys (`talos-endpoints:<key>`; secrets set with `pulumi config set --secret`):
 *
 * - every platform: `platform`, `talosVersion`, `controlPlanes`, `talosconfig` (secret), all
 *   required; `gateway`, `kubePrismEnabled`, `kubePrismPort`, `extraCertSANs`, `applyMode`,
 *   `tryTimeout`, `waitTimeoutSeconds`, `metallb`, `metallbBgpPassword` (secret), `cilium`,
 *   `ciliumBgpPassword` (secret), `kubeconfig` (secret), optional (`metallb` and `cilium` not
 *   together: one Service load balancer; `cilium` needs KubePrism, `kubePrismEnabled` not false);
 * - `proxmox`: `vip`, `proxmox`, `proxmoxApiToken` (secret), required; `link`, `linkSelector`;
 * - `aws`: `aws` and an `instanceId` on every control plane, required; `workers`;
 * - `baremetal`: `loadBalancer`, `lbSshPrivateKey` (secret), required; `link`, `linkSelector`,
 *   `vrrpAuthPass` (secret);
 * - `kubevip`: `kubeVip` (the `KubeVipEndpoint` settings), required; `kubeVipBgpPassword`
 *   (secret, every kube-vip BGP peer's TCP MD5 password);
 * - `talosvip`: `vip`, required; `link`, `linkSelector`; existing machines listed by address, in
 *   maintenance mode or configured: `configSource`, `clusterName`, `kubernetesVersion`,
 *   `workerNodes`, `workerParallelism` (also on `proxmox`); `talosconfig` needed only with
 *   `configSource: patch` there.
 *
 * What {@link readStackConfig} refuses, each with an `InputError` whose field is the config key
 * (`talos-endpoints:vip`, `talos-endpoints:proxmox.templateVmId`,
 * `talos-endpoints:controlPlanes[1].instanceId`) and whose message names the value (secrets as
 * `[secret]`) and the platform:
 *
 * - a required key or field the chosen platform needs that is not set;
 * - a value of the wrong kind (a string where a number belongs, `"yes"` for a boolean, a string
 *   where a mapping belongs) or outside an enumeration (`applyMode`, `metallb.mode`,
 *   `loadBalancer.mode`, …);
 * - **a key or field of another platform** (`vip` or `link` on `aws`, `workers` on `proxmox`, an
 *   `instanceId` on a bare-metal control plane): refused, not ignored, because the program would
 *   silently drop it, and such a key is nearly always a mistake (the bare-metal VIP belongs in
 *   `loadBalancer.vip`; a `link` on `aws` would never reach the nodes). A warning during
 *   `pulumi up` is easy to miss; the message says which platforms read the key;
 * - a key of no platform (a typo such as `kubePrismPrt`; its value is shown as `[not shown]`: it
 *   may be a secret), and an unknown field inside the mappings whose fields the rules below list
 *   (`proxmox`, `aws`, `loadBalancer` and its hosts, `metallb`, `cilium`, `linkSelector`, control
 *   planes, workers);
 * - `metallb` and `cilium` together (two controllers would hand out and announce the same kind of
 *   Service), and `cilium` with `kubePrismEnabled: false` (Cilium reaches the API server through
 *   KubePrism).
 *
 * Deeper checks (addresses, names, ranges, what lies inside `metallb.pools` or
 * `loadBalancer.tuning`) are the components' own, with their field names (`vip`,
 * `pools[0].addresses[0]`, `allowedAdminCidrs[0]`).
 */
import * as pulumi from "@pulumi/pulumi";
import { ControlPlaneNodeArgs } from "../../src/components/contract";
import type {
  HaproxyKeepalivedEndpointArgs,
  LoadBalancerHostArgs,
  SshConnectionArgs,
} from "../../src/components/HaproxyKeepalivedEndpoint";
import type { CiliumServicesArgs } from "../../src/components/CiliumServices";
import type { KubeVipBgpArgs, KubeVipBgpPeerArgs, KubeVipEndpointArgs } from "../../src/components/KubeVipEndpoint";
import type { MetalLbServicesArgs } from "../../src/components/MetalLbServices";
import type { NlbControlPlaneInstanceArgs, NlbEndpointArgs, NlbWorkerInstanceArgs } from "../../src/components/NlbEndpoint";
import type { TalosConfigPushArgs } from "../../src/components/TalosConfigPush";
import { InputError } from "../../src/core/errors";
import {
  ApplyMode,
  CiliumDelivery,
  CiliumMode,
  ConfigSource,
  KubeProxyMode,
  KubeVipForwardingMethod,
  KubeVipMode,
  LinkAddressing,
  LoadBalancerMode,
  MetalLbDelivery,
  MetalLbMode,
  TuningProfile,
} from "../../src/render/enums";

/** Project name from Pulumi.yaml: the config namespace. */
export const PROJECT = "talos-endpoints";

/** Platforms the stack program builds: the values of `talos-endpoints:platform`. */
export const PLATFORMS = ["proxmox", "aws", "baremetal", "kubevip", "talosvip"] as const;

/** A platform the stack program builds (`talos-endpoints:platform`). */
export type Platform = (typeof PLATFORMS)[number];

/** Proxmox settings (`talos-endpoints:proxmox`). Unknown fields are refused. */
export interface ProxmoxSettings {
  /** Proxmox VE API URL, e.g. `https://pve.example.internal:8006/`. Required. */
  endpoint: string;
  /** Skip TLS verification of the Proxmox API. Default false. */
  insecure?: boolean;
  /** Proxmox node that hosts the VMs, e.g. `pve`. Required. */
  nodeName: string;
  /** VM ID of a template made from the Talos nocloud image (see README). Required. */
  templateVmId: number;
  /** VM ID of the first control plane; the others follow. Default: Proxmox picks. */
  firstVmId?: number;
  /** Datastore for the cloned disks and the cloud-init drive. Default `local-lvm`. */
  datastoreId?: string;
  /** Bridge the VMs attach to. Default `vmbr0`. */
  bridge?: string;
  /** vCPUs per VM. Default 2 (Talos control-plane minimum). */
  cores?: number;
  /** Memory per VM in MiB. Default 4096 (Talos recommends 4 GiB for control planes). */
  memoryMiB?: number;
  /** Enable the QEMU guest agent (the Talos image needs the qemu-guest-agent extension). Default false. */
  qemuGuestAgent?: boolean;
}

/**
 * A control plane in the aws stack: the node (`name`, `address` with prefix, whose IP becomes the
 * NLB's `privateIp`) plus its EC2 instance (`instanceId`, required). Unknown fields are refused.
 */
export interface AwsControlPlaneConfig extends ControlPlaneNodeArgs, Pick<NlbControlPlaneInstanceArgs, "instanceId"> {}

/** A worker in the aws stack (`talos-endpoints:workers[i]`): its Talos API is published on NLB listener 50001. Unknown fields are refused. */
export type AwsWorkerConfig = NlbWorkerInstanceArgs;

/**
 * AWS settings (`talos-endpoints:aws`): the `NlbEndpoint` inputs other than the instances
 * (documented there; the NLB checks the values). Unknown fields are refused.
 */
export type AwsSettings = Omit<NlbEndpointArgs, "controlPlaneInstances" | "workerInstances">;

/**
 * A load-balancer host in the baremetal stack (`talos-endpoints:loadBalancer.hosts[i]`): `name`,
 * `address` (with prefix on the VRRP interface, e.g. `192.168.30.21/24`) and `priority` as in
 * `LoadBalancerHostArgs`; the SSH key is the secret `lbSshPrivateKey`. Unknown fields are refused.
 */
export interface LoadBalancerHostConfig extends pulumi.Unwrap<Pick<LoadBalancerHostArgs, "name" | "address" | "priority">> {
  /** SSH user (`SshConnectionArgs.user`), default `root` (others use `sudo -n`). */
  sshUser?: pulumi.Unwrap<SshConnectionArgs["user"]>;
  /** SSH port (`SshConnectionArgs.port`), default 22. */
  sshPort?: pulumi.Unwrap<SshConnectionArgs["port"]>;
}

/**
 * Bare-metal load-balancer settings (`talos-endpoints:loadBalancer`): the `HaproxyKeepalivedEndpoint`
 * inputs (documented there), with the hosts' SSH key taken from the secret `lbSshPrivateKey` and
 * the VRRP password from the secret `vrrpAuthPass`. Unknown fields are refused.
 */
export interface LoadBalancerSettings extends Pick<
  HaproxyKeepalivedEndpointArgs,
  "mode" | "vrrpInterface" | "virtualRouterId" | "tuningProfile" | "tuning" | "dnsName" | "dnsTtl"
> {
  /** The load-balancer hosts: at least 2 in `ha-pair`, 1 in `single-haproxy`, none in `dns-round-robin`. Default none. */
  hosts?: LoadBalancerHostConfig[];
  /**
   * `ha-pair`: the VIP (`HaproxyKeepalivedEndpointArgs.vip`), plain from config, with or without the
   * hosts' prefix (`192.168.30.30/24`). Plain, not an Input: MetalLB keeps its pools clear of it
   * before anything is registered.
   */
  vip?: string;
}

/**
 * MetalLB settings (`talos-endpoints:metallb`): the `MetalLbServices` inputs the stack does not
 * derive itself (node addresses, the VIP and the load-balancer hosts come from the rest of the
 * config; BGP peers get the optional secret `metallbBgpPassword`). Unknown fields are refused.
 */
export type MetalLbSettings = Omit<
  MetalLbServicesArgs,
  "nodeAddresses" | "controlPlaneVip" | "loadBalancerHosts" | "gateway" | "kubeconfig"
>;

/**
 * Cilium settings (`talos-endpoints:cilium`): the `CiliumServices` inputs the stack does not derive
 * itself (node addresses, the VIP, the load-balancer hosts, the gateway and the KubePrism port come
 * from the rest of the config; BGP peers get the optional secret `ciliumBgpPassword`). Unknown
 * fields are refused.
 */
export type CiliumSettings = Omit<
  CiliumServicesArgs,
  "nodeAddresses" | "controlPlaneVip" | "loadBalancerHosts" | "gateway" | "kubeconfig" | "kubePrismPort"
>;

/** kube-vip's BGP settings (`talos-endpoints:kubeVip.bgp`): `KubeVipBgpArgs` without passwords (the secret `kubeVipBgpPassword` applies to every peer). */
export interface KubeVipBgpSettings extends Omit<KubeVipBgpArgs, "peers"> {
  /** The routers, as `KubeVipBgpPeerArgs` without `password`. Required, a list. */
  peers: Omit<KubeVipBgpPeerArgs, "password">[];
}

/**
 * kube-vip settings (`talos-endpoints:kubeVip`): the `KubeVipEndpoint` inputs the stack does not
 * derive itself (the control planes, the Talos version, the KubePrism port and the Service pools
 * come from the rest of the config). Unknown fields are refused.
 */
export interface KubeVipSettings extends Omit<
  KubeVipEndpointArgs,
  "talosVersion" | "controlPlanes" | "kubePrismPort" | "servicePools" | "bgp" | "vip"
> {
  /** The control-plane VIP, a plain IP (`KubeVipEndpointArgs.vip`). Plain: the stack's guards check it before anything is registered. */
  vip: string;
  /** BGP settings; `mode: bgp` only. */
  bgp?: KubeVipBgpSettings;
}

/**
 * The Talos push settings read as they are (`TalosConfigPushArgs`, documented there): `talosVersion`
 * (required), `kubePrismEnabled`, `kubePrismPort`, `extraCertSANs`, `tryTimeout`, `waitTimeoutSeconds`.
 */
export type PushSettings = pulumi.Unwrap<
  Pick<TalosConfigPushArgs, "talosVersion" | "kubePrismEnabled" | "kubePrismPort" | "extraCertSANs" | "tryTimeout" | "waitTimeoutSeconds">
>;

/**
 * The node link (`TalosConfigPushArgs.link` / `linkSelector`, documented there): at most one of
 * the two. `proxmox` and `baremetal` only (`aws` refuses both: the nodes get no link config).
 */
export type LinkSettings = pulumi.Unwrap<Pick<TalosConfigPushArgs, "link" | "linkSelector">>;

/** The keys every platform reads. */
export interface StackConfigBase extends PushSettings {
  /** `talos-endpoints:platform`, the discriminant. */
  platform: Platform;
  /** The control-plane nodes, `{name, address}` with prefix (`ControlPlaneNodeArgs`). Required, a list. */
  controlPlanes: ControlPlaneNodeArgs[];
  /** The nodes' default gateway (plain IP): cloud-init on `proxmox`; kept out of MetalLB pools everywhere. Default none. */
  gateway?: string;
  /** `talosctl patch --mode` (`TalosConfigPushArgs.mode`, one of `ApplyMode`). Default `no-reboot`. */
  applyMode?: pulumi.Unwrap<TalosConfigPushArgs["mode"]>;
  /** The talosconfig content (secret `talos-endpoints:talosconfig`). Required (on `proxmox` only with `configSource: patch`). */
  talosconfig: pulumi.Output<string>;
  /** MetalLB for LoadBalancer Services. Default none (no MetalLB). */
  metallb?: MetalLbSettings;
  /** BGP session password for every MetalLB peer (secret, optional). */
  metallbBgpPassword?: pulumi.Output<string>;
  /** Cilium for LoadBalancer Services (refused together with `metallb`). Default none. */
  cilium?: CiliumSettings;
  /** BGP session password for every Cilium peer (secret, optional). */
  ciliumBgpPassword?: pulumi.Output<string>;
  /** Kubeconfig for MetalLB's or Cilium's `delivery: kubernetes` (secret, optional). */
  kubeconfig?: pulumi.Output<string>;
}

/** A worker VM of the proxmox stack (`talos-endpoints:workerNodes[i]`). Unknown fields are refused. */
export interface ProxmoxWorkerConfig {
  /** Node and VM name, a DNS label. */
  name: string;
  /** Its static address with prefix (cloud-init), e.g. `192.168.30.41/24`. */
  address: string;
}

/**
 * The generated-config settings (`TalosConfigPushArgs` of the same names, documented there):
 * `proxmox` only, the stack that starts from empty VMs.
 */
export interface GeneratedSettings {
  /** `patch` (default) or `generated` (`TalosConfigPushArgs.configSource`). */
  configSource?: ConfigSource;
  /** `gen config`'s cluster name. Default `talos`. */
  clusterName?: string;
  /** Kubernetes version, within the Talos version's supported range. Default the pinned talosctl's default. */
  kubernetesVersion?: string;
  /** Worker VMs, applied after the control planes. Default none. */
  workerNodes?: ProxmoxWorkerConfig[];
  /** Workers applied at the same time. Default 2. */
  workerParallelism?: number;
}

/** `platform: proxmox`: control-plane VMs on Proxmox VE sharing the Talos native VIP. */
export interface ProxmoxStackConfig extends Omit<StackConfigBase, "talosconfig">, LinkSettings, GeneratedSettings {
  /**
   * The talosconfig (secret `talos-endpoints:talosconfig`): needed with `configSource: patch`
   * (the push then says so when it is missing); with `generated` the push makes its own.
   */
  talosconfig?: pulumi.Output<string>;
  /** The discriminant. */
  platform: "proxmox";
  /** The shared VIP, a plain IP (`TalosVipEndpointArgs.vip`), e.g. `192.168.30.30`. Required. */
  vip: string;
  /** The Proxmox VE API and VM settings. Required. */
  proxmox: ProxmoxSettings;
  /** Proxmox API token `user@realm!id=uuid` (secret `talos-endpoints:proxmoxApiToken`). Required. */
  proxmoxApiToken: pulumi.Output<string>;
}

/** `platform: aws`: an AWS Network Load Balancer in front of existing EC2 instances. */
export interface AwsStackConfig extends StackConfigBase {
  /** The discriminant. */
  platform: "aws";
  /** The control planes with their EC2 instances. Required, a list. */
  controlPlanes: AwsControlPlaneConfig[];
  /** The NLB settings. Required. */
  aws: AwsSettings;
  /** Workers whose Talos API the NLB publishes on 50001. Default none. */
  workers?: AwsWorkerConfig[];
}

/** `platform: baremetal`: HAProxy + Keepalived hosts (or one HAProxy, or DNS round-robin) in front of the control planes. */
export interface BaremetalStackConfig extends StackConfigBase, LinkSettings {
  /** The discriminant. */
  platform: "baremetal";
  /** The load balancer. Required. */
  loadBalancer: LoadBalancerSettings;
  /** SSH private key of the load-balancer hosts (secret `talos-endpoints:lbSshPrivateKey`). Required (also in `dns-round-robin`). */
  lbSshPrivateKey: pulumi.Output<string>;
  /** VRRPv2 `auth_pass` (secret, optional; `HaproxyKeepalivedEndpointArgs.vrrpAuthPass`). */
  vrrpAuthPass?: pulumi.Output<string>;
}

/**
 * `platform: kubevip`: kube-vip on the control planes holds the VIP (ARP or BGP, optionally IPVS
 * across the API servers); the design notes' strategies 2 and 3 (with MetalLB for Services).
 */
export interface KubeVipStackConfig extends StackConfigBase {
  /** The discriminant. */
  platform: "kubevip";
  /** The kube-vip settings. Required. */
  kubeVip: KubeVipSettings;
  /** TCP MD5 password of every kube-vip BGP peer (secret, optional). */
  kubeVipBgpPassword?: pulumi.Output<string>;
}

/**
 * `platform: talosvip`: Talos's own VIP on existing machines (bare metal without a hypervisor API):
 * the nodes are listed by address, each in maintenance mode or configured.
 */
export interface TalosVipStackConfig extends Omit<StackConfigBase, "talosconfig">, LinkSettings, GeneratedSettings {
  /** The discriminant. */
  platform: "talosvip";
  /** The shared VIP, a plain IP. Required. */
  vip: string;
  /** The talosconfig (secret), needed only with `configSource: patch`. */
  talosconfig?: pulumi.Output<string>;
  /** How the VIP's link gets its address on Talos < 1.12 (`TalosConfigPushArgs.linkAddressing`): `dhcp` (default) or `static`. */
  linkAddressing?: LinkAddressing;
}

/**
 * Everything the stack program reads: one shape per platform, told apart by `platform`. Each
 * platform's required keys are non-optional; keys of other platforms are refused (see the module
 * docstring).
 */
export type StackConfig = ProxmoxStackConfig | AwsStackConfig | BaremetalStackConfig | KubeVipStackConfig | TalosVipStackConfig;

// ---------------------------------------------------------------------------------------------
// The rules: what kind each key and field is, whether it is required, and the fields of the
// mappings whose unknown fields are refused. `FieldRules<T>` derives each rule's type from T's
// field (kind, required-ness, the allowed values of an enumeration), so a changed component arg
// fails the type check here until its rule follows.

/** What a config value must be. `secret`: read with `getSecret` (a Pulumi secret Output). */
type Kind = "string" | "number" | "boolean" | "list" | "mapping" | "secret";

/** One key's or field's rule, as the checks read it. */
interface Rule {
  readonly kind: Kind;
  readonly required: boolean;
  /** The allowed values (enumerations). */
  readonly oneOf?: readonly unknown[];
  /** A mapping's fields: unknown ones are refused. */
  readonly fields?: Rules;
  /** The fields of each mapping in a list: unknown ones are refused. */
  readonly items?: Rules;
}

/** Rules by key. */
interface Rules {
  readonly [key: string]: Rule;
}

type Plain<F> = NonNullable<pulumi.Unwrap<F>>;
type KindOf<V> = [V] extends [string]
  ? "string"
  : [V] extends [number]
    ? "number"
    : [V] extends [boolean]
      ? "boolean"
      : [V] extends [readonly unknown[]]
        ? "list"
        : [V] extends [object]
          ? "mapping"
          : never;
type Literal<V> = [V] extends [string] ? (string extends V ? never : V) : [V] extends [number] ? (number extends V ? never : V) : never;
type Choices<V> = [Literal<V>] extends [never] ? unknown : { readonly oneOf: readonly Literal<V>[] };
type Nested<V> = [V] extends [readonly (infer I)[]]
  ? [I] extends [object]
    ? { readonly items?: FieldRules<I> }
    : unknown
  : [V] extends [object]
    ? { readonly fields?: FieldRules<V> }
    : unknown;
type FieldRule<F, R extends boolean> = [NonNullable<F>] extends [pulumi.Output<string>]
  ? { readonly kind: "secret"; readonly required: R }
  : { readonly kind: KindOf<Plain<F>>; readonly required: R } & Choices<Plain<F>> & Nested<Plain<F>>;

/** A rule for every field of T, typed by the field: kind, required-ness, enumeration values, nested fields. */
type FieldRules<T> = { readonly [K in keyof T]-?: FieldRule<T[K], undefined extends T[K] ? false : true> };

/** The rules of a platform's config: every key but the discriminant. */
type ConfigRules<C> = FieldRules<Omit<C, "platform">> & Rules;

const CONTROL_PLANE: FieldRules<pulumi.Unwrap<ControlPlaneNodeArgs>> & Rules = {
  name: { kind: "string", required: true },
  address: { kind: "string", required: true },
};

const LINK: FieldRules<LinkSettings> & Rules = {
  link: { kind: "string", required: false },
  linkSelector: {
    kind: "mapping",
    required: false,
    fields: {
      hardwareAddr: { kind: "string", required: false },
      permanentAddr: { kind: "string", required: false },
      driver: { kind: "string", required: false },
      busPath: { kind: "string", required: false },
    },
  },
};

const METALLB: FieldRules<MetalLbSettings> & Rules = {
  mode: { kind: "string", required: true, oneOf: Object.values(MetalLbMode) },
  delivery: { kind: "string", required: true, oneOf: Object.values(MetalLbDelivery) },
  pools: { kind: "list", required: true },
  ingressAddress: { kind: "string", required: false },
  l2Advertisement: { kind: "mapping", required: false },
  bgpPeers: { kind: "list", required: false },
  bgpAdvertisement: { kind: "mapping", required: false },
  bfdProfile: { kind: "mapping", required: false },
  version: { kind: "string", required: false },
  loadBalancerClass: { kind: "string", required: false },
  workerCount: { kind: "number", required: true },
  controlPlanesRunServices: { kind: "boolean", required: false },
  ignoreExcludeLB: { kind: "boolean", required: false },
  kubeProxyMode: { kind: "string", required: false, oneOf: Object.values(KubeProxyMode) },
};

const CILIUM: FieldRules<CiliumSettings> & Rules = {
  mode: { kind: "string", required: true, oneOf: Object.values(CiliumMode) },
  delivery: { kind: "string", required: true, oneOf: Object.values(CiliumDelivery) },
  version: { kind: "string", required: false },
  pools: { kind: "list", required: true },
  ingressAddress: { kind: "string", required: false },
  l2Announcement: { kind: "mapping", required: false },
  bgp: { kind: "mapping", required: false },
  workerCount: { kind: "number", required: true },
  controlPlanesRunServices: { kind: "boolean", required: false },
  kubeProxyReplacement: { kind: "boolean", required: false },
  requireLBClass: { kind: "boolean", required: false },
  loadBalancerServices: { kind: "number", required: false },
};

const COMMON: FieldRules<Omit<StackConfigBase, "platform">> & Rules = {
  talosVersion: { kind: "string", required: true },
  controlPlanes: { kind: "list", required: true, items: CONTROL_PLANE },
  gateway: { kind: "string", required: false },
  kubePrismEnabled: { kind: "boolean", required: false },
  kubePrismPort: { kind: "number", required: false },
  extraCertSANs: { kind: "list", required: false },
  applyMode: { kind: "string", required: false, oneOf: Object.values(ApplyMode) },
  tryTimeout: { kind: "string", required: false },
  waitTimeoutSeconds: { kind: "number", required: false },
  talosconfig: { kind: "secret", required: true },
  metallb: { kind: "mapping", required: false, fields: METALLB },
  metallbBgpPassword: { kind: "secret", required: false },
  cilium: { kind: "mapping", required: false, fields: CILIUM },
  ciliumBgpPassword: { kind: "secret", required: false },
  kubeconfig: { kind: "secret", required: false },
};

/** The generated-config keys (`proxmox`, `talosvip`); the talosconfig is then optional. */
const GENERATED: FieldRules<GeneratedSettings & { talosconfig?: pulumi.Output<string> }> & Rules = {
  talosconfig: { kind: "secret", required: false },
  configSource: { kind: "string", required: false, oneOf: Object.values(ConfigSource) },
  clusterName: { kind: "string", required: false },
  kubernetesVersion: { kind: "string", required: false },
  workerNodes: {
    kind: "list",
    required: false,
    items: { name: { kind: "string", required: true }, address: { kind: "string", required: true } },
  },
  workerParallelism: { kind: "number", required: false },
};

const PROXMOX: ConfigRules<ProxmoxStackConfig> = {
  ...COMMON,
  ...LINK,
  vip: { kind: "string", required: true },
  proxmox: {
    kind: "mapping",
    required: true,
    fields: {
      endpoint: { kind: "string", required: true },
      insecure: { kind: "boolean", required: false },
      nodeName: { kind: "string", required: true },
      templateVmId: { kind: "number", required: true },
      firstVmId: { kind: "number", required: false },
      datastoreId: { kind: "string", required: false },
      bridge: { kind: "string", required: false },
      cores: { kind: "number", required: false },
      memoryMiB: { kind: "number", required: false },
      qemuGuestAgent: { kind: "boolean", required: false },
    },
  },
  proxmoxApiToken: { kind: "secret", required: true },
  ...GENERATED,
};

const AWS: ConfigRules<AwsStackConfig> = {
  ...COMMON,
  controlPlanes: { kind: "list", required: true, items: { ...CONTROL_PLANE, instanceId: { kind: "string", required: true } } },
  aws: {
    kind: "mapping",
    required: true,
    fields: {
      environment: { kind: "string", required: true },
      vpcId: { kind: "string", required: true },
      vpcCidr: { kind: "string", required: true },
      subnetIds: { kind: "list", required: true },
      internal: { kind: "boolean", required: false },
      allowedAdminCidrs: { kind: "list", required: false },
      allowPublicAccess: { kind: "boolean", required: false },
      instanceSecurityGroupId: { kind: "string", required: true },
      enableDeletionProtection: { kind: "boolean", required: false },
      enableCrossZoneLoadBalancing: { kind: "boolean", required: false },
      preserveClientIp: { kind: "boolean", required: false },
      deregistrationDelay: { kind: "number", required: false },
      healthCheckInterval: { kind: "number", required: false },
      healthCheckTimeout: { kind: "number", required: false },
      healthyThreshold: { kind: "number", required: false },
      unhealthyThreshold: { kind: "number", required: false },
    },
  },
  workers: {
    kind: "list",
    required: false,
    items: { name: { kind: "string", required: true }, instanceId: { kind: "string", required: true } },
  },
};

const BAREMETAL: ConfigRules<BaremetalStackConfig> = {
  ...COMMON,
  ...LINK,
  loadBalancer: {
    kind: "mapping",
    required: true,
    fields: {
      mode: { kind: "string", required: false, oneOf: Object.values(LoadBalancerMode) },
      vrrpInterface: { kind: "string", required: false },
      virtualRouterId: { kind: "number", required: false },
      tuningProfile: { kind: "string", required: false, oneOf: Object.values(TuningProfile) },
      tuning: { kind: "mapping", required: false },
      dnsName: { kind: "string", required: false },
      dnsTtl: { kind: "number", required: false },
      hosts: {
        kind: "list",
        required: false,
        items: {
          name: { kind: "string", required: true },
          address: { kind: "string", required: true },
          priority: { kind: "number", required: false },
          sshUser: { kind: "string", required: false },
          sshPort: { kind: "number", required: false },
        },
      },
      vip: { kind: "string", required: false },
    },
  },
  lbSshPrivateKey: { kind: "secret", required: true },
  vrrpAuthPass: { kind: "secret", required: false },
};

const KUBEVIP: ConfigRules<KubeVipStackConfig> = {
  ...COMMON,
  kubeVip: {
    kind: "mapping",
    required: true,
    fields: {
      vip: { kind: "string", required: true },
      mode: { kind: "string", required: true, oneOf: Object.values(KubeVipMode) },
      interface: { kind: "string", required: false },
      image: { kind: "string", required: false },
      leaseDurationSeconds: { kind: "number", required: false },
      renewDeadlineSeconds: { kind: "number", required: false },
      retryPeriodSeconds: { kind: "number", required: false },
      bgp: {
        kind: "mapping",
        required: false,
        fields: {
          localASN: { kind: "number", required: true },
          routerId: { kind: "string", required: false },
          peers: {
            kind: "list",
            required: true,
            items: {
              address: { kind: "string", required: true },
              asn: { kind: "number", required: true },
              port: { kind: "number", required: false },
              multihop: { kind: "boolean", required: false },
            },
          },
        },
      },
      loadBalancer: {
        kind: "mapping",
        required: false,
        fields: {
          enabled: { kind: "boolean", required: false },
          port: { kind: "number", required: false },
          forwardingMethod: { kind: "string", required: false, oneOf: Object.values(KubeVipForwardingMethod) },
        },
      },
      services: {
        kind: "mapping",
        required: false,
        fields: {
          enabled: { kind: "boolean", required: false },
          classOnly: { kind: "boolean", required: false },
          className: { kind: "string", required: false },
        },
      },
      kubeProxyMode: { kind: "string", required: false, oneOf: Object.values(KubeProxyMode) },
    },
  },
  kubeVipBgpPassword: { kind: "secret", required: false },
};

/** The rules of each platform. */
const TALOSVIP: ConfigRules<TalosVipStackConfig> = {
  ...COMMON,
  ...LINK,
  ...GENERATED,
  vip: { kind: "string", required: true },
  linkAddressing: { kind: "string", required: false, oneOf: Object.values(LinkAddressing) },
};

const RULES: { readonly [P in Platform]: Rules } = {
  proxmox: PROXMOX,
  aws: AWS,
  baremetal: BAREMETAL,
  kubevip: KUBEVIP,
  talosvip: TALOSVIP,
};

/** Why a top-level key of another platform does not apply to this one, where more can be said than "remove it". */
const FOREIGN_HINTS: { readonly [P in Platform]?: Readonly<Record<string, string>> } = {
  baremetal: { vip: "the bare-metal VIP is loadBalancer.vip" },
  kubevip: {
    vip: "the kube-vip VIP is kubeVip.vip",
    link: "kube-vip picks its interface itself, or takes kubeVip.interface",
    linkSelector: "kube-vip picks its interface itself, or takes kubeVip.interface",
  },
  aws: {
    vip: "the endpoint is the NLB's DNS name",
    link: "the nodes get no link config behind the NLB",
    linkSelector: "the nodes get no link config behind the NLB",
  },
};

/**
 * The secret keys each platform requires (`pulumi config set --secret`; synth substitutes
 * placeholders when they are missing), derived from the rules: `proxmox`: talosconfig,
 * proxmoxApiToken; `aws`: talosconfig; `baremetal`: talosconfig, lbSshPrivateKey.
 */
export const SECRET_CONFIG_KEYS: Record<string, readonly string[]> = Object.fromEntries(
  PLATFORMS.map((p) => [
    p,
    Object.entries(RULES[p])
      .filter(([, rule]) => rule.kind === "secret" && rule.required)
      .map(([key]) => key),
  ]),
);

// ---------------------------------------------------------------------------------------------
// Reading and checking.

/** The value shown for a key of no platform: it may hold a secret. */
const NOT_SHOWN = "[not shown]";

const KIND_TEXT: Record<Kind, string> = {
  string: "a string",
  number: "a number",
  boolean: "true or false",
  list: "a list",
  mapping: "a mapping",
  secret: "a secret",
};

/** Where a check stands: the chosen platform, and the same level of the other platforms' rules. */
interface Level {
  platform: Platform;
  others: { platform: Platform; rules: Rules | undefined }[];
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function kindMatches(kind: Kind, value: unknown): boolean {
  switch (kind) {
    case "string":
      return typeof value === "string";
    case "number":
      return typeof value === "number" && Number.isFinite(value);
    case "boolean":
      return typeof value === "boolean";
    case "list":
      return Array.isArray(value);
    case "mapping":
      return isMapping(value);
    case "secret":
      return pulumi.Output.isInstance(value);
  }
}

/** A value as an error message may show it: secrets masked. */
function shown(value: unknown): unknown {
  return pulumi.Output.isInstance(value) ? "[secret]" : value;
}

function quoted(platforms: readonly Platform[]): string {
  const q = platforms.map((p) => `"${p}"`);
  return q.length === 1 ? `platform ${q[0]}` : `platforms ${q.slice(0, -1).join(", ")} and ${q[q.length - 1]}`;
}

/** The same level one field down (`nested: "fields"`) or in a list's mappings (`"items"`). */
function below(level: Level, key: string, nested: "fields" | "items"): Level {
  return { platform: level.platform, others: level.others.map((o) => ({ platform: o.platform, rules: o.rules?.[key]?.[nested] })) };
}

/**
 * Checks a mapping against its rules: no unknown or foreign fields, the required ones set, each
 * one of its kind (and enumeration), nested mappings and lists of mappings likewise.
 * @param field the mapping's config key, or undefined for the config itself.
 * @throws InputError naming the config key (`talos-endpoints:<key>[.<field>|[i]]…`).
 */
function checkMapping(field: string | undefined, value: unknown, rules: Rules, level: Level): void {
  const at = (key: string) => (field === undefined ? `${PROJECT}:${key}` : `${field}.${key}`);
  const on = `(platform "${level.platform}")`;
  if (!isMapping(value)) throw new InputError(field ?? PROJECT, value, `must be ${KIND_TEXT.mapping} ${on}`);
  for (const key of Object.keys(value)) {
    if (Object.hasOwn(rules, key)) continue;
    const owners = level.others.filter((o) => o.rules !== undefined && Object.hasOwn(o.rules, key)).map((o) => o.platform);
    if (owners.length > 0) {
      const hint = field === undefined ? FOREIGN_HINTS[level.platform]?.[key] : undefined;
      throw new InputError(
        at(key),
        shown(value[key]),
        `is read only with ${quoted(owners)}, not with platform "${level.platform}"${hint ? ` (${hint})` : ""}: remove it`,
      );
    }
    const what = field === undefined ? `a key of the stack config ${on}; keys` : `a field of ${field} ${on}; fields`;
    throw new InputError(at(key), shown(value[key]), `is not ${what}: ${Object.keys(rules).join(", ")}`);
  }
  for (const [key, rule] of Object.entries(rules)) {
    const v = value[key];
    if (v === undefined) {
      if (!rule.required) continue;
      const everyone = level.others.every((o) => o.rules?.[key]?.required === true);
      const who = everyone ? `every platform needs it (platform "${level.platform}")` : `platform "${level.platform}" needs it`;
      const how = rule.kind === "secret" ? `; set it with \`pulumi config set --secret ${at(key)} ...\`` : "";
      throw new InputError(at(key), undefined, `is required: ${who}${how}`);
    }
    if (!kindMatches(rule.kind, v)) throw new InputError(at(key), shown(v), `must be ${KIND_TEXT[rule.kind]} ${on}`);
    if (rule.oneOf !== undefined && !rule.oneOf.includes(v)) {
      throw new InputError(at(key), v, `must be one of ${rule.oneOf.join(", ")} ${on}`);
    }
    if (rule.fields !== undefined) checkMapping(at(key), v, rule.fields, below(level, key, "fields"));
    const items = rule.items;
    if (items !== undefined && Array.isArray(v)) {
      v.forEach((item, i) => checkMapping(`${at(key)}[${i}]`, item, items, below(level, key, "items")));
    }
  }
}

/** {@link checkMapping} of the whole config, typed by its rules. */
function assertConfig<C>(value: unknown, rules: ConfigRules<C>, level: Level): asserts value is Omit<C, "platform"> {
  checkMapping(undefined, value, rules, level);
}

/**
 * One top-level key as its rule reads it: strings as they are, numbers and booleans parsed,
 * lists and mappings from their JSON form, secrets with `getSecret`. A value that does not parse
 * is returned as it is, for the kind check to refuse it.
 */
function readKey(cfg: pulumi.Config, key: string, kind: Kind): unknown {
  if (kind === "secret") return cfg.getSecret(key);
  const raw = cfg.get(key);
  if (raw === undefined) return undefined;
  switch (kind) {
    case "string":
      return raw;
    case "number":
      return raw.trim() !== "" && Number.isFinite(Number(raw)) ? Number(raw) : raw;
    case "boolean":
      return raw === "true" ? true : raw === "false" ? false : raw;
    case "list":
    case "mapping":
      try {
        const parsed: unknown = JSON.parse(raw);
        return parsed === null ? undefined : parsed;
      } catch {
        return raw;
      }
  }
}

/** The keys set in the `talos-endpoints` namespace, without the namespace. */
function configuredKeys(): string[] {
  const prefix = `${PROJECT}:`;
  return Object.keys(pulumi.runtime.allConfig())
    .filter((k) => k.startsWith(prefix))
    .map((k) => k.slice(prefix.length));
}

/** `talos-endpoints:platform`. @throws InputError when it is not set or not one of {@link PLATFORMS}. */
function readPlatform(cfg: pulumi.Config): Platform {
  const raw = cfg.get("platform");
  const platform = PLATFORMS.find((p) => p === raw);
  if (platform === undefined) {
    throw new InputError(`${PROJECT}:platform`, raw, `must be one of ${PLATFORMS.join(", ")} (it decides which other keys are read)`);
  }
  return platform;
}

/** Reads and checks every key of one platform's config (all but `platform`). */
function readPlatformConfig<C>(cfg: pulumi.Config, platform: Platform, rules: ConfigRules<C>): Omit<C, "platform"> {
  const values: Record<string, unknown> = {};
  for (const key of configuredKeys()) {
    if (key === "platform") continue;
    // A key of this platform is read by its rule; one of another platform by the rule there (for
    // the message: secrets stay masked); one of no platform is not shown.
    const rule = [rules, ...PLATFORMS.map((p) => RULES[p])].find((r) => Object.hasOwn(r, key))?.[key];
    const value = rule ? readKey(cfg, key, rule.kind) : NOT_SHOWN;
    if (value !== undefined) values[key] = value;
  }
  const level: Level = { platform, others: PLATFORMS.filter((p) => p !== platform).map((p) => ({ platform: p, rules: RULES[p] })) };
  assertConfig<C>(values, rules, level);
  checkServiceLoadBalancer(values);
  checkKubeVipNeedsKubePrism(platform, values);
  return values;
}

/**
 * kube-vip reaches the API server only through KubePrism (its DaemonSet's
 * `KUBERNETES_SERVICE_HOST=localhost`, port `kubePrismPort`), so the kubevip platform refuses
 * `kubePrismEnabled: false`.
 * @throws InputError naming `talos-endpoints:kubePrismEnabled`.
 */
function checkKubeVipNeedsKubePrism(platform: string, values: Record<string, unknown>): void {
  if (platform === "kubevip" && values.kubePrismEnabled === false) {
    throw new InputError(
      `${PROJECT}:kubePrismEnabled`,
      false,
      `must not be false on platform "kubevip": kube-vip's DaemonSet reaches the API server through KubePrism (localhost:<kubePrismPort>)`,
    );
  }
}

/**
 * One Service load balancer: `metallb` and `cilium` are refused together, and `cilium` needs
 * KubePrism (its Helm values point the agent at `localhost:<kubePrismPort>`).
 * @throws InputError naming `talos-endpoints:cilium` or `talos-endpoints:kubePrismEnabled`.
 */
function checkServiceLoadBalancer(values: Partial<StackConfigBase>): void {
  if (values.cilium === undefined) return;
  if (values.metallb !== undefined) {
    throw new InputError(
      `${PROJECT}:cilium`,
      { mode: values.cilium.mode },
      `cannot be set together with ${PROJECT}:metallb: both would allocate and announce LoadBalancer addresses; keep one of the two`,
    );
  }
  if (values.kubePrismEnabled === false) {
    throw new InputError(
      `${PROJECT}:kubePrismEnabled`,
      false,
      `must not be false with ${PROJECT}:cilium: Cilium reaches the API server through KubePrism (k8sServiceHost: localhost)`,
    );
  }
}

/**
 * Reads the stack config of the platform `talos-endpoints:platform` names.
 * @returns the platform's config: its required keys set, every value of its kind.
 * @throws InputError naming the config key (`talos-endpoints:<key>`, with `.field` / `[i]` inside
 * mappings and lists) and its value (secrets `[secret]`, keys of no platform `[not shown]`), and the
 * platform, when: `platform` is unset or unknown; a key or field the platform requires is missing;
 * a value is of the wrong kind or outside its enumeration; a key or field belongs to another
 * platform only (refused, not ignored: see the module docstring); a key or field belongs to no
 * platform.
 */
export function readStackConfig(): StackConfig {
  const cfg = new pulumi.Config(PROJECT);
  const platform = readPlatform(cfg);
  switch (platform) {
    case "proxmox":
      return { platform, ...readPlatformConfig<ProxmoxStackConfig>(cfg, platform, PROXMOX) };
    case "aws":
      return { platform, ...readPlatformConfig<AwsStackConfig>(cfg, platform, AWS) };
    case "baremetal":
      return { platform, ...readPlatformConfig<BaremetalStackConfig>(cfg, platform, BAREMETAL) };
    case "kubevip":
      return { platform, ...readPlatformConfig<KubeVipStackConfig>(cfg, platform, KUBEVIP) };
    case "talosvip":
      return { platform, ...readPlatformConfig<TalosVipStackConfig>(cfg, platform, TALOSVIP) };
    default: {
      const unhandled: never = platform;
      throw new InputError(`${PROJECT}:platform`, unhandled, "has no config rules");
    }
  }
}
