/**
 * talos-endpoints: Pulumi components for a highly available Talos Linux control-plane endpoint
 * (Kubernetes API 6443, Talos API 50000) and LoadBalancer Services. The package entry:
 *
 * ```ts
 * import { TalosVipEndpoint, TalosConfigPush, InputError, render } from "talos-endpoints";
 * ```
 *
 * Exports the components with their `Args` and nested input types, the enums their inputs take,
 * the endpoint contract (`ControlPlaneEndpoint`), `InputError`, and the `render` namespace of
 * pure renderers.
 * Everything else in the source tree is internal.
 */
export { InputError } from "./core/errors";
export { componentToken } from "./components/contract";
export type { ControlPlaneEndpoint, ControlPlaneNodeArgs, LinkSelectorArgs } from "./components/contract";
export { TalosVipEndpoint } from "./components/TalosVipEndpoint";
export type { TalosVipEndpointArgs } from "./components/TalosVipEndpoint";
export { HaproxyKeepalivedEndpoint } from "./components/HaproxyKeepalivedEndpoint";
export type {
  DnsRecord,
  HaproxyKeepalivedEndpointArgs,
  KubernetesApiCheckArgs,
  LoadBalancerHostArgs,
  SshConnectionArgs,
} from "./components/HaproxyKeepalivedEndpoint";
export type {
  HaproxyMonitorArgs,
  HaproxyTuningArgs,
  KeepalivedTuningArgs,
  LoadBalancerTuningArgs,
} from "./render/haproxyKeepalived/tuning";
export { NlbEndpoint } from "./components/NlbEndpoint";
export type { NlbEndpointArgs, NlbControlPlaneInstanceArgs, NlbWorkerInstanceArgs } from "./components/NlbEndpoint";
export { MetalLbServices } from "./components/MetalLbServices";
export type {
  MetalLbServicesArgs,
  MetalLbPoolArgs,
  MetalLbL2AdvertisementArgs,
  MetalLbBgpPeerArgs,
  MetalLbBgpAdvertisementArgs,
  MetalLbBfdProfileArgs,
  LabelSelectorArgs,
  LabelSelectorRequirementArgs,
  MetalLbPoolObject,
  MetalLbPoolObjectSpec,
  MetalLbObjectMeta,
} from "./components/MetalLbServices";
export { CiliumServices } from "./components/CiliumServices";
export type {
  CiliumServicesArgs,
  CiliumPoolArgs,
  CiliumL2AnnouncementArgs,
  CiliumBgpArgs,
  CiliumBgpPeerArgs,
  CiliumBgpTimersArgs,
  CiliumBgpGracefulRestartArgs,
  CiliumBgpAdvertisementArgs,
} from "./components/CiliumServices";
export { KubeVipEndpoint } from "./components/KubeVipEndpoint";
export type {
  KubeVipEndpointArgs,
  KubeVipBgpArgs,
  KubeVipBgpPeerArgs,
  KubeVipLoadBalancerArgs,
  KubeVipServicesArgs,
} from "./components/KubeVipEndpoint";
export { TalosConfigPush } from "./components/TalosConfigPush";
export type { TalosConfigPushArgs, TalosNodeArgs, NodePatchArgs } from "./components/TalosConfigPush";
export {
  ApplyMode,
  BalanceAlgorithm,
  CiliumDelivery,
  CiliumMode,
  ConfigSource,
  DnsRecordType,
  KubeProxyMode,
  KubeVipForwardingMethod,
  KubeVipMode,
  LabelSelectorOperator,
  LinkAddressing,
  LoadBalancerMode,
  MetalLbDelivery,
  MetalLbMode,
  TuningProfile,
  VrrpVersion,
} from "./render/enums";
export * as render from "./render";
