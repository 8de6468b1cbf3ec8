/**
 * The stack configuration, read from `Pulumi.<stack>.yaml` (namespace `talos-endpoints`).
 * See the README, "Stack configuration", for every key.
 */
import * as pulumi from "@pulumi/pulumi";
import { ControlPlaneNodeArgs, LinkSelectorArgs } from "../../src/components/contract";
import type { HaproxyKeepalivedEndpointArgs } from "../../src/components/HaproxyKeepalivedEndpoint";
import type { MetalLbServicesArgs } from "../../src/components/MetalLbServices";
import type { NlbEndpointArgs } from "../../src/components/NlbEndpoint";
import { InputError } from "../../src/core/errors";

/** Project name from Pulumi.yaml: the config namespace. */
export const PROJECT = "talos-endpoints";

/** Config keys that must be set with `pulumi config set --secret` (synth substitutes placeholders). */
export const SECRET_CONFIG_KEYS: Record<string, readonly string[]> = {
  proxmox: ["talosconfig", "proxmoxApiToken"],
  aws: ["talosconfig"],
  baremetal: ["talosconfig", "lbSshPrivateKey"],
};

/** Platforms the stack program builds. */
export const PLATFORMS = ["proxmox", "aws", "baremetal"] as const;

/** Proxmox settings (`talos-endpoints:proxmox`). */
export interface ProxmoxSettings {
  /** Proxmox VE API URL, e.g. `https://pve.example.internal:8006/`. */
  endpoint: string;
  /** Skip TLS verification of the Proxmox API. Default false. */
  insecure?: boolean;
  /** Proxmox node that hosts the VMs, e.g. `pve`. */
  nodeName: string;
  /** VM ID of a template made from the Talos nocloud image (see README). */
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

/** A control plane in the aws stack: the node plus its EC2 instance. */
export interface AwsControlPlaneConfig extends ControlPlaneNodeArgs {
  /** EC2 instance ID, e.g. `i-0123456789abcdef0`. */
  instanceId: string;
}

/** A worker in the aws stack: its Talos API is published on NLB listener 50001. */
export interface AwsWorkerConfig {
  name: string;
  instanceId: string;
}

/** AWS settings (`talos-endpoints:aws`): the `NlbEndpoint` inputs other than the instances (documented there). */
export type AwsSettings = Omit<NlbEndpointArgs, "controlPlaneInstances" | "workerInstances">;

/** A load-balancer host in the baremetal stack; the SSH key is the secret `lbSshPrivateKey`. */
export interface LoadBalancerHostConfig {
  name: string;
  /** Address with prefix on the VRRP interface, e.g. `192.168.30.21/24`. */
  address: string;
  priority?: number;
  /** SSH user, default `root` (others use `sudo -n`). */
  sshUser?: string;
  /** SSH port, default 22. */
  sshPort?: number;
}

/**
 * Bare-metal load-balancer settings (`talos-endpoints:loadBalancer`): the `HaproxyKeepalivedEndpoint`
 * inputs (documented there), with the hosts' SSH key taken from the secret `lbSshPrivateKey`.
 */
export type LoadBalancerSettings = Pick<
  HaproxyKeepalivedEndpointArgs,
  "mode" | "vrrpInterface" | "virtualRouterId" | "tuningProfile" | "tuning" | "dnsName" | "dnsTtl"
> & { hosts?: LoadBalancerHostConfig[]; /** The VIP, plain from config (`192.168.30.30/24`). */ vip?: string };

/**
 * MetalLB settings (`talos-endpoints:metallb`): the `MetalLbServices` inputs the stack does not
 * derive itself (node addresses, the VIP and the load-balancer hosts come from the rest of the
 * config; BGP peers get the optional secret `metallbBgpPassword`).
 */
export type MetalLbSettings = Omit<
  MetalLbServicesArgs,
  "nodeAddresses" | "controlPlaneVip" | "loadBalancerHosts" | "gateway" | "kubeconfig"
>;

/** Everything the stack program reads. */
export interface StackConfig {
  platform: (typeof PLATFORMS)[number];
  talosVersion: string;
  controlPlanes: AwsControlPlaneConfig[] | ControlPlaneNodeArgs[];
  /** The shared VIP (proxmox). */
  vip?: string;
  link?: string;
  linkSelector?: LinkSelectorArgs;
  gateway?: string;
  kubePrismEnabled?: boolean;
  kubePrismPort?: number;
  extraCertSANs?: string[];
  applyMode?: string;
  tryTimeout?: string;
  /** Bound on each wait of the Talos push, seconds (0 before the cluster is bootstrapped). */
  waitTimeoutSeconds?: number;
  talosconfig: pulumi.Output<string>;
  proxmox?: ProxmoxSettings;
  proxmoxApiToken?: pulumi.Output<string>;
  aws?: AwsSettings;
  workers?: AwsWorkerConfig[];
  loadBalancer?: LoadBalancerSettings;
  lbSshPrivateKey?: pulumi.Output<string>;
  vrrpAuthPass?: pulumi.Output<string>;
  metallb?: MetalLbSettings;
  /** BGP session password for every MetalLB peer (secret, optional). */
  metallbBgpPassword?: pulumi.Output<string>;
  /** Kubeconfig for MetalLB `delivery: kubernetes` (secret). */
  kubeconfig?: pulumi.Output<string>;
}

/**
 * Reads the stack config.
 * @throws InputError naming the key when `platform` is unknown or a required key is missing.
 */
export function readStackConfig(): StackConfig {
  const cfg = new pulumi.Config(PROJECT);
  const platform = cfg.require("platform");
  if (!(PLATFORMS as readonly string[]).includes(platform)) {
    throw new InputError("platform", platform, `must be one of ${PLATFORMS.join(", ")}`);
  }
  const proxmox = platform === "proxmox" ? cfg.requireObject<ProxmoxSettings>("proxmox") : undefined;
  return {
    platform: platform as StackConfig["platform"],
    talosVersion: cfg.require("talosVersion"),
    controlPlanes: cfg.requireObject<ControlPlaneNodeArgs[]>("controlPlanes"),
    vip: platform === "proxmox" ? cfg.require("vip") : cfg.get("vip"),
    link: cfg.get("link"),
    linkSelector: cfg.getObject<LinkSelectorArgs>("linkSelector"),
    gateway: cfg.get("gateway"),
    kubePrismEnabled: cfg.getBoolean("kubePrismEnabled"),
    kubePrismPort: cfg.getNumber("kubePrismPort"),
    extraCertSANs: cfg.getObject<string[]>("extraCertSANs"),
    applyMode: cfg.get("applyMode"),
    tryTimeout: cfg.get("tryTimeout"),
    waitTimeoutSeconds: cfg.getNumber("waitTimeoutSeconds"),
    talosconfig: cfg.requireSecret("talosconfig"),
    proxmox,
    proxmoxApiToken: proxmox ? cfg.requireSecret("proxmoxApiToken") : undefined,
    aws: platform === "aws" ? cfg.requireObject<AwsSettings>("aws") : undefined,
    workers: cfg.getObject<AwsWorkerConfig[]>("workers"),
    loadBalancer: platform === "baremetal" ? cfg.requireObject<LoadBalancerSettings>("loadBalancer") : undefined,
    lbSshPrivateKey: platform === "baremetal" ? cfg.requireSecret("lbSshPrivateKey") : undefined,
    vrrpAuthPass: cfg.getSecret("vrrpAuthPass"),
    metallb: cfg.getObject<MetalLbSettings>("metallb"),
    metallbBgpPassword: cfg.getSecret("metallbBgpPassword"),
    kubeconfig: cfg.getSecret("kubeconfig"),
  };
}
