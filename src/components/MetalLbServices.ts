/**
 * MetalLbServices: MetalLB as the LoadBalancer implementation of a bare-metal / Proxmox Talos
 * cluster, plus the address reserved for the cluster's ingress Service.
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { componentToken } from "./contract";
import { validated, nonEmptyPassword } from "./inputs";
import {
  BGP_ADVERTISEMENT_NAME,
  bgpPasswordSecretName,
  checkMetalLbStructure,
  K8sObject,
  L2_ADVERTISEMENT_NAME,
  METALLB_HELM_CHART,
  METALLB_HELM_REPO,
  METALLB_NAMESPACE,
  METALLB_V1BETA1,
  METALLB_V1BETA2,
  MetalLbSpec,
  renderBgpPasswordSecret,
  renderMetalLb,
  renderMetalLbTalosPatch,
  renderNamespace,
  RenderedMetalLb,
} from "../render/metallb";
import { KubeProxyMode, LabelSelectorOperator, MetalLbDelivery, MetalLbMode } from "../render/enums";
import { toPatchYaml } from "../render/patchYaml";
import { checkKubeconfigForDelivery, checkPlainPassword } from "../render/serviceInputs";

/** One set-based label requirement (Kubernetes `LabelSelectorRequirement`). */
export interface LabelSelectorRequirementArgs {
  /** The label key. */
  key: string;
  /** `In`, `NotIn`, `Exists` or `DoesNotExist`. */
  operator: LabelSelectorOperator;
  /** Values: required (non-empty) for `In`/`NotIn`, must be absent for `Exists`/`DoesNotExist`. */
  values?: string[];
}

/** A Kubernetes label selector (`metav1.LabelSelector`): all conditions must hold. */
export interface LabelSelectorArgs {
  /** Exact label matches. */
  matchLabels?: Record<string, string>;
  /** Set-based requirements. */
  matchExpressions?: LabelSelectorRequirementArgs[];
}

/** `metadata` of a rendered object. */
export interface MetalLbObjectMeta {
  /** Object name. */
  name: string;
  /** Namespace (`metallb-system`). */
  namespace?: string;
}

/** `spec` of a rendered `IPAddressPool`. */
export interface MetalLbPoolObjectSpec {
  /** Address blocks as given (ranges or CIDRs). */
  addresses: string[];
  /** Whether MetalLB hands addresses out automatically. */
  autoAssign: boolean;
  /** Whether IPv4 addresses ending in .0 or .255 are skipped. */
  avoidBuggyIPs: boolean;
}

/** An `IPAddressPool` as rendered (`metallb.io/v1beta1`). */
export interface MetalLbPoolObject {
  /** `metallb.io/v1beta1`. */
  apiVersion: string;
  /** `IPAddressPool`. */
  kind: string;
  /** The pool's name and namespace. */
  metadata: MetalLbObjectMeta;
  /** The pool's addresses and assignment settings. */
  spec: MetalLbPoolObjectSpec;
}

/** One IP address pool (MetalLB `IPAddressPool`). */
export interface MetalLbPoolArgs {
  /** Pool name: a DNS label, unique. Plain string, not an Input: child resources are named after it. */
  name: string;
  /** Ranges `192.168.30.200-192.168.30.220` or CIDRs `192.168.30.192/27` (IPv4 or IPv6). */
  addresses: pulumi.Input<pulumi.Input<string>[]>;
  /** Hand out addresses automatically; default true. Use false for a pool reserved for the ingress address. */
  autoAssign?: pulumi.Input<boolean>;
  /** Never hand out IPv4 addresses ending in .0 or .255; default false. */
  avoidBuggyIPs?: pulumi.Input<boolean>;
}

/** The L2Advertisement (mode `l2`). */
export interface MetalLbL2AdvertisementArgs {
  /** Pool names to announce; default all pools. */
  pools?: pulumi.Input<pulumi.Input<string>[]>;
  /** Announce only from these interfaces (e.g. `eth0`); default all. */
  interfaces?: pulumi.Input<pulumi.Input<string>[]>;
  /** Announce only from nodes matching any selector; default all speaker nodes. */
  nodeSelectors?: pulumi.Input<LabelSelectorArgs[]>;
}

