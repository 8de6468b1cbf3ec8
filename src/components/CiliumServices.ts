/**
 * CiliumServices: Cilium (LB IPAM with L2 announcements or the BGP control plane v2) as the
 * LoadBalancer implementation of a bare-metal / Proxmox Talos cluster, plus the address reserved
 * for the cluster's ingress Service.
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { componentToken } from "./contract";
import { validated, nonEmptyPassword } from "./inputs";
import type { LabelSelectorArgs } from "./MetalLbServices";
import {
  BGP_ADVERTISEMENT_LABEL,
  BGP_ADVERTISEMENT_NAME,
  BGP_CLUSTER_CONFIG_NAME,
  CILIUM_BGP_SECRETS_NAMESPACE,
  CILIUM_HELM_CHART,
  CILIUM_HELM_REPO,
  CILIUM_NAMESPACE,
  ciliumApiVersions,
  ciliumBgpPasswordSecretName,
  checkCiliumStructure,
  CiliumSpec,
  K8sObject,
  L2_POLICY_NAME,
  renderCilium,
  renderCiliumBgpPasswordSecret,
  renderCiliumTalosPatch,
  RenderedCilium,
} from "../render/cilium";
import { CiliumDelivery, CiliumMode } from "../render/enums";
import { toPatchYaml } from "../render/patchYaml";
import { checkKubeconfigForDelivery, checkPlainPassword } from "../render/serviceInputs";
import { stringify } from "yaml";

/** One LB-IPAM pool (`CiliumLoadBalancerIPPool`, Cilium docs "LoadBalancer IP Address Management"). */
export interface CiliumPoolArgs {
  /** Pool name: a DNS label, unique. Plain string, not an Input: child resources are named after it. */
  name: string;
  /**
   * Address blocks: ranges `192.168.30.200-192.168.30.220` (rendered as `{start, stop}`) or CIDRs
   * `192.168.30.192/27` (rendered as `{cidr}`), IPv4 or IPv6. At least one. CIDRs with host bits
   * set, reversed ranges, blocks overlapping another pool or a reserved address are refused.
   */
  blocks: pulumi.Input<pulumi.Input<string>[]>;
  /**
   * Only Services matching this selector get addresses from the pool (e.g. the ingress Service,
   * to reserve its address). Default: every Service.
   */
  serviceSelector?: LabelSelectorArgs;
  /**
   * Hand out the first and last address of each CIDR (rendered `allowFirstLastIPs: Yes`/`No`).
   * Default: not rendered, Cilium's default (yes since 1.16; ignored for /31, /32, /127, /128).
   */
  allowFirstLastIPs?: pulumi.Input<boolean>;
  /** Hand out no new addresses from this pool; default false. */
  disabled?: pulumi.Input<boolean>;
}

/** The `CiliumL2AnnouncementPolicy` (mode `l2`; Cilium docs "L2 Announcements / L2 Aware LB"). */
export interface CiliumL2AnnouncementArgs {
  /** Regular expressions of the interfaces to answer ARP on, e.g. `^eth[0-9]+`; default every interface. */
  interfaces?: pulumi.Input<pulumi.Input<string>[]>;
  /**
   * Nodes that announce. Default: workers only (`node-role.kubernetes.io/control-plane`
   * DoesNotExist) when `workerCount` > 0 and `controlPlanesRunServices` is false, else every node.
   */
  nodeSelector?: LabelSelectorArgs;
  /** Services announced; default every Service (with no class or class `io.cilium/l2-announcer`). */
  serviceSelector?: LabelSelectorArgs;
  /** Also announce `spec.externalIPs`; default false (on Cilium 1.16 also sets Helm `externalIPs.enabled`). */
  externalIPs?: pulumi.Input<boolean>;
}

