/**
 * KubeVipEndpoint: kube-vip on the control planes as the control-plane endpoint (ARP or BGP VIP,
 * optional IPVS load balancing across the API servers, optional Services of type LoadBalancer).
 */
import * as pulumi from "@pulumi/pulumi";
import { InputError } from "../core/errors";
import { componentToken, ControlPlaneEndpoint, ControlPlaneNodeArgs } from "./contract";
import { nonEmptyPassword, validated } from "./inputs";
import { checkKubeVipStructure, KubeVipSpec, renderKubeVip, renderKubeVipTalosPatch } from "../render/kubevip";
import { KubeProxyMode, KubeVipForwardingMethod, KubeVipMode } from "../render/enums";
import { kubernetesApiUrl } from "../render/talos/patch";
import { toPatchYaml } from "../render/patchYaml";

/** One BGP peer of the control planes (an entry of kube-vip's `bgp_peers`). */
export interface KubeVipBgpPeerArgs {
  /** The router's address, a plain IPv4 or IPv6 address. Required; not a control-plane address; no two peers alike. */
  address: pulumi.Input<string>;
  /** The router's AS number, an integer 1–4294967295. */
  asn: pulumi.Input<number>;
  /** The router's TCP port, 1–65535. Default 179 (kube-vip's, `pkg/bgp/peers.go` v1.0.0). */
  port?: pulumi.Input<number>;
  /** eBGP multihop (the router is more than one hop away). Default false. */
  multihop?: pulumi.Input<boolean>;
  /**
   * TCP MD5 password; pass a Pulumi secret. Non-empty, without `:`, `,`, `/` or whitespace
   * (kube-vip's `bgp_peers` format cannot escape them). With any password the whole peer list
   * moves into the Secret `kube-vip-bgp` (key `bgp_peers`, `kube-system`) that the DaemonSet's
   * `bgp_peers` variable reads (`secretKeyRef`); it travels only in `talosPatch`, which is then a
   * Pulumi secret. Default none.
   */
  password?: pulumi.Input<string>;
}

/** BGP mode: every control plane announces the VIP to the peers (kube-vip `bgp_enable`). */
export interface KubeVipBgpArgs {
  /** The control planes' AS number (`bgp_as`), an integer 1–4294967295. */
  localASN: pulumi.Input<number>;
  /**
   * Router ID (`bgp_routerid`), IPv4. Default: each node's own address (`status.hostIP` through
   * the downward API), which is what several control planes need; an explicit value is refused
   * with more than one control plane (every speaker needs its own ID).
   */
  routerId?: pulumi.Input<string>;
  /** At least one peer. A plain list: whether a peer has a password decides whether the patch is secret. */
  peers: KubeVipBgpPeerArgs[];
}

/** kube-vip's IPVS load balancer across the API servers (active-active behind the VIP). */
export interface KubeVipLoadBalancerArgs {
  /** `lb_enable`. Default false. Refused with `kubeProxyMode: ipvs` (kube-vip#745). */
  enabled?: pulumi.Input<boolean>;
  /**
   * `lb_port`: the IPVS service's port on the VIP, 1–65535. Default 6443 (kube-vip's), so that
   * `kubernetesApiUrl` (always port 6443) is the balanced address; with another port, clients
   * reach the balancer at `<vip>:<port>` and `kubernetesApiUrl` the holder's own API server.
   */
  port?: pulumi.Input<number>;
  /**
   * `lb_fwdmethod` (`KubeVipForwardingMethod`). Default `masquerade`: the only method here that
   * spreads connections over every control plane without changing the backends' network setup;
   * the container then runs privileged, as kube-vip's own manifests do. kube-vip's own default,
   * `local` (IPVS LOCALNODE), hands every connection to the holder's own kube-apiserver.
   */
  forwardingMethod?: pulumi.Input<KubeVipForwardingMethod>;
}

/** kube-vip for Services of type LoadBalancer (`svc_enable`). */
export interface KubeVipServicesArgs {
  /** `svc_enable`. Default false. kube-vip then announces Service addresses in the same mode as the VIP. */
  enabled?: pulumi.Input<boolean>;
  /**
   * `lb_class_only`: take only Services whose `spec.loadBalancerClass` is `className`. Default
   * false, which beside MetalLB or Cilium makes both controllers take class-less Services (the
   * stack guards refuse it); a warning otherwise.
   */
  classOnly?: pulumi.Input<boolean>;
  /** `lb_class_name`. Default `kube-vip.io/kube-vip-class` (kube-vip's). */
  className?: pulumi.Input<string>;
}

