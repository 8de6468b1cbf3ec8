/**
 * The plan of a `TalosConfigPush`: every node's patch parts, push script and trigger hash.
 * Pure: no Pulumi imports.
 */
import * as crypto from "crypto";
import { ControlPlaneNode, ControlPlaneNodeSpec, validateControlPlanes, validateLayer2Vip } from "./controlPlanes";
import {
  ControlPlanePatchSpec,
  DEFAULT_KUBEPRISM_PORT,
  describeCondition,
  kubernetesApiUrl,
  toYaml,
  LINK_ADDRESSINGS,
  LinkSelectorSpec,
  renderControlPlanePatch,
  vipLinkName,
} from "./patch";
import { checkOneOf } from "../../core/checks";
import { renderCertSansPatch } from "./nodeConfig";
import type { LinkAddressing } from "../enums";
import { checkModeAndTimeout, checkTalosctl, displayCommandLine, pushScriptInput, renderPushScript, talosctlPatchArgs } from "./talosctl";
import { parseTalosVersion } from "./version";
import { GeneratedNodeSpec, validateWorkers } from "./generated";

/** Per-node rendering: the patch parts, the command line, the script and its hash. */
export interface NodePlan {
  /** The main patch (applied every time) followed by the one-shot parts, as the script's stdin. */
  input: string;
  /**
   * For display: the main patch, the certSANs patch (the push sends only the SANs the node lacks),
   * and each one-shot part, each after a comment saying when it is applied.
   */
  patch: string;
  commandLine: string;
  script: string;
  hash: string;
}

/** The resolved `TalosConfigPush` args without the talosconfig (see there for every field). */
export interface TalosConfigPushPlanSpec {
  talosVersion: string;
  controlPlanes: readonly ControlPlaneNodeSpec[];
  endpoint: string;
  vip?: string;
  link?: string;
  linkSelector?: LinkSelectorSpec;
  linkAlias?: string;
  kubePrismEnabled?: boolean;
  kubePrismPort?: number;
  extraCertSANs?: string[];
  linkAddressing?: LinkAddressing;
  extraPatch?: Record<string, unknown>;
  mode?: string;
  tryTimeout?: string;
  talosctl?: string;
  waitTimeoutSeconds?: number;
  /**
   * Workers patched after the control planes with `cluster.controlPlane.endpoint` (what they join
   * and reach the API through) and KubePrism; no certSANs (a worker serves no Kubernetes API) and
   * no VIP. Default none.
   */
  workers?: readonly GeneratedNodeSpec[];
}

/**
 * The fields that are checked when the component is constructed, even when others are Outputs.
 * @returns the validated control-plane nodes.
 * @throws InputError for a bad version, node list, mode/timeout pair, talosctl path or linkAddressing.
 */
export function checkStatic(
  args: Pick<TalosConfigPushPlanSpec, "talosVersion" | "controlPlanes" | "mode" | "tryTimeout" | "talosctl" | "linkAddressing">,
): ControlPlaneNode[] {
  parseTalosVersion(args.talosVersion);
  checkOneOf("linkAddressing", args.linkAddressing ?? "dhcp", LINK_ADDRESSINGS);
  const { nodes } = validateControlPlanes("controlPlanes", args.controlPlanes);
  checkModeAndTimeout(args.mode, args.tryTimeout);
  checkTalosctl(args.talosctl ?? "talosctl");
  return nodes;
}