/** One BGP peer (MetalLB `BGPPeer`, `metallb.io/v1beta2`). */
export interface MetalLbBgpPeerArgs {
  /** Peer name: a DNS label, unique. Plain string, not an Input: child resources are named after it. */
  name: string;
  /** Local AS number, 1–4294967295. */
  myASN: pulumi.Input<number>;
  /** Remote AS number, 1–4294967295. */
  peerASN: pulumi.Input<number>;
  /** The router's address (plain IP). Required. */
  peerAddress: pulumi.Input<string>;
  /** TCP port, 1–16384; MetalLB's default is 179. */
  peerPort?: pulumi.Input<number>;
  /** The peer is more than one hop away. */
  ebgpMultiHop?: pulumi.Input<boolean>;
  /** Name of the BFD profile (must be `bfdProfile.name`). */
  bfdProfile?: pulumi.Input<string>;
  /** Peer only from nodes matching any selector. */
  nodeSelectors?: pulumi.Input<LabelSelectorArgs[]>;
  /**
   * TCP MD5 session password; pass a Pulumi secret. Stored in a `kubernetes.io/basic-auth` Secret
   * `bgp-password-<name>` (key `password`) in `metallb-system` that the BGPPeer's `passwordSecret`
   * references. Non-empty.
   */
  password?: pulumi.Input<string>;
}

/** The BGPAdvertisement (mode `bgp`). */
export interface MetalLbBgpAdvertisementArgs {
  /** Pool names to advertise; default all pools. */
  pools?: pulumi.Input<pulumi.Input<string>[]>;
  /** Peer names to advertise to; default all peers. */
  peers?: pulumi.Input<pulumi.Input<string>[]>;
  /** IPv4 aggregation prefix length, 1–32; MetalLB's default 32. */
  aggregationLength?: pulumi.Input<number>;
  /** BGP LOCAL_PREF, 0–2147483647. */
  localPref?: pulumi.Input<number>;
  /** Communities `65535:100` or `large:1:2:3`. */
  communities?: pulumi.Input<pulumi.Input<string>[]>;
}

/** A BFD profile (mode `bgp`). Intervals in milliseconds. */
export interface MetalLbBfdProfileArgs {
  /** Profile name: a DNS label. Plain string: the child resource is named after it. */
  name: string;
  /** 10–60000 ms; MetalLB default 300. */
  receiveInterval?: pulumi.Input<number>;
  /** 10–60000 ms; MetalLB default 300. */
  transmitInterval?: pulumi.Input<number>;
  /** 2–255. */
  detectMultiplier?: pulumi.Input<number>;
  /** 10–60000 ms; MetalLB default 50. */
  echoInterval?: pulumi.Input<number>;
  /** Echo mode (single hop only). */
  echoMode?: pulumi.Input<boolean>;
  /** Wait for the peer to start. */
  passiveMode?: pulumi.Input<boolean>;
  /** 1–254, multihop only. */
  minimumTtl?: pulumi.Input<number>;
}