/** Arguments of {@link KubeVipEndpoint}. */
export interface KubeVipEndpointArgs {
  /** Target Talos version, `1.9` through `1.13` (a `v` prefix and patch number are accepted). */
  talosVersion: pulumi.Input<string>;
  /** The control planes (at least one; unique names and addresses with prefix). kube-vip runs on each (DaemonSet with the control-plane node selector). */
  controlPlanes: ControlPlaneNodeArgs[];
  /** The VIP, a plain IP (`192.168.30.30`). `arp` mode: unused and inside the nodes' subnet. `bgp` mode: any unused address the routers accept as a /32 (/128). */
  vip: pulumi.Input<string>;
  /** `arp` or `bgp` (`KubeVipMode`). Plain, not an Input: it decides which other inputs apply. */
  mode: KubeVipMode;
  /** `vip_interface`: where the VIP is added, e.g. `eth0`. Default: kube-vip picks the interface of the default route. */
  interface?: pulumi.Input<string>;
  /** Container image. Default `ghcr.io/kube-vip/kube-vip:v1.2.3` (first release with the kube-vip#1658 fix). */
  image?: pulumi.Input<string>;
  /**
   * `arp` mode: `vip_leaseduration`, whole seconds 1–3600. Default 15. Failover after a crash of
   * the holder: at most this plus `retryPeriodSeconds`, then gratuitous ARP.
   */
  leaseDurationSeconds?: pulumi.Input<number>;
  /** `arp` mode: `vip_renewdeadline`, seconds, below `leaseDurationSeconds`. Default 10. */
  renewDeadlineSeconds?: pulumi.Input<number>;
  /** `arp` mode: `vip_retryperiod`, seconds, below `renewDeadlineSeconds`. Default 2. */
  retryPeriodSeconds?: pulumi.Input<number>;
  /** BGP settings: required in `bgp` mode, refused in `arp` mode. */
  bgp?: KubeVipBgpArgs;
  /** The IPVS control-plane load balancer. Default off. */
  loadBalancer?: KubeVipLoadBalancerArgs;
  /** Services of type LoadBalancer. Default off (kube-vip for the control plane only). */
  services?: KubeVipServicesArgs;
  /** KubePrism's port on the nodes (the DaemonSet's API server: `localhost:<port>`), 1–65535. Default 7445 (Talos's). KubePrism must be enabled. */
  kubePrismPort?: pulumi.Input<number>;
  /**
   * kube-proxy's mode: `iptables` (default), `ipvs` or `nftables`. With `ipvs` the IPVS load
   * balancer is refused, and Services announced by ARP get strict ARP in `talosPatch`.
   */
  kubeProxyMode?: pulumi.Input<KubeProxyMode>;
  /** Address blocks (ranges or CIDRs) of other Service load balancers' pools, e.g. MetalLB's: the VIP must stay out of them. Default none. */
  servicePools?: pulumi.Input<pulumi.Input<string>[]>;
}

/** The renderer's spec from the args: passwords replaced by `hasPassword`, so nothing secret reaches the public outputs. */
export function kubeVipSpec(args: KubeVipEndpointArgs) {
  const { bgp, ...rest } = args;
  if (bgp === undefined) return rest;
  return { ...rest, bgp: { ...bgp, peers: bgp.peers.map(({ password, ...peer }) => ({ ...peer, hasPassword: password !== undefined })) } };
}

/**
 * kube-vip (https://kube-vip.io) on the control planes as the control-plane endpoint, delivered
 * the Talos way: a DaemonSet in `kube-system` (hostNetwork; `NET_ADMIN` and `NET_RAW`, all other
 * capabilities dropped) on the nodes labelled `node-role.kubernetes.io/control-plane`, with its
 * ServiceAccount, ClusterRole and ClusterRoleBinding, as one Talos inline manifest in `talosPatch`.
 * It reaches the API server through KubePrism (`localhost:<kubePrismPort>`) with its
 * ServiceAccount: Talos has no `/etc/kubernetes/admin.conf`, which kube-vip's static-pod manifests
 * mount. `kube-system` is the namespace Talos exempts from Pod Security `baseline`.
 *
 * Modes: `arp` (one holder elected through the Lease `plndr-cp-lock`, gratuitous ARP on
 * takeover; with `loadBalancer.enabled` the holder spreads API connections over every control
 * plane with IPVS: active-active behind an active-passive address) or `bgp` (every control plane
 * announces the VIP; the routers spread connections with ECMP). Failover in `arp` mode after a
 * crash: up to `leaseDurationSeconds` + `retryPeriodSeconds` (17 s with the defaults), not
 * measured by this project; in `bgp` mode the router withdraws a dead node's route after its
 * hold time.
 *
 * Registers no child resources: `talosPatch` goes to `TalosConfigPush.extraPatch` (merged with a
 * Service load balancer's patch, if any), and the endpoint contract to the push's `endpoint`.
 * Talos applies inline manifests once the API server is up; until kube-vip runs, the nodes reach
 * the API through KubePrism, so the VIP is not needed to bootstrap.
 *
 * Sources: kube-vip v1.0.0 (`tools/refs/kube-vip`): `pkg/kubevip/config_envvar.go` (every variable
 * name; checked by the tests), `config_environment.go`, `config_generator.go` (RBAC, names,
 * capabilities), `cmd/kube-vip.go` (defaults), `pkg/manager/manager.go` (in-cluster config without
 * admin.conf); k8s.io/client-go v0.33.3 `rest/config.go` (`KUBERNETES_SERVICE_HOST`/`_PORT`);
 * Talos pkg/machinery v1.13.9 (`config/generate/init.go`: Pod Security baseline, kube-system
 * exempt; `constants.DefaultKubePrismPort`). The default image v1.2.3 is newer than the source
 * checked (the proxy serves nothing after v1.0.0; docs/blocked.md).
 *
 * Errors (InputError naming field and value, before any resource when the inputs are plain,
 * else when they resolve): see `checkKubeVipSpec` — unsupported Talos version, bad node list, a
 * malformed VIP, in `arp` mode a VIP outside the nodes' subnet, a VIP equal to a node or inside
 * `servicePools`, `bgp` missing/superfluous, ASNs outside 1–4294967295, bad peers or router ID,
 * lease timings out of order (renew ≥ lease, retry ≥ renew), the IPVS load balancer with
 * kube-proxy in IPVS mode; an empty or malformed BGP password (shown as `[secret]`).
 * Warnings (`pulumi.log.warn` and the `warnings` output): Services without `classOnly`,
 * `externalTrafficPolicy: Local` advice for Services announced by ARP, an even node count.
 */
