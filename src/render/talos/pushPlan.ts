/**
 * The plan of a `TalosConfigPush`: every node's patch parts, push script and trigger hash.
 * Pure: no Pulumi imports.
 */
import * as crypto from "crypto";
import { ControlPlaneNode, ControlPlaneNodeSpec, validateControlPlanes } from "./controlPlanes";
import { ControlPlanePatchSpec, LinkSelectorSpec, renderControlPlanePatch, vipLinkName } from "./patch";
import { checkModeAndTimeout, checkTalosctl, displayCommandLine, pushScriptInput, renderPushScript, talosctlPatchArgs } from "./talosctl";
import { parseTalosVersion } from "./version";

/** Per-node rendering: the patch parts, the command line, the script and its hash. */
export interface NodePlan {
  /** The main patch (applied every time) followed by the one-shot parts, as the script's stdin. */
  input: string;
  /** The main patch and each one-shot part, for display. */
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
  extraPatch?: Record<string, unknown>;
  mode?: string;
  tryTimeout?: string;
  talosctl?: string;
  waitTimeoutSeconds?: number;
}

/**
 * The fields that are checked when the component is constructed, even when others are Outputs.
 * @returns the validated control-plane nodes.
 * @throws InputError for a bad version, node list, mode/timeout pair or talosctl path.
 */
export function checkStatic(
  args: Pick<TalosConfigPushPlanSpec, "talosVersion" | "controlPlanes" | "mode" | "tryTimeout" | "talosctl">,
): ControlPlaneNode[] {
  parseTalosVersion(args.talosVersion);
  const { nodes } = validateControlPlanes("controlPlanes", args.controlPlanes);
  checkModeAndTimeout(args.mode, args.tryTimeout);
  checkTalosctl(args.talosctl ?? "talosctl");
  return nodes;
}

/** Renders the plan of every node from resolved args; throws InputError on bad input. */
export function planTalosConfigPush(args: TalosConfigPushPlanSpec): Record<string, NodePlan> {
  const nodes = checkStatic(args);
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
    extraPatch: args.extraPatch,
  };
  const rendered = renderControlPlanePatch(spec);
  const input = pushScriptInput(rendered.yaml, rendered.oneShot);
  const patch = [
    rendered.yaml,
    ...rendered.oneShot.map(
      (p) =>
        `# applied only while ${p.block} ${p.when === "absent" ? "lacks" : "has"} ${JSON.stringify(p.value)}: ${p.description}\n${p.yaml}`,
    ),
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
  return plans;
}