/** Arguments of {@link MetalLbServices}. */
export interface MetalLbServicesArgs {
  /**
   * `l2` or `bgp` (`METALLB_MODES`): Layer 2 for small clusters on one segment, BGP (ECMP through
   * routers) for large ones. Plain string, not an Input: it decides which child resources exist.
   */
  mode: MetalLbMode;
  /**
   * `talos-inline` or `kubernetes` (`METALLB_DELIVERIES`). `talos-inline`: no Kubernetes resources,
   * MetalLB travels in `talosPatch` (bootstrap manifests; created once, never updated by Talos).
   * `kubernetes`: Helm chart and custom resources through a provider built from `kubeconfig`.
   * Plain string, not an Input: it decides which child resources exist.
   */
  delivery: MetalLbDelivery;
  /** At least one pool (plain list: children are named after the pools). No overlaps with each other or with any address below. */
  pools: MetalLbPoolArgs[];
  /** Address of the ingress Service: must lie inside a pool. Default: the first assignable address of the first pool. */
  ingressAddress?: pulumi.Input<string>;
  /** Node addresses, plain or with prefix (`192.168.30.31/24`). Pools must avoid them; in l2 mode the prefixes give the subnets pools should sit in (warning). */
  nodeAddresses?: pulumi.Input<pulumi.Input<string>[]>;
  /** The control-plane VIP (plain IP); pools must avoid it. */
  controlPlaneVip?: pulumi.Input<string>;
  /** External load-balancer host addresses (plain IPs); pools must avoid them. */
  loadBalancerHosts?: pulumi.Input<pulumi.Input<string>[]>;
  /** The nodes' default gateway (plain IP), kept out of the pools: in L2 mode MetalLB would answer ARP for it and take the router's traffic. Default none. */
  gateway?: pulumi.Input<string>;
  /** L2Advertisement settings; l2 mode only. */
  l2Advertisement?: MetalLbL2AdvertisementArgs;
  /** BGP peers (plain list: children are named after them); at least one in bgp mode, none in l2 mode. */
  bgpPeers?: MetalLbBgpPeerArgs[];
  /** BGPAdvertisement settings; bgp mode only. */
  bgpAdvertisement?: MetalLbBgpAdvertisementArgs;
  /** BFD profile; bgp mode only. With `talos-inline` it selects the FRR-K8s upstream manifest. */
  bfdProfile?: MetalLbBfdProfileArgs;
  /** MetalLB release `X.Y.Z` (chart version and manifest tag); default `0.16.1`; at least 0.13.0. */
  version?: pulumi.Input<string>;
  /**
   * Serve only Services with this `spec.loadBalancerClass` (Helm value `loadBalancerClass`,
   * MetalLB's `--lb-class`), so MetalLB can live beside kube-vip's or another service load
   * balancer. Default: MetalLB serves Services without a class. `kubernetes` delivery only.
   */
  loadBalancerClass?: pulumi.Input<string>;
  /** Number of worker nodes, an integer ≥ 0. With 0 the control planes must announce Services. */
  workerCount: pulumi.Input<number>;
  /** Control planes run Services although there are workers; default false. */
  controlPlanesRunServices?: pulumi.Input<boolean>;
  /**
   * Keep Talos's exclude-from-external-load-balancers label and set Helm `speaker.ignoreExcludeLB`
   * instead of deleting the label in `talosPatch` (fallback when the `$patch: delete` fails,
   * siderolabs/talos#9325, #11549, #13023). `kubernetes` delivery only; default false.
   */
  ignoreExcludeLB?: pulumi.Input<boolean>;
  /** kube-proxy mode: `iptables` (default), `ipvs` (adds strict ARP to `talosPatch`) or `nftables`. */
  kubeProxyMode?: pulumi.Input<KubeProxyMode>;
  /** Admin kubeconfig (a Pulumi secret) for the explicit Kubernetes provider. Required with `kubernetes` delivery, not allowed with `talos-inline`. */
  kubeconfig?: pulumi.Input<string>;
}

/**
 * Checks the inputs that must be plain values because they decide the child resources (see
 * `checkMetalLbStructure`), plus the kubeconfig/delivery pairing and plain empty passwords.
 * Runs synchronously in the constructor, whether or not other inputs are Outputs.
 * @throws InputError naming field and value.
 */
export function checkMetalLbServicesStructure(args: MetalLbServicesArgs): { mode: string; delivery: string } {
  const s = checkMetalLbStructure(args);
  checkKubeconfigForDelivery(s.delivery, args.kubeconfig, "MetalLB travels");
  (args.bgpPeers ?? []).forEach((p, i) =>
    checkPlainPassword(`bgpPeers[${i}].password`, p.password, pulumi.Output.isInstance(p.password) || p.password instanceof Promise),
  );
  return s;
}

/**
 * The inputs the renderers validate (a `MetalLbSpec` once resolved): the args without
 * `kubeconfig` and without BGP passwords, which are replaced by their Secret names
 * (`bgp-password-<peer>`), so nothing secret flows into the public outputs.
 */
export function metalLbServicesSpec(args: MetalLbServicesArgs) {
  const { kubeconfig: _kubeconfig, bgpPeers, ...rest } = args;
  return {
    ...rest,
    bgpPeers: bgpPeers?.map(({ password, ...peer }) =>
      password === undefined ? peer : { ...peer, passwordSecret: bgpPasswordSecretName(peer.name) },
    ),
  };
}

/** An IPAddressPool object as the typed output shape (renderIpAddressPool's `spec` has exactly these fields). */
function poolObject(o: K8sObject): MetalLbPoolObject {
  return { apiVersion: o.apiVersion, kind: o.kind, metadata: { ...o.metadata }, spec: o.spec as MetalLbPoolObjectSpec };
}

