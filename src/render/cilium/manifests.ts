/**
 * Rendering of the Cilium objects (`CiliumLoadBalancerIPPool`, `CiliumL2AnnouncementPolicy`,
 * `CiliumBGPPeerConfig`, `CiliumBGPClusterConfig`, `CiliumBGPAdvertisement`), the BGP password
 * Secrets and the Helm values. Pure: no Pulumi imports.
 *
 * Shapes follow the CRDs of the pinned releases (see `./types`); apiVersions follow the Cilium
 * minor. The tests validate every rendered object against the CRD schema of its version with
 * unknown fields refused, and the Helm values against the chart's `values.schema.json`.
 */
import { K8sObject, toYamlDocuments } from "../metallb/manifests";
import { CheckedCilium, CheckedCiliumPool, checkCiliumSpec, checkCommunity, CommunityKind } from "./validate";
import {
  AGENT_CLIENT_DEFAULT_BURST,
  AGENT_CLIENT_DEFAULT_QPS,
  BGP_ADVERTISEMENT_LABEL,
  BGP_ADVERTISEMENT_NAME,
  BGP_CLUSTER_CONFIG_NAME,
  CILIUM_BGP_SECRETS_NAMESPACE,
  CiliumBgpPeerSpec,
  CiliumSpec,
  EXTERNAL_IPS_ALWAYS_MINOR,
  L2_LEASE_RENEW_DEADLINE_SECONDS,
  L2_POLICY_NAME,
  TALOS_CILIUM_AGENT_CAPABILITIES,
  TALOS_CILIUM_CLEAN_STATE_CAPABILITIES,
} from "./types";

export type { K8sObject } from "../metallb/manifests";
export { toYamlDocuments } from "../metallb/manifests";

/** Everything rendered from one {@link CiliumSpec}. */
export interface RenderedCilium {
  /** The validated inputs. */
  checked: CheckedCilium;
  /** The ingress address. */
  endpoint: string;
  /** The `loadBalancerClass` of the mode (`io.cilium/l2-announcer` or `io.cilium/bgp-control-plane`). */
  loadBalancerClass: string;
  /** Soft findings for `pulumi.log.warn`. */
  warnings: string[];
  /** One CiliumLoadBalancerIPPool per pool, in input order. */
  pools: K8sObject[];
  /** l2 mode: the CiliumL2AnnouncementPolicy. */
  l2Policy?: K8sObject;
  /** bgp mode: one CiliumBGPPeerConfig per peer, in input order. */
  bgpPeerConfigs: K8sObject[];
  /** bgp mode: the CiliumBGPClusterConfig. */
  bgpClusterConfig?: K8sObject;
  /** bgp mode: the CiliumBGPAdvertisement of the LoadBalancer addresses. */
  bgpAdvertisement?: K8sObject;
  /** All of the above: pools, then the L2 policy or the peer configs, cluster config and advertisement. No Secrets. */
  objects: K8sObject[];
  /** `objects` as one multi-document YAML string. */
  manifests: string;
  /** Values for the `cilium` Helm chart (see {@link ciliumHelmValues}). */
  helmValues: Record<string, unknown>;
}

function meta(name: string, labels?: Readonly<Record<string, string>>): K8sObject["metadata"] {
  return labels ? { name, labels: { ...labels } } : { name };
}

/** A CiliumLoadBalancerIPPool: ranges as `{start, stop}`, CIDRs as `{cidr}`. */
export function renderPool(pool: CheckedCiliumPool, checked: CheckedCilium): K8sObject {
  const spec: Record<string, unknown> = {
    blocks: pool.blocks.map((b) => {
      if (b.kind === "cidr") return { cidr: b.text };
      const [start, stop] = b.text.split("-");
      return { start, stop };
    }),
  };
  if (pool.allowFirstLastIPs !== undefined) spec.allowFirstLastIPs = pool.allowFirstLastIPs ? "Yes" : "No";
  if (pool.disabled) spec.disabled = true;
  if (pool.serviceSelector) spec.serviceSelector = pool.serviceSelector;
  return { apiVersion: checked.apiVersions.pool, kind: "CiliumLoadBalancerIPPool", metadata: meta(pool.name), spec };
}

