/**
 * Rendering of kube-vip for Talos: ServiceAccount, ClusterRole, ClusterRoleBinding and a
 * DaemonSet on the control planes in `kube-system`, the optional BGP Secret, and the Talos patch
 * fragment that delivers them as an inline manifest. Pure: no Pulumi imports.
 *
 * Why a DaemonSet reaching the API through KubePrism (and not kube-vip's static pod with
 * `/etc/kubernetes/admin.conf`): Talos writes no `admin.conf`, and kube-vip v1.0.0
 * (`pkg/manager/manager.go`) uses the in-cluster config (its ServiceAccount token) when neither
 * that file nor `$HOME/.kube/config` exists; client-go builds that config from
 * `KUBERNETES_SERVICE_HOST` / `KUBERNETES_SERVICE_PORT`, set here to KubePrism
 * (`localhost:<kubePrismPort>`), which on a Talos control plane balances across the API servers
 * and is up before any VIP. A static pod cannot use a ServiceAccount and would need a
 * cluster-admin kubeconfig written to every node's disk by the machine config.
 *
 * The tests decode every rendered object into the typed structs of k8s.io/api v0.36.3 with
 * unknown fields refused, and check every kube-vip variable name against kube-vip v1.0.0's
 * `pkg/kubevip/config_envvar.go`.
 */
import { Document } from "yaml";
import { InputError } from "../../core/errors";
import type { K8sObject } from "../metallb/manifests";
import { BGP_PASSWORD_FORBIDDEN, CheckedKubeVip, checkKubeVipSpec } from "./validate";
import {
  CONTROL_PLANE_LABEL,
  KUBE_VIP_BGP_SECRET,
  KUBE_VIP_CLUSTER_ROLE,
  KUBE_VIP_CLUSTER_ROLE_BINDING,
  KUBE_VIP_DAEMONSET,
  KUBE_VIP_INLINE_MANIFEST_NAME,
  KUBE_VIP_LEASE_NAME,
  KUBE_VIP_NAMESPACE,
  KUBE_VIP_RBAC_RULES,
  KUBE_VIP_SERVICE_ACCOUNT,
  KubeVipSpec,
} from "./types";

export type { K8sObject } from "../metallb/manifests";

/** One container environment variable as rendered. */
export interface KubeVipEnvVar {
  name: string;
  value?: string;
  valueFrom?: { fieldRef?: { fieldPath: string }; secretKeyRef?: { name: string; key: string } };
}

/**
 * Variables the container reads that are not kube-vip's own: client-go's in-cluster config
 * (`rest.InClusterConfig`, k8s.io/client-go v0.33.3 `rest/config.go`).
 */
export const CLIENT_GO_ENV = ["KUBERNETES_SERVICE_HOST", "KUBERNETES_SERVICE_PORT"] as const;

/** Everything rendered from one {@link KubeVipSpec}. */
export interface RenderedKubeVip {
  /** The validated inputs. */
  checked: CheckedKubeVip;
  /** Soft findings. */
  warnings: string[];
  /** The container's environment, in order. */
  env: KubeVipEnvVar[];
  serviceAccount: K8sObject;
  clusterRole: K8sObject;
  clusterRoleBinding: K8sObject;
  daemonSet: K8sObject;
  /** ServiceAccount, ClusterRole, ClusterRoleBinding, DaemonSet (no Secret). */
  objects: K8sObject[];
  /** `objects` as multi-document YAML. */
  manifests: string;
  /** The `spec.loadBalancerClass` kube-vip serves, when Services are enabled. */
  loadBalancerClass?: string;
}

/** Multi-document YAML (one `---`-separated document per object, no anchors, no folded lines). */
export function toKubeVipYaml(objects: readonly K8sObject[]): string {
  return objects.map((o) => new Document(o, { aliasDuplicateObjects: false }).toString({ lineWidth: 0 })).join("---\n");
}

/** The version part of an image tag (`v1.2.3`), for the `app.kubernetes.io/version` label; undefined for digests or odd tags. */
function imageVersion(image: string): string | undefined {
  const m = /:(v?\d+\.\d+\.\d+[0-9A-Za-z.-]*)$/.exec(image);
  return m ? m[1] : undefined;
}

/** `bgp_peers`: `<address>:<AS>:<password>:<multihop>:<port>` per peer, IPv6 in brackets (kube-vip v1.0.0 `pkg/bgp/peers.go`). */
export function bgpPeersValue(checked: CheckedKubeVip, passwords: readonly (string | undefined)[] = []): string {
  return checked
    .bgp!.peers.map((p, i) => {
      const host = p.address.includes(":") ? `[${p.address}]` : p.address;
      return `${host}:${p.asn}:${passwords[i] ?? ""}:${p.multihop}:${p.port}`;
    })
    .join(",");
}