/** Renders the plan of every node from resolved args; throws InputError on bad input. */
export function planTalosConfigPush(args: TalosConfigPushPlanSpec): Record<string, NodePlan> {
  const nodes = checkStatic(args);
  // Everything TalosVipEndpoint checks about a VIP (on the nodes' subnet, no node's address), when one is given.
  if (args.vip !== undefined) validateLayer2Vip("vip", args.vip, nodes, "controlPlanes");
  const spec: ControlPlanePatchSpec = {
    talosVersion: args.talosVersion,
    endpoint: args.endpoint,
    link: args.link,
    linkSelector: args.linkSelector,
    linkAlias: args.linkAlias,
    vip: args.vip,
    kubePrismEnabled: args.kubePrismEnabled,
    kubePrismPort: args.kubePrismPort,
    extraCertSANs: args.extraCertSANs,
    linkAddressing: args.linkAddressing,
    extraPatch: args.extraPatch,
  };
  const rendered = renderControlPlanePatch(spec);
  const input = pushScriptInput(rendered.yaml, rendered.oneShot);
  const sans = renderCertSansPatch(rendered.certSANs, rendered.certSANs);
  const patch = [
    rendered.yaml,
    ...(sans === undefined
      ? []
      : [`# certSANs: each name is sent only where the node's machine.certSANs or cluster.apiServer.certSANs lacks it\n${sans}`]),
    ...rendered.oneShot.map((p) => `# applied only while ${describeCondition(p.condition)}: ${p.description}\n${p.yaml}`),
  ].join("");
  const link = vipLinkName(spec);
  const talosctl = args.talosctl ?? "talosctl";
  const plans: Record<string, NodePlan> = {};
  for (const node of nodes) {
    const script = renderPushScript({
      talosVersion: args.talosVersion,
      nodeIp: node.address.ip,
      mode: args.mode,
      tryTimeout: args.tryTimeout,
      talosctl,
      oneShot: rendered.oneShot,
      certSANs: rendered.certSANs,
      replaceVipOnLink: args.vip !== undefined && link !== undefined ? { link, vip: args.vip } : undefined,
      waitTimeoutSeconds: args.waitTimeoutSeconds,
    });
    const argv = talosctlPatchArgs({
      talosVersion: args.talosVersion,
      nodeIp: node.address.ip,
      mode: args.mode,
      tryTimeout: args.tryTimeout,
    });
    const hash = crypto.createHash("sha256").update(input).update("\0").update(script).digest("hex");
    plans[node.name] = { input, patch, commandLine: displayCommandLine(talosctl, argv), script, hash };
  }
  // Workers: the endpoint they join through and KubePrism, applied the same way every time (scalars only).
  const workers = validateWorkers(args.workers, nodes);
  const workerPatch = toYaml([
    {
      machine: { features: { kubePrism: { enabled: args.kubePrismEnabled ?? true, port: args.kubePrismPort ?? DEFAULT_KUBEPRISM_PORT } } },
      cluster: { controlPlane: { endpoint: kubernetesApiUrl(rendered.certSANs[0]) } },
    },
  ]);
  for (const worker of workers) {
    const script = renderPushScript({
      talosVersion: args.talosVersion,
      nodeIp: worker.ip,
      mode: args.mode,
      tryTimeout: args.tryTimeout,
      talosctl,
      waitTimeoutSeconds: args.waitTimeoutSeconds,
      role: "worker",
    });
    const argv = talosctlPatchArgs({ talosVersion: args.talosVersion, nodeIp: worker.ip, mode: args.mode, tryTimeout: args.tryTimeout });
    const hash = crypto.createHash("sha256").update(workerPatch).update("\0").update(script).digest("hex");
    plans[worker.name] = { input: workerPatch, patch: workerPatch, commandLine: displayCommandLine(talosctl, argv), script, hash };
  }
  return plans;
}

/**
 * Patch mode's `applyOrder`: one line per control plane, in the order given, then one line for the
 * workers (`parallelism` at a time) when there are any.
 */
export function renderPatchApplyOrder(controlPlanes: string[], workers: string[], parallelism: number): string[] {
  return [
    ...controlPlanes.map((n, i) => `${i + 1}. ${n}: talosctl patch machineconfig, wait for etcd`),
    ...(workers.length > 0
      ? [
          `${controlPlanes.length + 1}. workers, ${parallelism} at a time: ${workers.join(", ")}: talosctl patch machineconfig (endpoint, KubePrism)`,
        ]
      : []),
  ];
}