/** BGP timers of a peer (`CiliumBGPPeerConfig.spec.timers`; bgp-control-plane-v2.rst, "Timers"). Seconds. */
export interface CiliumBgpTimersArgs {
  /** Hold time, 3–65535 s; Cilium's default 90 (the docs suggest 9 in data centres). */
  holdTimeSeconds?: pulumi.Input<number>;
  /** Keepalive interval, 1–65535 s, not above the hold time; Cilium's default 30 (docs: 3). */
  keepAliveTimeSeconds?: pulumi.Input<number>;
  /** Connect retry, 1–2147483647 s; Cilium's default 120 (docs: 5 or less for fast reconnection). */
  connectRetryTimeSeconds?: pulumi.Input<number>;
}

/** Graceful restart of a peer (`CiliumBGPPeerConfig.spec.gracefulRestart`). */
export interface CiliumBgpGracefulRestartArgs {
  /** Advertise the graceful-restart capability: routes survive an agent restart. */
  enabled: pulumi.Input<boolean>;
  /** Restart time advertised to the peer, 1–4095 s; Cilium's default 120. */
  restartTimeSeconds?: pulumi.Input<number>;
}

/**
 * One BGP peer: an entry of the `CiliumBGPClusterConfig` instance and its own
 * `CiliumBGPPeerConfig` (named after the peer). The CRDs of Cilium 1.16–1.18 have no BFD.
 */
export interface CiliumBgpPeerArgs {
  /** Peer name: a DNS label, unique. Plain string, not an Input: child resources are named after it. */
  name: string;
  /** The router's address (plain IPv4 or IPv6). Required. */
  peerAddress: pulumi.Input<string>;
  /** The router's AS number, 1–4294967295. */
  peerASN: pulumi.Input<number>;
  /** Destination TCP port, 1–65535; Cilium's default 179. */
  peerPort?: pulumi.Input<number>;
  /** eBGP multihop TTL, 1–255; Cilium's default 1. */
  ebgpMultihop?: pulumi.Input<number>;
  /** Timers; Cilium's defaults when unset. */
  timers?: CiliumBgpTimersArgs;
  /** Graceful restart; off when unset. */
  gracefulRestart?: CiliumBgpGracefulRestartArgs;
  /**
   * TCP MD5 password (RFC 2385); pass a Pulumi secret. Stored in a Secret
   * `bgp-password-<name>` (key `password`) in `kube-system`, Cilium's BGP secrets namespace, which
   * the peer config's `authSecretRef` names. Non-empty.
   */
  password?: pulumi.Input<string>;
}

/** The `CiliumBGPAdvertisement` of LoadBalancer addresses. */
export interface CiliumBgpAdvertisementArgs {
  /**
   * Services advertised. Default: every Service (the `NotIn` selector of Cilium's docs). An empty
   * selector is refused: Cilium selects nothing without a selector, and since 1.19 nothing with an
   * empty one either.
   */
  serviceSelector?: LabelSelectorArgs;
  /** Communities: `65000:100` or a 32-bit decimal (standard), `65000:1:2` (large), or a well-known name such as `no-export`. */
  communities?: pulumi.Input<pulumi.Input<string>[]>;
  /** BGP LOCAL_PREF (iBGP only), 0–4294967295. */
  localPreference?: pulumi.Input<number>;
}

/** BGP control plane v2 (mode `bgp`; bgp-control-plane-v2.rst). */
export interface CiliumBgpArgs {
  /** The nodes' AS number, 1–4294967295. */
  localASN: pulumi.Input<number>;
  /** Nodes that speak BGP. Default as for `l2Announcement.nodeSelector`: workers only when there are workers. */
  nodeSelector?: LabelSelectorArgs;
  /** At least one peer (plain list: children are named after them). */
  peers: CiliumBgpPeerArgs[];
  /** The advertisement; default every LoadBalancer Service, no attributes. */
  advertisement?: CiliumBgpAdvertisementArgs;
}

