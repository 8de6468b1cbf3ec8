/**
 * The `render` namespace of the package entry (`import { render } from "talos-endpoints"`): the
 * pure renderers behind the components, for users who want the files without the resources
 * (e.g. to review them, or to deliver them with their own tooling). Every function here is
 * synchronous, takes plain values, and throws `InputError` naming the offending field.
 * Nothing here imports a Pulumi package.
 */
export { KUBERNETES_API_PORT, TALOS_API_PORT, DEFAULT_KUBEPRISM_PORT, renderControlPlanePatch, kubernetesApiUrl } from "./talos/patch";
export type { ControlPlanePatchSpec, RenderedPatch, LinkSelectorSpec } from "./talos/patch";
export { parseTalosVersion, MIN_TALOS_MINOR, MAX_TALOS_MINOR } from "./talos/version";
export type { TalosVersion } from "./talos/version";
export { renderHaproxyConfig } from "./haproxyKeepalived/haproxyConfig";
export type { HaproxyConfigSpec } from "./haproxyKeepalived/haproxyConfig";
export { renderKeepalivedConfig, renderCheckScript } from "./haproxyKeepalived/keepalivedConfig";
export type { KeepalivedConfigSpec, CheckScriptSpec, RenderedCheckScript } from "./haproxyKeepalived/keepalivedConfig";
export { renderPushSteps } from "./haproxyKeepalived/pushScript";
export type { PushStepsSpec } from "./haproxyKeepalived/pushScript";
export { planHaproxyKeepalived } from "./haproxyKeepalived/plan";
export type { HaproxyKeepalivedPlanSpec, HaproxyKeepalivedPlan } from "./haproxyKeepalived/plan";
export { DEFAULT_TUNING, FAST_TUNING } from "./haproxyKeepalived/tuning";
export type { LoadBalancerTuning } from "./haproxyKeepalived/tuning";
export { renderMetalLb } from "./metallb/manifests";
export type { RenderedMetalLb } from "./metallb/manifests";
export { renderMetalLbTalosPatch } from "./metallb/talosPatch";
export type { MetalLbTalosPatch } from "./metallb/talosPatch";
export type { MetalLbSpec } from "./metallb/types";
export { renderCilium, ciliumHelmValues, l2ClientRateLimit } from "./cilium/manifests";
export type { RenderedCilium } from "./cilium/manifests";
export { renderCiliumTalosPatch } from "./cilium/talosPatch";
export type { CiliumTalosPatch } from "./cilium/talosPatch";
export { ciliumApiVersions, DEFAULT_CILIUM_VERSION } from "./cilium/types";
export type { CiliumSpec, CiliumApiVersions } from "./cilium/types";
export { renderKubeVip, renderKubeVipTalosPatch, renderKubeVipBgpSecret } from "./kubevip/manifests";
export type { RenderedKubeVip, KubeVipTalosPatch, KubeVipEnvVar } from "./kubevip/manifests";
export { DEFAULT_KUBE_VIP_IMAGE } from "./kubevip/types";
export { mergeTalosPatches } from "./kubevip/mergePatches";
export type { KubeVipSpec } from "./kubevip/types";
export { checkLoadBalancerConflicts } from "./guards/loadBalancers";
export type {
  GuardSpec,
  GuardResult,
  GuardNode,
  GuardNodeSet,
  GuardEndpoint,
  GuardServiceLoadBalancer,
  GuardBgpSpeaker,
  GuardKubeProxy,
} from "./guards/loadBalancers";
export { adviseStrategy, normalizeFacts, clusterSize } from "./advisor/advise";
export { formatAdvice } from "./advisor/format";
export type {
  ClusterFacts,
  NormalizedFacts,
  StrategyAdvice,
  Candidate,
  Failover,
  Trap,
  ClusterSize,
  EndpointStrategy,
  ServiceStrategy,
} from "./advisor/types";
