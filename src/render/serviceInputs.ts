/**
 * Input checks shared by the service load-balancer components (`CiliumServices`,
 * `MetalLbServices`) and their renderers. Pure: no Pulumi imports; the components tell whether a
 * value is still deferred (an Output or a Promise).
 */
import { InputError } from "../core/errors";
import { AddressBlock, blockContains, parseIp } from "../core/net";

/**
 * `kubeconfig` must be set with delivery `kubernetes` (the Kubernetes provider is built from it)
 * and absent with `talos-inline`.
 * @param inlineCarries what travels in `talosPatch` with `talos-inline`, for the message.
 * @throws InputError naming `kubeconfig` (its value shown as `[secret]`).
 */
export function checkKubeconfigForDelivery(delivery: string, kubeconfig: unknown, inlineCarries: string): void {
  if (delivery === "kubernetes" && kubeconfig === undefined) {
    throw new InputError("kubeconfig", kubeconfig, 'must be set with delivery "kubernetes": the Kubernetes provider is built from it');
  }
  if (delivery === "talos-inline" && kubeconfig !== undefined) {
    throw new InputError(
      "kubeconfig",
      "[secret]",
      `is not used with delivery "talos-inline" (${inlineCarries} in talosPatch); remove it or use delivery "kubernetes"`,
    );
  }
}

/**
 * A BGP password given as a plain value must be a non-empty string; a deferred one is checked
 * when it resolves (`nonEmptyPassword` in the components).
 * @throws InputError naming `field`, the value shown as `[secret]` unless empty.
 */
export function checkPlainPassword(field: string, password: unknown, deferred: boolean): void {
  if (password !== undefined && !deferred && (typeof password !== "string" || password === "")) {
    throw new InputError(field, password === "" ? "" : "[secret]", "must be a non-empty string");
  }
}

/**
 * The pool entry holding `ingressAddress` and the parsed address.
 * @throws InputError naming `ingressAddress` when it is no IP or lies outside every entry.
 */
export function ingressPoolEntry<E extends { block: AddressBlock }>(
  ingressAddress: string,
  entries: readonly E[],
): { endpoint: string; hit: E } {
  const endpoint = parseIp("ingressAddress", ingressAddress).ip;
  const hit = entries.find((e) => blockContains(e.block, endpoint));
  if (!hit) {
    throw new InputError(
      "ingressAddress",
      ingressAddress,
      `is outside every pool (${entries.map((e) => e.block.text).join(", ")}); the ingress address must come from a pool`,
    );
  }
  return { endpoint, hit };
}