/** Arguments of {@link CiliumServices}. */
export interface CiliumServicesArgs {
  /**
   * `l2` or `bgp` (`CiliumMode`): L2 announcements for small clusters on one segment, the BGP
   * control plane v2 (ECMP through routers) for large ones. Plain string, not an Input: it decides
   * which child resources exist.
   */
  mode: CiliumMode;
  /**
   * `talos-inline` or `kubernetes` (`CiliumDelivery`). `talos-inline`: no Kubernetes resources; the
   * custom resources travel in `talosPatch` (bootstrap manifests, created once) and Cilium itself is
   * installed by your Helm step with `helmValues`. `kubernetes`: Helm chart `cilium` and the custom
   * resources through a provider built from `kubeconfig`. Plain string: it decides the children.
   */
  delivery: CiliumDelivery;
  /**
   * Cilium release `X.Y.Z`, 1.16–1.18 (chart version too); default `1.18.11`. Plain string, not an
   * Input: it decides the apiVersions (`cilium.io/v2alpha1` before 1.18, `cilium.io/v2` from 1.18
   * for pools and BGP; the L2 policy stays `v2alpha1`), part of the custom resources' types.
   */
  version?: string;
  /** At least one pool (plain list: children are named after the pools). No overlaps with each other or with any address below. */
  pools: CiliumPoolArgs[];
  /**
   * Address of the ingress Service (request it with the annotation `lbipam.cilium.io/ips`): must lie
   * inside a pool that hands it out. Default: the first address the first pool hands out.
   */
  ingressAddress?: pulumi.Input<string>;
  /** Node addresses, plain or with prefix (`192.168.30.31/24`). Pools must avoid them; in l2 mode the prefixes give the subnets pools should sit in (warning). */
  nodeAddresses?: pulumi.Input<pulumi.Input<string>[]>;
  /** The control-plane VIP (plain IP); pools must avoid it. */
  controlPlaneVip?: pulumi.Input<string>;
  /** External load-balancer host addresses (plain IPs); pools must avoid them. */
  loadBalancerHosts?: pulumi.Input<pulumi.Input<string>[]>;
  /** The nodes' default gateway (plain IP); pools must avoid it. Default none. */
  gateway?: pulumi.Input<string>;
  /** The L2 policy; l2 mode only. Default: every Service, every interface, the default node selector. */
  l2Announcement?: CiliumL2AnnouncementArgs;
  /** BGP settings; required in bgp mode, refused in l2 mode. */
  bgp?: CiliumBgpArgs;
  /** Number of worker nodes, an integer ≥ 0. With 0 the control planes announce and run the Services. */
  workerCount: pulumi.Input<number>;
  /** Control planes announce and run Services although there are workers; default false. */
  controlPlanesRunServices?: pulumi.Input<boolean>;
  /**
   * Cilium replaces kube-proxy: Helm `kubeProxyReplacement: true` and Talos
   * `cluster.proxy.disabled: true`. Default true; must be true in l2 mode (Cilium's L2
   * announcements require it).
   */
  kubeProxyReplacement?: pulumi.Input<boolean>;
  /**
   * LB IPAM serves only Services whose `spec.loadBalancerClass` is Cilium's (the `loadBalancerClass`
   * output): Helm `defaultLBServiceIPAM: none` (Cilium ≥ 1.17; refused on 1.16). Use it beside
   * another load balancer. Default false: Services without a class are served too.
   */
  requireLBClass?: pulumi.Input<boolean>;
  /**
   * Expected number of LoadBalancer Services, 1–10000; default 10. In l2 mode each Service holds
   * a lease the agents renew every 5 s, so Helm `k8sClientRateLimit` is sized as 10 + ⌈n / 5⌉
   * QPS, burst twice that (l2-announcements.rst, "Sizing client rate limit").
   */
  loadBalancerServices?: pulumi.Input<number>;
  /** KubePrism's port on the nodes (Helm `k8sServicePort`, with `k8sServiceHost: localhost`), 1–65535; default 7445. KubePrism must be enabled. */
  kubePrismPort?: pulumi.Input<number>;
  /** Admin kubeconfig (a Pulumi secret) for the explicit Kubernetes provider. Required with `kubernetes` delivery, not allowed with `talos-inline`. */
  kubeconfig?: pulumi.Input<string>;
}

