/**
 * Rendering of the MetalLB objects: the namespace, the configuration custom resources, the BGP
 * password Secrets and the Helm values. Pure: no Pulumi imports.
 *
 * Shapes follow the MetalLB v0.16.1 CRDs (IPAddressPool, L2Advertisement, BGPAdvertisement,
 * BFDProfile: `metallb.io/v1beta1`; BGPPeer: `metallb.io/v1beta2`) and MetalLB's configuration
 * docs ("Configuration", "Advanced BGP configuration"). The tests validate every rendered object
 * against the CRD schemas with `additionalProperties: false` added.
 */
import { Document } from "yaml";
import { checkMetalLbSpec, CheckedMetalLb, CheckedPool } from "./validate";
import {
  BGP_ADVERTISEMENT_NAME,
  BfdProfileSpec,
  BgpPeerSpec,
  L2_ADVERTISEMENT_NAME,
  METALLB_NAMESPACE,
  METALLB_V1BETA1,
  METALLB_V1BETA2,
  MetalLbSpec,
  POD_SECURITY_LABELS,
  upstreamManifestUrl,
} from "./types";

/** A rendered Kubernetes object. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [field: string]: unknown;
}

/** Everything rendered from one {@link MetalLbSpec}. */
export interface RenderedMetalLb {
  /** The validated inputs. */
  checked: CheckedMetalLb;
  /** The ingress address (see {@link CheckedMetalLb.endpoint}). */
  endpoint: string;
  /** Soft findings for `pulumi.log.warn`. */
  warnings: string[];
  /** `metallb-system`, labelled for the `privileged` Pod Security level. */
  namespace: K8sObject;
  /** One IPAddressPool per pool, in input order. */
  pools: K8sObject[];
  /** l2 mode: the L2Advertisement. */
  l2Advertisement?: K8sObject;
  /** bgp mode with a BFD profile. */
  bfdProfile?: K8sObject;
  /** bgp mode: one BGPPeer per peer, in input order. */
  bgpPeers: K8sObject[];
  /** bgp mode: the BGPAdvertisement. */
  bgpAdvertisement?: K8sObject;
  /** All of the above, namespace first, then pools, BFD profile, peers, advertisements. No Secrets. */
  objects: K8sObject[];
  /** `objects` as one multi-document YAML string. */
  manifests: string;
  /** Values for the `metallb` Helm chart (`loadBalancerClass`, `speaker.ignoreExcludeLB`). */
  helmValues: Record<string, unknown>;
  /** The pinned upstream manifest URL used by the `talos-inline` delivery. */
  upstreamManifestUrl: string;
}

function meta(name: string): K8sObject["metadata"] {
  return { name, namespace: METALLB_NAMESPACE };
}

/** The `metallb-system` Namespace with `pod-security.kubernetes.io/{enforce,audit,warn}: privileged` (Talos enforces `baseline`, which rejects the speaker's hostNetwork and NET_RAW; metallb/metallb#1457). */
export function renderNamespace(): K8sObject {
  return { apiVersion: "v1", kind: "Namespace", metadata: { name: METALLB_NAMESPACE, labels: { ...POD_SECURITY_LABELS } } };
}

/** An IPAddressPool with explicit `autoAssign` and `avoidBuggyIPs`. */
export function renderIpAddressPool(pool: CheckedPool): K8sObject {
  return {
    apiVersion: METALLB_V1BETA1,
    kind: "IPAddressPool",
    metadata: meta(pool.name),
    spec: { addresses: [...pool.addresses], autoAssign: pool.autoAssign, avoidBuggyIPs: pool.avoidBuggyIPs },
  };
}

/** The L2Advertisement named `l2` for the given pools, interfaces and node selectors. */
export function renderL2Advertisement(l2: NonNullable<CheckedMetalLb["l2Advertisement"]>): K8sObject {
  const spec: Record<string, unknown> = { ipAddressPools: [...l2.pools] };
  if (l2.interfaces) spec.interfaces = [...l2.interfaces];
  if (l2.nodeSelectors) spec.nodeSelectors = l2.nodeSelectors;
  return { apiVersion: METALLB_V1BETA1, kind: "L2Advertisement", metadata: meta(L2_ADVERTISEMENT_NAME), spec };
}

/** A BFDProfile. */
export function renderBfdProfile(profile: BfdProfileSpec): K8sObject {
  const { name, ...spec } = profile;
  return { apiVersion: METALLB_V1BETA1, kind: "BFDProfile", metadata: meta(name), spec };
}