/** The container environment: every name is kube-vip's (config_envvar.go v1.0.0) except {@link CLIENT_GO_ENV}. */
export function kubeVipEnv(c: CheckedKubeVip): KubeVipEnvVar[] {
  const env: KubeVipEnvVar[] = [
    { name: "address", value: c.vip },
    { name: "port", value: "6443" },
    { name: "vip_nodename", valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } },
  ];
  if (c.interface !== undefined) env.push({ name: "vip_interface", value: c.interface });
  env.push({ name: "cp_enable", value: "true" }, { name: "cp_namespace", value: "kube-system" });
  if (c.mode === "arp") {
    env.push(
      { name: "vip_arp", value: "true" },
      { name: "vip_leaderelection", value: "true" },
      { name: "vip_leasename", value: KUBE_VIP_LEASE_NAME },
      { name: "vip_leaseduration", value: String(c.leaseDurationSeconds) },
      { name: "vip_renewdeadline", value: String(c.renewDeadlineSeconds) },
      { name: "vip_retryperiod", value: String(c.retryPeriodSeconds) },
    );
  } else {
    const bgp = c.bgp!;
    env.push(
      { name: "vip_arp", value: "false" },
      { name: "vip_leaderelection", value: "false" },
      { name: "bgp_enable", value: "true" },
      bgp.routerId === undefined
        ? { name: "bgp_routerid", valueFrom: { fieldRef: { fieldPath: "status.hostIP" } } }
        : { name: "bgp_routerid", value: bgp.routerId },
      { name: "bgp_as", value: String(bgp.localASN) },
      bgp.passwords.some((p) => p)
        ? { name: "bgp_peers", valueFrom: { secretKeyRef: { name: KUBE_VIP_BGP_SECRET, key: "bgp_peers" } } }
        : { name: "bgp_peers", value: bgpPeersValue(c) },
    );
  }
  env.push({ name: "svc_enable", value: String(c.services.enabled) });
  if (c.services.enabled) {
    env.push({ name: "lb_class_only", value: String(c.services.classOnly) }, { name: "lb_class_name", value: c.services.className });
  }
  if (c.loadBalancer.enabled) {
    env.push(
      { name: "lb_enable", value: "true" },
      { name: "lb_port", value: String(c.loadBalancer.port) },
      { name: "lb_fwdmethod", value: c.loadBalancer.forwardingMethod },
    );
  }
  env.push({ name: "KUBERNETES_SERVICE_HOST", value: "localhost" }, { name: "KUBERNETES_SERVICE_PORT", value: String(c.kubePrismPort) });
  return env;
}

function meta(name: string, namespaced: boolean, labels?: Record<string, string>): K8sObject["metadata"] {
  const m: K8sObject["metadata"] = { name };
  if (namespaced) m.namespace = KUBE_VIP_NAMESPACE;
  if (labels) m.labels = labels;
  return m;
}

/** The DaemonSet: control planes only, hostNetwork, NET_ADMIN/NET_RAW (privileged with masquerade), KubePrism as the API. */
export function renderKubeVipDaemonSet(c: CheckedKubeVip): K8sObject {
  const version = imageVersion(c.image);
  const labels: Record<string, string> = { "app.kubernetes.io/name": KUBE_VIP_DAEMONSET };
  const podLabels = version ? { ...labels, "app.kubernetes.io/version": version } : { ...labels };
  const securityContext =
    c.loadBalancer.enabled && c.loadBalancer.forwardingMethod === "masquerade"
      ? { privileged: true }
      : { capabilities: { add: ["NET_ADMIN", "NET_RAW"], drop: ["ALL"] } };
  return {
    apiVersion: "apps/v1",
    kind: "DaemonSet",
    metadata: meta(KUBE_VIP_DAEMONSET, true, podLabels),
    spec: {
      selector: { matchLabels: labels },
      updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1 } },
      template: {
        metadata: { labels: podLabels },
        spec: {
          serviceAccountName: KUBE_VIP_SERVICE_ACCOUNT,
          hostNetwork: true,
          priorityClassName: "system-node-critical",
          nodeSelector: { [CONTROL_PLANE_LABEL]: "" },
          tolerations: [
            { effect: "NoSchedule", operator: "Exists" },
            { effect: "NoExecute", operator: "Exists" },
          ],
          containers: [
            {
              name: "kube-vip",
              image: c.image,
              imagePullPolicy: "IfNotPresent",
              args: ["manager"],
              env: kubeVipEnv(c),
              securityContext,
            },
          ],
        },
      },
    },
  };
}

/** ServiceAccount, ClusterRole (kube-vip's rules), ClusterRoleBinding. */
export function renderKubeVipRbac(): { serviceAccount: K8sObject; clusterRole: K8sObject; clusterRoleBinding: K8sObject } {
  return {
    serviceAccount: { apiVersion: "v1", kind: "ServiceAccount", metadata: meta(KUBE_VIP_SERVICE_ACCOUNT, true) },
    clusterRole: {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRole",
      metadata: meta(KUBE_VIP_CLUSTER_ROLE, false),
      rules: KUBE_VIP_RBAC_RULES.map((r) => ({ apiGroups: [...r.apiGroups], resources: [...r.resources], verbs: [...r.verbs] })),
    },
    clusterRoleBinding: {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRoleBinding",
      metadata: meta(KUBE_VIP_CLUSTER_ROLE_BINDING, false),
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: KUBE_VIP_CLUSTER_ROLE },
      subjects: [{ kind: "ServiceAccount", name: KUBE_VIP_SERVICE_ACCOUNT, namespace: KUBE_VIP_NAMESPACE }],
    },
  };
}

