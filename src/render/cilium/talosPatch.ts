/**
 * The Talos side of Cilium: a partial v1alpha1 machine-config patch (strategic merge) for the
 * control-plane nodes. Pure: no Pulumi imports.
 *
 * Every field used exists, with the same shape, in the published Talos config schema of 1.9,
 * 1.11, 1.12 and 1.13 (`cluster.network.cni.name`, `cluster.proxy.disabled`,
 * `cluster.allowSchedulingOnControlPlanes`, `cluster.inlineManifests`); the tests merge the
 * fragment into a minimal config and validate it against all four schemas.
 *
 * What it carries, and why:
 * 1. `cluster.network.cni.name: none`: Talos deploys no CNI (Flannel is its default), Cilium is
 *    installed instead ("Deploying Cilium CNI", Talos docs, "Machine config preparation").
 * 2. `cluster.proxy.disabled: true` with kube-proxy replacement (same page): Talos deploys no
 *    kube-proxy, Cilium's eBPF service handling replaces it. Cilium then reaches the API server
 *    through KubePrism (`k8sServiceHost: localhost`, `k8sServicePort: 7445` in the Helm values).
 *    Both are bootstrap settings: on a running cluster Talos does not remove a Flannel or
 *    kube-proxy it already deployed, so give this fragment to `talosctl gen config
 *    --config-patch` for a new cluster too (README, "LoadBalancer Services with Cilium").
 * 3. `cluster.allowSchedulingOnControlPlanes: true` when there are no workers or control planes
 *    run Services, so that the Services' pods (the ingress controller) can run there. Unlike
 *    MetalLB, Cilium 1.16–1.18 does not read the `node.kubernetes.io/exclude-from-external-load-balancers`
 *    label Talos puts on control planes (no reference to it in `pkg/l2announcer` or `pkg/bgpv1`
 *    of the pinned releases), so the label is left alone; which nodes announce is the policies'
 *    node selector instead (workers only by default when there are workers).
 * 4. `talos-inline`: one `cluster.inlineManifests` entry `cilium-services` with the custom
 *    resources (and BGP password Secrets). Talos creates missing bootstrap objects and never
 *    updates existing ones (siderolabs/talos#4542), and the Cilium operator registers the CRDs
 *    when it starts (`pkg/k8s/apis/cilium.io/client/register.go`: the chart ships none), so the
 *    custom resources are applied on a later pass of Talos's manifest controller, after the
 *    user's Helm install (read from the sources; not verified on a live cluster here). Later
 *    changes need the `kubernetes` delivery.
 */
import { InputError } from "../../core/errors";
import { K8sObject, renderCilium, toYamlDocuments } from "./manifests";
import { CILIUM_BGP_SECRETS_NAMESPACE, CILIUM_INLINE_MANIFEST_NAME, CiliumSpec } from "./types";

/** The fragment's shape. Deep-merge it into the control-plane v1alpha1 patch (lists: append). */
export interface CiliumTalosPatch {
  cluster: {
    /** `{ cni: { name: "none" } }`. */
    network: { cni: { name: "none" } };
    /** `{ disabled: true }` with kube-proxy replacement. */
    proxy?: { disabled: true };
    /** `true` when control planes run the Services. */
    allowSchedulingOnControlPlanes?: boolean;
    /** `talos-inline`: one entry `cilium-services` with the BGP password Secrets and the custom resources. */
    inlineManifests?: { name: string; contents: string }[];
  };
}

function checkSecrets(secrets: readonly K8sObject[], wanted: readonly { name: string; authSecretRef?: string }[]): void {
  secrets.forEach((s, i) => {
    const pw = (s.stringData as { password?: unknown } | undefined)?.password;
    if (s.kind !== "Secret" || s.metadata?.namespace !== CILIUM_BGP_SECRETS_NAMESPACE || typeof pw !== "string" || pw === "") {
      throw new InputError(
        `secrets[${i}]`,
        s.metadata?.name,
        `must be a Secret in ${CILIUM_BGP_SECRETS_NAMESPACE} with a non-empty stringData.password (use renderCiliumBgpPasswordSecret)`,
      );
    }
    if (!wanted.some((p) => p.authSecretRef === s.metadata.name))
      throw new InputError(`secrets[${i}]`, s.metadata.name, "is not the authSecretRef of any BGP peer");
  });
  wanted.forEach((p, i) => {
    if (p.authSecretRef !== undefined && !secrets.some((s) => s.metadata.name === p.authSecretRef)) {
      throw new InputError(
        `bgp.peers[${i}].authSecretRef`,
        p.authSecretRef,
        "has no Secret among the rendered secrets; the inline manifests would reference a missing Secret",
      );
    }
  });
}

/**
 * Renders the control-plane patch fragment for Cilium (shape: {@link CiliumTalosPatch}).
 * @param spec the Cilium inputs (validated here; see `checkCiliumSpec`).
 * @param secrets `talos-inline` only: the BGP password Secrets (`renderCiliumBgpPasswordSecret`),
 *   one per peer with an `authSecretRef`; the caller must keep the result secret when non-empty.
 * @throws InputError for invalid inputs, Secrets not matching the peers' `authSecretRef`s, and
 *   Secrets passed with the `kubernetes` delivery.
 */
export function renderCiliumTalosPatch(spec: CiliumSpec, secrets: readonly K8sObject[] = []): CiliumTalosPatch {
  const rendered = renderCilium(spec);
  const c = rendered.checked;
  const cluster: CiliumTalosPatch["cluster"] = { network: { cni: { name: "none" } } };
  if (c.kubeProxyReplacement) cluster.proxy = { disabled: true };
  if (c.workerCount === 0 || c.controlPlanesRunServices) cluster.allowSchedulingOnControlPlanes = true;
  if (c.delivery === "talos-inline") {
    checkSecrets(secrets, c.bgp?.peers ?? []);
    cluster.inlineManifests = [{ name: CILIUM_INLINE_MANIFEST_NAME, contents: toYamlDocuments([...secrets, ...rendered.objects]) }];
  } else if (secrets.length > 0) {
    throw new InputError(
      "secrets",
      secrets.map((s) => s.metadata?.name),
      'only the "talos-inline" delivery carries Secrets in the Talos patch',
    );
  }
  return { cluster };
}