/** A BGPPeer (`metallb.io/v1beta2`); `passwordSecret` becomes `{ name, namespace: metallb-system }`. */
export function renderBgpPeer(peer: BgpPeerSpec): K8sObject {
  const spec: Record<string, unknown> = { myASN: peer.myASN, peerASN: peer.peerASN, peerAddress: peer.peerAddress };
  if (peer.peerPort !== undefined) spec.peerPort = peer.peerPort;
  if (peer.ebgpMultiHop !== undefined) spec.ebgpMultiHop = peer.ebgpMultiHop;
  if (peer.bfdProfile !== undefined) spec.bfdProfile = peer.bfdProfile;
  if (peer.passwordSecret !== undefined) spec.passwordSecret = { name: peer.passwordSecret, namespace: METALLB_NAMESPACE };
  if (peer.nodeSelectors !== undefined) spec.nodeSelectors = peer.nodeSelectors;
  return { apiVersion: METALLB_V1BETA2, kind: "BGPPeer", metadata: meta(peer.name), spec };
}

/** The BGPAdvertisement named `bgp`. */
export function renderBgpAdvertisement(adv: NonNullable<CheckedMetalLb["bgpAdvertisement"]>): K8sObject {
  const spec: Record<string, unknown> = { ipAddressPools: [...adv.pools] };
  if (adv.peers) spec.peers = [...adv.peers];
  if (adv.aggregationLength !== undefined) spec.aggregationLength = adv.aggregationLength;
  if (adv.localPref !== undefined) spec.localPref = adv.localPref;
  if (adv.communities) spec.communities = [...adv.communities];
  return { apiVersion: METALLB_V1BETA1, kind: "BGPAdvertisement", metadata: meta(BGP_ADVERTISEMENT_NAME), spec };
}

/**
 * The Secret a BGPPeer's `passwordSecret` points at: type `kubernetes.io/basic-auth`, key
 * `password`, in `metallb-system` (BGPPeer CRD: "the secret must be of type
 * kubernetes.io/basic-auth, and created in the same namespace as the MetalLB deployment. The
 * password is stored in the secret as the key password"). Rendered apart from the other objects so
 * that the caller can keep it secret.
 */
export function renderBgpPasswordSecret(name: string, password: string): K8sObject {
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: meta(name),
    type: "kubernetes.io/basic-auth",
    stringData: { password },
  };
}

/** Objects as one multi-document YAML string (documents separated by `---`). */
export function toYamlDocuments(objects: readonly object[]): string {
  return objects.map((o) => new Document(o, { aliasDuplicateObjects: false }).toString({ lineWidth: 0 })).join("---\n");
}

/** Helm values for the `metallb` chart: `speaker.ignoreExcludeLB` always, `loadBalancerClass` when set. */
export function metalLbHelmValues(checked: CheckedMetalLb): Record<string, unknown> {
  const values: Record<string, unknown> = { speaker: { ignoreExcludeLB: checked.ignoreExcludeLB } };
  if (checked.loadBalancerClass !== undefined) values.loadBalancerClass = checked.loadBalancerClass;
  return values;
}

/**
 * Validates `spec` and renders every MetalLB object.
 * @throws InputError for any problem listed at {@link checkMetalLbSpec}.
 */
export function renderMetalLb(spec: MetalLbSpec): RenderedMetalLb {
  const checked = checkMetalLbSpec(spec);
  const namespace = renderNamespace();
  const pools = checked.pools.map(renderIpAddressPool);
  const l2Advertisement = checked.l2Advertisement ? renderL2Advertisement(checked.l2Advertisement) : undefined;
  const bfdProfile = checked.bfdProfile ? renderBfdProfile(checked.bfdProfile) : undefined;
  const bgpPeers = checked.bgpPeers.map(renderBgpPeer);
  const bgpAdvertisement = checked.bgpAdvertisement ? renderBgpAdvertisement(checked.bgpAdvertisement) : undefined;
  const objects = [
    namespace,
    ...pools,
    ...(bfdProfile ? [bfdProfile] : []),
    ...bgpPeers,
    ...(l2Advertisement ? [l2Advertisement] : []),
    ...(bgpAdvertisement ? [bgpAdvertisement] : []),
  ];
  return {
    checked,
    endpoint: checked.endpoint,
    warnings: checked.warnings,
    namespace,
    pools,
    l2Advertisement,
    bfdProfile,
    bgpPeers,
    bgpAdvertisement,
    objects,
    manifests: toYamlDocuments(objects),
    helmValues: metalLbHelmValues(checked),
    upstreamManifestUrl: upstreamManifestUrl(checked.version, checked.bfdProfile !== undefined),
  };
}
