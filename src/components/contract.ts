/**
 * The endpoint contract every backend implements.
 */
import * as pulumi from "@pulumi/pulumi";

/**
 * Outputs shared by the control-plane endpoint components (`NlbEndpoint`,
 * `HaproxyKeepalivedEndpoint`, `TalosVipEndpoint`), so a stack can swap backends without touching
 * the Talos push. The Service load balancers (`MetalLbServices`, `CiliumServices`) have an
 * `endpoint` output too, with another meaning: the address reserved for the ingress Service.
 */
export interface ControlPlaneEndpoint {
  /** The host name or IP clients use for the control plane (no scheme, no port), e.g. `192.168.30.30`. */
  readonly endpoint: pulumi.Output<string>;
  /** `https://<endpoint>:6443`: the Kubernetes API URL for kubeconfigs and `cluster.controlPlane.endpoint`. */
  readonly kubernetesApiUrl: pulumi.Output<string>;
  /**
   * The physical control-plane addresses (no prefix) for `talosctl config endpoint`. Never the VIP:
   * the Talos docs say the talosconfig must not point at a VIP, because the VIP is only held while
   * etcd is healthy, exactly when talosctl is needed most ("Virtual (shared) IP", Talos docs).
   */
  readonly talosApiEndpoints: pulumi.Output<string[]>;
}

/** Type token of a component of this package: `talos-endpoints:index:<Name>`. */
export function componentToken(name: string): string {
  return `talos-endpoints:index:${name}`;
}

/** A control-plane node as the components take it. */
export interface ControlPlaneNodeArgs {
  /**
   * Node name: a DNS label (`cp-01`). Plain string, not an Input: child resources and synth files
   * are named after it, and names must be known when the program runs.
   */
  name: string;
  /** The node's own address with prefix length, e.g. `192.168.30.31/24`. May be an Output (e.g. from a VM resource). */
  address: pulumi.Input<string>;
}

/**
 * Hardware selection of a node link instead of a fixed interface name. Every field set must
 * match; `hardwareAddr`, `permanentAddr` and `busPath` accept `*` wildcards.
 * Rendered as `deviceSelector` (Talos < 1.12) or a `LinkAliasConfig` (Talos >= 1.12).
 */
export interface LinkSelectorArgs {
  /** MAC address, e.g. `bc:24:11:*`. */
  hardwareAddr?: pulumi.Input<string>;
  /** Permanent MAC address. */
  permanentAddr?: pulumi.Input<string>;
  /** Kernel driver, e.g. `virtio_net`. */
  driver?: pulumi.Input<string>;
  /** PCI bus path, e.g. `0000:00:12.0`. */
  busPath?: pulumi.Input<string>;
}