/**
 * Checks the inputs that must be plain values because they decide the child resources (see
 * `checkCiliumStructure`), plus the kubeconfig/delivery pairing and plain empty passwords.
 * @throws InputError naming field and value.
 */
export function checkCiliumServicesStructure(args: CiliumServicesArgs): ReturnType<typeof checkCiliumStructure> {
  const s = checkCiliumStructure(args);
  checkKubeconfigForDelivery(s.delivery, args.kubeconfig, "the custom resources travel");
  (args.bgp?.peers ?? []).forEach((p, i) =>
    checkPlainPassword(`bgp.peers[${i}].password`, p.password, pulumi.Output.isInstance(p.password) || p.password instanceof Promise),
  );
  return s;
}

/**
 * The inputs the renderers validate (a `CiliumSpec` once resolved): the args without `kubeconfig`
 * and with each BGP password replaced by its Secret's name (`authSecretRef`), so nothing secret
 * flows into the public outputs.
 */
export function ciliumServicesSpec(args: CiliumServicesArgs) {
  const { kubeconfig: _kubeconfig, bgp, ...rest } = args;
  if (bgp === undefined) return rest;
  return {
    ...rest,
    bgp: {
      ...bgp,
      peers: bgp.peers.map(({ password, ...peer }) =>
        password === undefined ? peer : { ...peer, authSecretRef: ciliumBgpPasswordSecretName(peer.name) },
      ),
    },
  };
}

/**
 * Cilium for Services of type LoadBalancer on bare metal and Proxmox Talos clusters, Cilium
 * 1.16–1.18: LB IPAM pools (`CiliumLoadBalancerIPPool`, `spec.blocks`), and either L2
 * announcements (`CiliumL2AnnouncementPolicy`) or the BGP control plane v2
 * (`CiliumBGPClusterConfig`, one `CiliumBGPPeerConfig` per peer with timers, graceful restart and
 * an MD5 password, and a `CiliumBGPAdvertisement` of LoadBalancer IPs with an explicit Service
 * selector). Sources: the CRDs, chart and docs of the pinned releases (`src/render/cilium/types.ts`).
 *
 * Delivery `talos-inline`: registers no child resources. `talosPatch` carries
 * `cluster.network.cni.name: none`, `cluster.proxy.disabled: true` (kube-proxy replacement) and
 * one `cluster.inlineManifests` entry with the custom resources (and password Secrets); install
 * Cilium yourself with Helm and `helmValues` (`helm install cilium cilium/cilium --version
 * <version> -n kube-system -f values.yaml`). It is a Pulumi secret whenever it holds a password.
 *
 * Delivery `kubernetes`: children `<name>-k8s` (provider from the secret `kubeconfig`),
 * `<name>-cilium` (`k8s.helm.v4.Chart` `cilium` from https://helm.cilium.io, version = `version`,
 * release `cilium` in `kube-system`, values = `helmValues`), one `<name>-bgp-password-<peer>`
 * Secret per peer with a password, and the custom resources `<name>-pool-<pool>`, `<name>-l2` or
 * `<name>-bgp-peer-<peer>`, `<name>-bgp`, `<name>-bgp-advertisement`, each depending on the chart
 * (the operator the chart starts registers Cilium's CRDs; the chart ships none). `talosPatch` then
 * holds only the Talos settings.
 *
 * Outputs: `endpoint` (ingress address; request it with the annotation `lbipam.cilium.io/ips`),
 * `loadBalancerClass` (`io.cilium/l2-announcer` or `io.cilium/bgp-control-plane`), `manifests`
 * (the custom resources as multi-document YAML, no Secrets), `helmValues` (YAML), `talosPatch`
 * (YAML text, shape `CiliumTalosPatch`).
 *
 * Errors (InputError, before any resource is registered when the inputs are plain values;
 * otherwise when they resolve): see `checkCiliumSpec` — bad mode/delivery/version, malformed or
 * reversed blocks, overlapping pools, pools containing a node, the VIP, a load-balancer host, the
 * gateway or a BGP peer, an ingress address outside every pool, ASNs outside 1–4294967295, a peer
 * without address, bgp mode without peers, timer/port/TTL values outside the CRD limits, an empty
 * advertisement selector, l2 mode without kube-proxy replacement, `requireLBClass` on 1.16, a
 * missing (or superfluous) kubeconfig. Warnings (`pulumi.log.warn`): l2 pools outside the nodes'
 * subnets or IPv6 (no NDP), an ingress address in a pool that serves every Service.
 */