/**
 * MetalLB for Services of type LoadBalancer on bare metal and Proxmox, with the Talos traps
 * handled (see `src/render/metallb/talosPatch.ts` for sources): the control-plane
 * exclude-from-external-load-balancers label (deleted by `talosPatch`, or ignored by the speaker),
 * Talos's default Pod Security `baseline` (the namespace is labelled `privileged`), strict ARP with
 * kube-proxy in IPVS mode, and coexistence with kube-vip through `loadBalancerClass`.
 *
 * Delivery `talos-inline`: registers no child resources. `talosPatch` carries
 * `cluster.extraManifests` (the upstream manifest pinned to `version`) and one
 * `cluster.inlineManifests` entry (namespace, BGP password Secrets, configuration); feed it into
 * the control-plane patch. It is a Pulumi secret whenever it contains a BGP password.
 *
 * Delivery `kubernetes`: children `<name>-k8s` (provider), `<name>-namespace`, `<name>-metallb`
 * (`k8s.helm.v4.Chart` `metallb` from https://metallb.github.io/metallb, version pinned, release
 * name `metallb`, values `loadBalancerClass` and `speaker.ignoreExcludeLB`), one
 * `<name>-bgp-password-<peer>` Secret per peer with a password, and the custom resources
 * `<name>-pool-<pool>`, `<name>-bfd-<profile>`, `<name>-peer-<peer>`, `<name>-l2` /
 * `<name>-bgp`, each depending on the chart. The Helm chart (rather than the upstream manifest via
 * `yaml.v2.ConfigFile`) because only the chart takes `loadBalancerClass` and
 * `speaker.ignoreExcludeLB`; v4 `Chart` (rather than v3 `Release`) because it renders client-side
 * and registers every object as a Pulumi resource, so previews show object-level diffs, and a
 * `dependsOn` on it waits for all of its objects, CRDs and the webhook-serving controller
 * Deployment included, before the custom resources are sent. `talosPatch` then holds only the
 * node-label, scheduling and strict-ARP parts.
 *
 * Outputs: `endpoint` (ingress address; give it to the ingress Service, e.g. annotation
 * `metallb.io/loadBalancerIPs`, plus `spec.loadBalancerClass` when set), `pools` (rendered
 * IPAddressPool objects), `manifests` (namespace and custom resources as multi-document YAML,
 * Secrets excluded), `talosPatch` (YAML text, shape `MetalLbTalosPatch`).
 *
 * Errors (InputError, thrown before any resource is registered when the inputs are plain values;
 * otherwise when they resolve): see `checkMetalLbSpec` — bad mode/delivery, malformed or reversed
 * ranges/CIDRs, overlapping pools, pools containing a node, the VIP, a load-balancer host or a BGP
 * peer, an ingress address outside every pool, ASNs outside 1–4294967295, a peer without address,
 * bgp mode without peers, `loadBalancerClass`/`ignoreExcludeLB` with `talos-inline`, a missing
 * (or superfluous) kubeconfig. Warnings (`pulumi.log.warn`): l2 pools outside the nodes' subnets,
 * an ingress address in an auto-assigning pool.
 */
export class MetalLbServices extends pulumi.ComponentResource {
  /** The address reserved for the ingress Service. */
  public readonly endpoint!: pulumi.Output<string>;
  /** The rendered IPAddressPool objects. */
  public readonly pools!: pulumi.Output<MetalLbPoolObject[]>;
  /** Namespace and configuration custom resources as multi-document YAML (no Secrets). */
  public readonly manifests!: pulumi.Output<string>;
  /**
   * The control-plane Talos patch fragment as YAML text (one v1alpha1 strategic-merge document;
   * shape `MetalLbTalosPatch` in src/render/metallb/talosPatch.ts), ready for
   * `TalosConfigPush.extraPatch`. A Pulumi secret when it carries a BGP password.
   */
  public readonly talosPatch!: pulumi.Output<string>;

  constructor(name: string, args: MetalLbServicesArgs, opts?: pulumi.ComponentResourceOptions) {
    const { mode, delivery } = checkMetalLbServicesStructure(args);
    const spec = metalLbServicesSpec(args);
    const checked = validated(spec, (resolved) => {
      const rendered = renderMetalLb(resolved as MetalLbSpec);
      return { spec: resolved as MetalLbSpec, rendered };
    });
    super(componentToken("MetalLbServices"), name, {}, opts);

    const rendered: pulumi.Output<RenderedMetalLb> = checked.rendered;
    this.endpoint = rendered.apply((r) => {
      r.warnings.forEach((w) => pulumi.log.warn(w, this));
      return r.endpoint;
    });
    this.pools = rendered.apply((r) => r.pools.map(poolObject));
    this.manifests = rendered.manifests;

    const passwords = (args.bgpPeers ?? []).flatMap((peer, i) =>
      peer.password === undefined
        ? []
        : [
            {
              peer: peer.name,
              secretName: bgpPasswordSecretName(peer.name),
              password: nonEmptyPassword(`bgpPeers[${i}].password`, peer.password),
            },
          ],
    );
    if (delivery === "talos-inline") {
      const patch = pulumi.all([checked, pulumi.all(passwords.map((p) => p.password))]).apply(([c, values]) =>
        toPatchYaml(
          renderMetalLbTalosPatch(
            c.spec,
            passwords.map((p, i) => renderBgpPasswordSecret(p.secretName, values[i])),
          ) as Record<string, unknown>,
        ),
      );
      this.talosPatch = passwords.length > 0 ? pulumi.secret(patch) : patch;
    } else {
      this.talosPatch = checked.apply((c) => toPatchYaml(renderMetalLbTalosPatch(c.spec) as Record<string, unknown>));
      this.deployToKubernetes(name, args, mode, rendered, passwords);
    }

    this.registerOutputs({
      endpoint: this.endpoint,
      pools: this.pools,
      manifests: this.manifests,
      talosPatch: this.talosPatch,
    });
  }