export class KubeVipEndpoint extends pulumi.ComponentResource implements ControlPlaneEndpoint {
  /** The VIP: what clients use. */
  public readonly endpoint!: pulumi.Output<string>;
  /** `https://<vip>:6443`. */
  public readonly kubernetesApiUrl!: pulumi.Output<string>;
  /** The node addresses (no prefix), for talosconfig endpoints (never the VIP). */
  public readonly talosApiEndpoints!: pulumi.Output<string[]>;
  /** The VIP (same as `endpoint`). Not for `TalosConfigPush.vip`, which configures the Talos native VIP. */
  public readonly vip!: pulumi.Output<string>;
  /** ServiceAccount, ClusterRole, ClusterRoleBinding and DaemonSet as multi-document YAML (never the BGP Secret). */
  public readonly manifests!: pulumi.Output<string>;
  /**
   * The control-plane Talos patch fragment as YAML text (shape `KubeVipTalosPatch` in
   * src/render/kubevip/manifests.ts): `cluster.inlineManifests` entry `kube-vip`, plus
   * `cluster.proxy.extraArgs["ipvs-strict-arp"]` when needed. For `TalosConfigPush.extraPatch`.
   * A Pulumi secret when a BGP peer has a password.
   */
  public readonly talosPatch!: pulumi.Output<string>;
  /** The `spec.loadBalancerClass` kube-vip serves when Services are enabled; undefined otherwise. */
  public readonly loadBalancerClass!: pulumi.Output<string | undefined>;
  /** Advice (also logged): see the class docstring. */
  public readonly warnings!: pulumi.Output<string[]>;

  constructor(name: string, args: KubeVipEndpointArgs, opts?: pulumi.ComponentResourceOptions) {
    checkKubeVipStructure(args);
    (args.bgp?.peers ?? []).forEach((p, i) => {
      if (p.password !== undefined && !pulumi.Output.isInstance(p.password) && !(p.password instanceof Promise)) {
        if (typeof p.password !== "string" || p.password === "") {
          throw new InputError(`bgp.peers[${i}].password`, p.password === "" ? "" : "[secret]", "must be a non-empty string");
        }
      }
    });
    const spec = kubeVipSpec(args);
    const checked = validated(spec, (resolved) => ({ spec: resolved as KubeVipSpec, rendered: renderKubeVip(resolved as KubeVipSpec) }));
    super(componentToken("KubeVipEndpoint"), name, {}, opts);

    const rendered = checked.rendered;
    this.warnings = rendered.warnings;
    this.endpoint = rendered.apply((r) => {
      r.warnings.forEach((w) => pulumi.log.warn(w, this));
      return r.checked.vip;
    });
    this.vip = this.endpoint;
    this.kubernetesApiUrl = this.endpoint.apply(kubernetesApiUrl);
    this.talosApiEndpoints = rendered.apply((r) => r.checked.nodes.map((n) => n.address.ip));
    this.manifests = rendered.manifests;
    this.loadBalancerClass = rendered.apply((r) => r.loadBalancerClass);

    const passwords = (args.bgp?.peers ?? []).map((p, i) =>
      p.password === undefined ? pulumi.output(undefined) : nonEmptyPassword(`bgp.peers[${i}].password`, p.password),
    );
    const anySecret = (args.bgp?.peers ?? []).some((p) => p.password !== undefined);
    const patch = pulumi
      .all([checked, pulumi.all(passwords)])
      .apply(([c, values]) => toPatchYaml(renderKubeVipTalosPatch(c.spec, values) as unknown as Record<string, unknown>));
    this.talosPatch = anySecret ? pulumi.secret(patch) : patch;

    this.registerOutputs({
      endpoint: this.endpoint,
      kubernetesApiUrl: this.kubernetesApiUrl,
      talosApiEndpoints: this.talosApiEndpoints,
      vip: this.vip,
      manifests: this.manifests,
      talosPatch: this.talosPatch,
      loadBalancerClass: this.loadBalancerClass,
      warnings: this.warnings,
    });
  }
}
