/**
 * TalosVipEndpoint: the Talos native VIP as the control-plane endpoint.
 */
import * as pulumi from "@pulumi/pulumi";
import { validateControlPlanes, validateLayer2Vip } from "../render/talos/controlPlanes";
import { InputError } from "../core/errors";
import { checkLinkName, kubernetesApiUrl } from "../render/talos/patch";
import { parseTalosVersion } from "../render/talos/version";
import { componentToken, ControlPlaneEndpoint, ControlPlaneNodeArgs, LinkSelectorArgs } from "./contract";
import { validated } from "./inputs";

/** Arguments of {@link TalosVipEndpoint}. */
export interface TalosVipEndpointArgs {
  /** Target Talos version, `1.9` through `1.13` (a `v` prefix and patch number are accepted). Decides the VIP config form. */
  talosVersion: pulumi.Input<string>;
  /**
   * The control-plane nodes that share the VIP: at least one, unique names and addresses, all in
   * one subnet (the VIP moves by gratuitous ARP, so they must share Layer 2). An even count gets a
   * warning (etcd quorum).
   */
  controlPlanes: ControlPlaneNodeArgs[];
  /** The shared VIP, a plain IP (`192.168.30.30`): unused, inside the nodes' subnet. */
  vip: pulumi.Input<string>;
  /** Interface that carries the VIP on every node, e.g. `eth0`. Set this or `linkSelector`. */
  link?: pulumi.Input<string>;
  /** Hardware selection of that interface instead of `link`. */
  linkSelector?: pulumi.Input<LinkSelectorArgs>;
}

/** Checks {@link TalosVipEndpointArgs} resolved values; returns the VIP, node IPs and warnings. */
export function checkTalosVipArgs(args: pulumi.Unwrap<TalosVipEndpointArgs>): { vip: string; nodeIps: string[]; warnings: string[] } {
  parseTalosVersion(args.talosVersion);
  const { nodes, warnings } = validateControlPlanes("controlPlanes", args.controlPlanes);
  if (args.link === undefined && args.linkSelector === undefined) {
    throw new InputError("link", args.link, "must be set (or linkSelector): the VIP is assigned to a link on every node");
  }
  if (args.link !== undefined && args.linkSelector !== undefined) {
    throw new InputError("linkSelector", args.linkSelector, "cannot be combined with link; set one of them");
  }
  if (args.link !== undefined) checkLinkName("link", args.link);
  const vip = validateLayer2Vip("vip", args.vip, nodes, "controlPlanes");
  return { vip, nodeIps: nodes.map((n) => n.address.ip), warnings };
}

/**
 * The Talos native VIP ("Virtual (shared) IP", Talos docs) as the control-plane endpoint.
 *
 * Talos itself holds the VIP: the control-plane nodes elect its holder through etcd and move it
 * by gratuitous ARP. There is therefore nothing outside the nodes to create, and this component
 * registers no child resources: it validates the inputs and publishes the endpoint contract. The
 * VIP reaches the nodes through `TalosConfigPush`, which takes this component's `endpoint` and
 * `vip` outputs. On Talos < 1.12 the VIP is a `machine.network.interfaces[]` entry, which stops
 * Talos's default DHCP on the link: the push keeps DHCP there unless its `linkAddressing` is
 * `static` (see `TalosConfigPushArgs.linkAddressing`).
 *
 * Failover: near-instant on graceful shutdown; up to about a minute when the holder crashes
 * (Talos waits out the etcd election so that two nodes never announce the VIP). The VIP is only
 * held once etcd is bootstrapped, which is why `talosApiEndpoints` lists the node addresses.
 *
 * Errors (InputError, thrown before any resource is registered when the inputs are plain values;
 * otherwise when they resolve, before the push can use them): unsupported Talos version; empty
 * node list; malformed or duplicate node names/addresses; malformed VIP; VIP outside the nodes'
 * subnet, equal to a node address or to the subnet's network/broadcast address; no `link` and no
 * `linkSelector`, or both.
 */
export class TalosVipEndpoint extends pulumi.ComponentResource implements ControlPlaneEndpoint {
  /** The VIP: what clients use. */
  public readonly endpoint!: pulumi.Output<string>;
  /** `https://<vip>:6443`. */
  public readonly kubernetesApiUrl!: pulumi.Output<string>;
  /** The node addresses (no prefix), for talosconfig endpoints. */
  public readonly talosApiEndpoints!: pulumi.Output<string[]>;
  /** The VIP (same as `endpoint`), for `TalosConfigPush.vip`. */
  public readonly vip!: pulumi.Output<string>;

  constructor(name: string, args: TalosVipEndpointArgs, opts?: pulumi.ComponentResourceOptions) {
    const checked = validated(args, checkTalosVipArgs);
    super(componentToken("TalosVipEndpoint"), name, {}, opts);
    this.endpoint = checked.apply((c) => {
      c.warnings.forEach((w) => pulumi.log.warn(w, this));
      return c.vip;
    });
    this.vip = this.endpoint;
    this.kubernetesApiUrl = this.endpoint.apply(kubernetesApiUrl);
    this.talosApiEndpoints = checked.nodeIps;
    this.registerOutputs({
      endpoint: this.endpoint,
      kubernetesApiUrl: this.kubernetesApiUrl,
      talosApiEndpoints: this.talosApiEndpoints,
      vip: this.vip,
    });
  }
}