/** The CiliumL2AnnouncementPolicy named `l2`: LoadBalancer addresses always, external IPs when asked. */
export function renderL2Policy(checked: CheckedCilium): K8sObject {
  const l2 = checked.l2Announcement!;
  const spec: Record<string, unknown> = { loadBalancerIPs: true, externalIPs: l2.externalIPs };
  if (l2.interfaces) spec.interfaces = [...l2.interfaces];
  if (l2.nodeSelector) spec.nodeSelector = l2.nodeSelector;
  if (l2.serviceSelector) spec.serviceSelector = l2.serviceSelector;
  return { apiVersion: checked.apiVersions.l2Policy, kind: "CiliumL2AnnouncementPolicy", metadata: meta(L2_POLICY_NAME), spec };
}

/**
 * A peer's CiliumBGPPeerConfig, named after the peer: timers, multihop, graceful restart, port,
 * password Secret, and the address families whose `advertisements` select the LoadBalancer
 * advertisement (IPv4 unicast, plus IPv6 unicast when a pool holds IPv6).
 */
export function renderBgpPeerConfig(peer: CiliumBgpPeerSpec, checked: CheckedCilium): K8sObject {
  const advertisements = { matchLabels: { ...BGP_ADVERTISEMENT_LABEL } };
  const families: Record<string, unknown>[] = [{ afi: "ipv4", safi: "unicast", advertisements }];
  if (checked.hasIpv6) families.push({ afi: "ipv6", safi: "unicast", advertisements });
  const spec: Record<string, unknown> = { families };
  if (peer.timers && Object.keys(peer.timers).length > 0) spec.timers = { ...peer.timers };
  if (peer.ebgpMultihop !== undefined) spec.ebgpMultihop = peer.ebgpMultihop;
  if (peer.gracefulRestart) spec.gracefulRestart = { ...peer.gracefulRestart };
  if (peer.peerPort !== undefined) spec.transport = { peerPort: peer.peerPort };
  if (peer.authSecretRef !== undefined) spec.authSecretRef = peer.authSecretRef;
  return { apiVersion: checked.apiVersions.bgp, kind: "CiliumBGPPeerConfig", metadata: meta(peer.name), spec };
}

/** The CiliumBGPClusterConfig named `bgp`: one BGP instance `instance-<localASN>` with every peer. */
export function renderBgpClusterConfig(checked: CheckedCilium): K8sObject {
  const bgp = checked.bgp!;
  const spec: Record<string, unknown> = {
    bgpInstances: [
      {
        name: `instance-${bgp.localASN}`,
        localASN: bgp.localASN,
        peers: bgp.peers.map((p) => ({ name: p.name, peerASN: p.peerASN, peerAddress: p.peerAddress, peerConfigRef: { name: p.name } })),
      },
    ],
  };
  if (bgp.nodeSelector) spec.nodeSelector = bgp.nodeSelector;
  return { apiVersion: checked.apiVersions.bgp, kind: "CiliumBGPClusterConfig", metadata: meta(BGP_CLUSTER_CONFIG_NAME), spec };
}

/**
 * The CiliumBGPAdvertisement of LoadBalancer addresses, labelled so the peer configs select it,
 * with an explicit Service selector (the user's, or the NotIn idiom for every Service).
 */
export function renderBgpAdvertisement(checked: CheckedCilium): K8sObject {
  const adv = checked.bgp!.advertisement;
  const advertisement: Record<string, unknown> = {
    advertisementType: "Service",
    service: { addresses: ["LoadBalancerIP"] },
    selector: adv.serviceSelector,
  };
  const attributes: Record<string, unknown> = {};
  if (adv.communities && adv.communities.length > 0) {
    const communities: Partial<Record<CommunityKind, string[]>> = {};
    adv.communities.forEach((c, i) => {
      const kind = checkCommunity(`bgp.advertisement.communities[${i}]`, c);
      (communities[kind] ??= []).push(c);
    });
    attributes.communities = communities;
  }
  if (adv.localPreference !== undefined) attributes.localPreference = adv.localPreference;
  if (Object.keys(attributes).length > 0) advertisement.attributes = attributes;
  return {
    apiVersion: checked.apiVersions.bgp,
    kind: "CiliumBGPAdvertisement",
    metadata: meta(BGP_ADVERTISEMENT_NAME, BGP_ADVERTISEMENT_LABEL),
    spec: { advertisements: [advertisement] },
  };
}

/**
 * The Secret a CiliumBGPPeerConfig's `authSecretRef` names: key `password`, in the BGP secrets
 * namespace `kube-system` (bgp-control-plane-v2.rst, "MD5 Password"). Rendered apart from the
 * other objects so that the caller can keep it secret.
 */