export class CiliumServices extends pulumi.ComponentResource {
  /** The address reserved for the ingress Service (plain IP). */
  public readonly endpoint!: pulumi.Output<string>;
  /** The `spec.loadBalancerClass` Cilium serves in this mode: `io.cilium/l2-announcer` or `io.cilium/bgp-control-plane` (lb-ipam.rst, "LoadBalancerClass"). */
  public readonly loadBalancerClass!: pulumi.Output<string>;
  /** The custom resources as multi-document YAML (no Secrets), apiVersions of `version`. */
  public readonly manifests!: pulumi.Output<string>;
  /** Values for the `cilium` Helm chart as YAML (Talos's "Deploying Cilium CNI" settings plus the load-balancer ones); see `ciliumHelmValues`. */
  public readonly helmValues!: pulumi.Output<string>;
  /**
   * The control-plane Talos patch fragment as YAML text (one v1alpha1 strategic-merge document;
   * shape `CiliumTalosPatch` in src/render/cilium/talosPatch.ts), ready for
   * `TalosConfigPush.extraPatch` (and `talosctl gen config --config-patch` for a new cluster). A
   * Pulumi secret when it carries a BGP password.
   */
  public readonly talosPatch!: pulumi.Output<string>;

  constructor(name: string, args: CiliumServicesArgs, opts?: pulumi.ComponentResourceOptions) {
    const { mode, delivery, version } = checkCiliumServicesStructure(args);
    const spec = ciliumServicesSpec(args);
    const checked = validated(spec, (resolved) => {
      const rendered = renderCilium(resolved as CiliumSpec);
      return { spec: resolved as CiliumSpec, rendered };
    });
    super(componentToken("CiliumServices"), name, {}, opts);

    const rendered: pulumi.Output<RenderedCilium> = checked.rendered;
    this.endpoint = rendered.apply((r) => {
      r.warnings.forEach((w) => pulumi.log.warn(w, this));
      return r.endpoint;
    });
    this.loadBalancerClass = rendered.loadBalancerClass;
    this.manifests = rendered.manifests;
    this.helmValues = rendered.apply((r) => stringify(r.helmValues, { lineWidth: 0 }));

    const passwords = (args.bgp?.peers ?? []).flatMap((peer, i) =>
      peer.password === undefined
        ? []
        : [
            {
              peer: peer.name,
              secretName: ciliumBgpPasswordSecretName(peer.name),
              password: nonEmptyPassword(`bgp.peers[${i}].password`, peer.password),
            },
          ],
    );
    if (delivery === "talos-inline") {
      const patch = pulumi.all([checked, pulumi.all(passwords.map((p) => p.password))]).apply(([c, values]) =>
        toPatchYaml(
          renderCiliumTalosPatch(
            c.spec,
            passwords.map((p, i) => renderCiliumBgpPasswordSecret(p.secretName, values[i])),
          ) as unknown as Record<string, unknown>,
        ),
      );
      this.talosPatch = passwords.length > 0 ? pulumi.secret(patch) : patch;
    } else {
      this.talosPatch = checked.apply((c) => toPatchYaml(renderCiliumTalosPatch(c.spec) as unknown as Record<string, unknown>));
      this.deployToKubernetes(name, args, mode, version.minor, version.version, rendered, passwords);
    }

    this.registerOutputs({
      endpoint: this.endpoint,
      loadBalancerClass: this.loadBalancerClass,
      manifests: this.manifests,
      helmValues: this.helmValues,
      talosPatch: this.talosPatch,
    });
  }