/**
 * The Secret `kube-vip-bgp` (key `bgp_peers`, in `kube-system`) that the `bgp_peers` variable
 * reads when a peer has a password: the whole peer list, passwords included, so that no password
 * appears in the DaemonSet. The caller keeps the result secret.
 * @param passwords one per peer, in order; `undefined` for a peer without password.
 * @throws InputError (`bgp.peers[i].password`, value shown as `[secret]`) for a password missing
 *   where `hasPassword` is set, given where it is not, empty, or holding `:`, `,`, `/` or
 *   whitespace (kube-vip's peer format has no escaping).
 */
export function renderKubeVipBgpSecret(checked: CheckedKubeVip, passwords: readonly (string | undefined)[]): K8sObject {
  const bgp = checked.bgp;
  if (!bgp) throw new InputError("bgp", undefined, "is not set: only bgp mode has peers with passwords");
  bgp.peers.forEach((_, i) => {
    const pw = passwords[i];
    const f = `bgp.peers[${i}].password`;
    if (bgp.passwords[i] !== (pw !== undefined)) {
      throw new InputError(
        f,
        pw === undefined ? undefined : "[secret]",
        bgp.passwords[i] ? "is missing" : "is given for a peer without hasPassword",
      );
    }
    if (pw !== undefined && (pw === "" || BGP_PASSWORD_FORBIDDEN.test(pw))) {
      throw new InputError(
        f,
        "[secret]",
        "must be non-empty and hold no ':', ',', '/' or whitespace (kube-vip's bgp_peers format cannot escape them)",
      );
    }
  });
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: meta(KUBE_VIP_BGP_SECRET, true),
    type: "Opaque",
    stringData: { bgp_peers: bgpPeersValue(checked, passwords) },
  };
}

/**
 * Validates `spec` and renders the kube-vip objects.
 * @throws InputError for any problem listed at `checkKubeVipSpec`.
 */
export function renderKubeVip(spec: KubeVipSpec): RenderedKubeVip {
  const checked = checkKubeVipSpec(spec);
  const env = kubeVipEnv(checked);
  const { serviceAccount, clusterRole, clusterRoleBinding } = renderKubeVipRbac();
  const daemonSet = renderKubeVipDaemonSet(checked);
  const objects = [serviceAccount, clusterRole, clusterRoleBinding, daemonSet];
  return {
    checked,
    warnings: checked.warnings,
    env,
    serviceAccount,
    clusterRole,
    clusterRoleBinding,
    daemonSet,
    objects,
    manifests: toKubeVipYaml(objects),
    loadBalancerClass: checked.services.enabled ? checked.services.className : undefined,
  };
}

/** The Talos patch fragment's shape (v1alpha1 strategic merge; every field exists in Talos 1.9–1.13's config schema). */
export interface KubeVipTalosPatch {
  cluster: {
    /** One entry `kube-vip`: the BGP Secret (when passwords), ServiceAccount, ClusterRole, ClusterRoleBinding, DaemonSet. */
    inlineManifests: { name: string; contents: string }[];
    /** `{ extraArgs: { "ipvs-strict-arp": "true" } }` when kube-vip announces Services by ARP and kube-proxy runs in IPVS mode. */
    proxy?: { extraArgs: Record<string, string> };
  };
}

/**
 * The control-plane patch fragment: kube-vip as a Talos inline manifest (`cluster.inlineManifests`,
 * applied by Talos's manifest controller once the API is up), plus strict ARP for kube-proxy in
 * IPVS mode when kube-vip announces Services by ARP.
 * @param passwords bgp mode: one per peer (see {@link renderKubeVipBgpSecret}); the caller keeps
 *   the result secret when any is set.
 */
export function renderKubeVipTalosPatch(spec: KubeVipSpec, passwords: readonly (string | undefined)[] = []): KubeVipTalosPatch {
  const rendered = renderKubeVip(spec);
  const c = rendered.checked;
  const secret = c.bgp && c.bgp.passwords.some((p) => p) ? [renderKubeVipBgpSecret(c, passwords)] : [];
  if (secret.length === 0 && passwords.some((p) => p !== undefined)) {
    throw new InputError("bgp.peers", "[secret]", "passwords are given but no peer has hasPassword set");
  }
  const cluster: KubeVipTalosPatch["cluster"] = {
    inlineManifests: [{ name: KUBE_VIP_INLINE_MANIFEST_NAME, contents: toKubeVipYaml([...secret, ...rendered.objects]) }],
  };
  if (c.strictArp) cluster.proxy = { extraArgs: { "ipvs-strict-arp": "true" } };
  return { cluster };
}