export function renderCiliumBgpPasswordSecret(name: string, password: string): K8sObject {
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name, namespace: CILIUM_BGP_SECRETS_NAMESPACE },
    type: "Opaque",
    stringData: { password },
  };
}

/**
 * The agent's client rate limit for l2 mode: Cilium's formula `QPS = #services * (1 /
 * leaseRenewDeadline)` (l2-announcements.rst, "Sizing client rate limit"; renew deadline 5 s),
 * rounded up, on top of the agent's own default budget (10 QPS), burst twice that.
 */
export function l2ClientRateLimit(loadBalancerServices: number): { qps: number; burst: number } {
  const leases = Math.ceil(loadBalancerServices / L2_LEASE_RENEW_DEADLINE_SECONDS);
  const qps = AGENT_CLIENT_DEFAULT_QPS + leases;
  return { qps, burst: Math.max(AGENT_CLIENT_DEFAULT_BURST, 2 * qps) };
}

/**
 * Values for the `cilium` Helm chart on Talos ("Deploying Cilium CNI", Talos docs): IPAM mode
 * `kubernetes`, `kubeProxyReplacement`, the capability lists without `SYS_MODULE`, Talos's own
 * cgroup v2 mount (`cgroup.autoMount.enabled: false`, `cgroup.hostRoot: /sys/fs/cgroup`), the API
 * server through KubePrism (`k8sServiceHost: localhost`, `k8sServicePort: <kubePrismPort>`), and
 * for Service load balancing `l2announcements.enabled` + `k8sClientRateLimit` (l2) or
 * `bgpControlPlane.enabled` (bgp), `externalIPs.enabled` when the L2 policy announces external
 * IPs on 1.16 (the chart of 1.17 and 1.18 has no such value: their values.yaml and
 * values.schema.json lack it, although l2-announcements.rst still names it), `defaultLBServiceIPAM: none` with `requireLBClass`.
 */
export function ciliumHelmValues(checked: CheckedCilium): Record<string, unknown> {
  const values: Record<string, unknown> = {
    ipam: { mode: "kubernetes" },
    kubeProxyReplacement: checked.kubeProxyReplacement,
    securityContext: {
      capabilities: { ciliumAgent: [...TALOS_CILIUM_AGENT_CAPABILITIES], cleanCiliumState: [...TALOS_CILIUM_CLEAN_STATE_CAPABILITIES] },
    },
    cgroup: { autoMount: { enabled: false }, hostRoot: "/sys/fs/cgroup" },
    k8sServiceHost: "localhost",
    k8sServicePort: checked.kubePrismPort,
    l2announcements: { enabled: checked.mode === "l2" },
    bgpControlPlane: { enabled: checked.mode === "bgp" },
  };
  if (checked.mode === "l2") values.k8sClientRateLimit = l2ClientRateLimit(checked.loadBalancerServices);
  if (checked.l2Announcement?.externalIPs && checked.minor < EXTERNAL_IPS_ALWAYS_MINOR) values.externalIPs = { enabled: true };
  if (checked.requireLBClass) values.defaultLBServiceIPAM = "none";
  return values;
}

/**
 * Validates `spec` and renders every Cilium object and the Helm values.
 * @throws InputError for any problem listed at {@link checkCiliumSpec}.
 */
export function renderCilium(spec: CiliumSpec): RenderedCilium {
  const checked = checkCiliumSpec(spec);
  const pools = checked.pools.map((p) => renderPool(p, checked));
  const l2Policy = checked.mode === "l2" ? renderL2Policy(checked) : undefined;
  const bgpPeerConfigs = checked.bgp ? checked.bgp.peers.map((p) => renderBgpPeerConfig(p, checked)) : [];
  const bgpClusterConfig = checked.bgp ? renderBgpClusterConfig(checked) : undefined;
  const bgpAdvertisement = checked.bgp ? renderBgpAdvertisement(checked) : undefined;
  const objects = [
    ...pools,
    ...(l2Policy ? [l2Policy] : []),
    ...bgpPeerConfigs,
    ...(bgpClusterConfig ? [bgpClusterConfig] : []),
    ...(bgpAdvertisement ? [bgpAdvertisement] : []),
  ];
  return {
    checked,
    endpoint: checked.endpoint,
    loadBalancerClass: checked.loadBalancerClass,
    warnings: checked.warnings,
    pools,
    l2Policy,
    bgpPeerConfigs,
    bgpClusterConfig,
    bgpAdvertisement,
    objects,
    manifests: toYamlDocuments(objects),
    helmValues: ciliumHelmValues(checked),
  };
}