  private deployToKubernetes(
    name: string,
    args: CiliumServicesArgs,
    mode: string,
    minor: number,
    version: string,
    rendered: pulumi.Output<RenderedCilium>,
    passwords: { peer: string; secretName: string; password: pulumi.Output<string> }[],
  ): void {
    const apiVersions = ciliumApiVersions(minor);
    const provider = new k8s.Provider(
      `${name}-k8s`,
      { kubeconfig: pulumi.secret(args.kubeconfig as pulumi.Input<string>) },
      { parent: this },
    );
    const opts = { parent: this, provider };
    const chart = new k8s.helm.v4.Chart(
      `${name}-cilium`,
      {
        chart: CILIUM_HELM_CHART,
        name: "cilium",
        version,
        namespace: CILIUM_NAMESPACE,
        repositoryOpts: { repo: CILIUM_HELM_REPO },
        values: rendered.helmValues,
      },
      opts,
    );
    const secrets = new Map<string, k8s.core.v1.Secret>();
    for (const p of passwords) {
      secrets.set(
        p.peer,
        new k8s.core.v1.Secret(
          `${name}-bgp-password-${p.peer}`,
          {
            metadata: { name: p.secretName, namespace: CILIUM_BGP_SECRETS_NAMESPACE },
            type: "Opaque",
            stringData: { password: p.password },
          },
          opts,
        ),
      );
    }
    const custom = (
      resourceName: string,
      object: pulumi.Output<K8sObject>,
      apiVersion: string,
      kind: string,
      metadata: { name: string; labels?: Record<string, string> },
      dependsOn: pulumi.Resource[],
    ) =>
      new k8s.apiextensions.CustomResource(
        resourceName,
        { apiVersion, kind, metadata, spec: object.apply((o) => o.spec) },
        { ...opts, dependsOn },
      );
    args.pools.forEach((pool, i) =>
      custom(`${name}-pool-${pool.name}`, rendered.pools[i], apiVersions.pool, "CiliumLoadBalancerIPPool", { name: pool.name }, [chart]),
    );
    if (mode === "l2") {
      custom(
        `${name}-l2`,
        rendered.apply((r) => r.l2Policy as K8sObject),
        apiVersions.l2Policy,
        "CiliumL2AnnouncementPolicy",
        { name: L2_POLICY_NAME },
        [chart],
      );
      return;
    }
    const peers = (args.bgp?.peers ?? []).map((peer, i) =>
      custom(
        `${name}-bgp-peer-${peer.name}`,
        rendered.bgpPeerConfigs[i],
        apiVersions.bgp,
        "CiliumBGPPeerConfig",
        { name: peer.name },
        // A peer config waits for the chart and for the password Secret it names.
        [chart, ...(secrets.has(peer.name) ? [secrets.get(peer.name) as k8s.core.v1.Secret] : [])],
      ),
    );
    custom(
      `${name}-bgp`,
      rendered.apply((r) => r.bgpClusterConfig as K8sObject),
      apiVersions.bgp,
      "CiliumBGPClusterConfig",
      { name: BGP_CLUSTER_CONFIG_NAME },
      [chart, ...peers],
    );
    custom(
      `${name}-bgp-advertisement`,
      rendered.apply((r) => r.bgpAdvertisement as K8sObject),
      apiVersions.bgp,
      "CiliumBGPAdvertisement",
      { name: BGP_ADVERTISEMENT_NAME, labels: { ...BGP_ADVERTISEMENT_LABEL } },
      [chart],
    );
  }
}