  private deployToKubernetes(
    name: string,
    args: MetalLbServicesArgs,
    mode: string,
    rendered: pulumi.Output<RenderedMetalLb>,
    passwords: { peer: string; secretName: string; password: pulumi.Output<string> }[],
  ): void {
    const provider = new k8s.Provider(
      `${name}-k8s`,
      { kubeconfig: pulumi.secret(args.kubeconfig as pulumi.Input<string>) },
      { parent: this },
    );
    const opts = { parent: this, provider };
    const ns = renderNamespace();
    const namespace = new k8s.core.v1.Namespace(`${name}-namespace`, { metadata: ns.metadata }, opts);
    const chart = new k8s.helm.v4.Chart(
      `${name}-metallb`,
      {
        chart: METALLB_HELM_CHART,
        name: "metallb",
        version: rendered.checked.version,
        namespace: METALLB_NAMESPACE,
        repositoryOpts: { repo: METALLB_HELM_REPO },
        values: rendered.helmValues,
      },
      { ...opts, dependsOn: [namespace] },
    );
    const secrets = new Map<string, k8s.core.v1.Secret>();
    for (const p of passwords) {
      secrets.set(
        p.peer,
        new k8s.core.v1.Secret(
          `${name}-bgp-password-${p.peer}`,
          {
            metadata: { name: p.secretName, namespace: METALLB_NAMESPACE },
            type: "kubernetes.io/basic-auth",
            stringData: { password: p.password },
          },
          { ...opts, dependsOn: [namespace] },
        ),
      );
    }
    const custom = (
      resourceName: string,
      object: pulumi.Output<K8sObject>,
      apiVersion: string,
      kind: string,
      objectName: string,
      dependsOn: pulumi.Resource[],
    ) =>
      new k8s.apiextensions.CustomResource(
        resourceName,
        { apiVersion, kind, metadata: { name: objectName, namespace: METALLB_NAMESPACE }, spec: object.apply((o) => o.spec) },
        { ...opts, dependsOn },
      );
    args.pools.forEach((pool, i) =>
      custom(`${name}-pool-${pool.name}`, rendered.pools[i], METALLB_V1BETA1, "IPAddressPool", pool.name, [chart]),
    );
    if (mode === "l2") {
      custom(
        `${name}-l2`,
        rendered.apply((r) => r.l2Advertisement as K8sObject),
        METALLB_V1BETA1,
        "L2Advertisement",
        L2_ADVERTISEMENT_NAME,
        [chart],
      );
      return;
    }
    const bfd = args.bfdProfile
      ? custom(
          `${name}-bfd-${args.bfdProfile.name}`,
          rendered.apply((r) => r.bfdProfile as K8sObject),
          METALLB_V1BETA1,
          "BFDProfile",
          args.bfdProfile.name,
          [chart],
        )
      : undefined;
    (args.bgpPeers ?? []).forEach((peer, i) => {
      // A peer waits for the chart, its password Secret and the BFD profile it may reference.
      const dependsOn: pulumi.Resource[] = [
        chart,
        ...(secrets.has(peer.name) ? [secrets.get(peer.name) as k8s.core.v1.Secret] : []),
        ...(bfd ? [bfd] : []),
      ];
      custom(`${name}-peer-${peer.name}`, rendered.bgpPeers[i], METALLB_V1BETA2, "BGPPeer", peer.name, dependsOn);
    });
    custom(
      `${name}-bgp`,
      rendered.apply((r) => r.bgpAdvertisement as K8sObject),
      METALLB_V1BETA1,
      "BGPAdvertisement",
      BGP_ADVERTISEMENT_NAME,
      [chart],
    );
  }
}
