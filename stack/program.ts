/**
 * The stack program. `index.ts` (pulumi up), `npm run synth` (under mocks) and the Automation
 * API (`automation.ts`) all call {@link stackProgram}.
 */
import * as pulumi from "@pulumi/pulumi";
import { TalosVipEndpoint } from "../components/TalosVipEndpoint";
import { DEFAULT_KUBEPRISM_PORT } from "../talos/patch";
import { TalosConfigPush } from "../talos/push";
import { readStackConfig } from "./config";
import { proxmoxControlPlaneVms } from "./proxmox";
import { renderTopology } from "./topology";

/** What the program produces besides its stack outputs. */
export interface StackResult {
  /** The stack outputs (what `pulumi stack output` shows). */
  outputs: Record<string, pulumi.Input<unknown>>;
  /** Every rendered artifact by relative path, e.g. `talos/cp-01.yaml`. */
  files: pulumi.Output<Record<string, string>>;
  /** Mermaid topology (`topology.md`). */
  topology: pulumi.Output<string>;
}

/** Builds the stack from its config. */
export function stackProgram(): StackResult {
  const cfg = readStackConfig();

  const endpoint = new TalosVipEndpoint("control-plane", {
    talosVersion: cfg.talosVersion,
    controlPlanes: cfg.controlPlanes,
    vip: cfg.vip,
    link: cfg.link,
    linkSelector: cfg.linkSelector,
  });

  const vms = proxmoxControlPlaneVms(cfg.proxmox!, cfg.proxmoxApiToken!, cfg.controlPlanes, cfg.gateway);

  const push = new TalosConfigPush(
    "talos-config",
    {
      talosVersion: cfg.talosVersion,
      controlPlanes: cfg.controlPlanes,
      endpoint: endpoint.endpoint,
      vip: endpoint.vip,
      link: cfg.link,
      linkSelector: cfg.linkSelector,
      gateway: cfg.gateway,
      kubePrismEnabled: cfg.kubePrismEnabled,
      kubePrismPort: cfg.kubePrismPort,
      extraCertSANs: cfg.extraCertSANs,
      talosconfig: cfg.talosconfig,
      mode: cfg.applyMode,
      tryTimeout: cfg.tryTimeout,
    },
    { dependsOn: vms },
  );

  const files = pulumi.all([push.patches, push.commandLines]).apply(([patches, lines]) => {
    const out: Record<string, string> = {};
    for (const [node, patch] of Object.entries(patches)) {
      out[`talos/${node}.yaml`] = patch;
      out[`talos/${node}.talosctl.txt`] = `${lines[node]}\n`;
    }
    return out;
  });
  const topology = pulumi.all([endpoint.endpoint, endpoint.talosApiEndpoints]).apply(([ep, ips]) =>
    renderTopology({
      backend: "Talos native VIP",
      endpoint: ep,
      controlPlanes: cfg.controlPlanes.map((cp, i) => ({ name: cp.name, ip: ips[i] })),
      kubePrismPort: cfg.kubePrismEnabled === false ? undefined : (cfg.kubePrismPort ?? DEFAULT_KUBEPRISM_PORT),
    }),
  );

  return {
    outputs: {
      platform: cfg.platform,
      talosVersion: cfg.talosVersion,
      endpoint: endpoint.endpoint,
      kubernetesApiUrl: endpoint.kubernetesApiUrl,
      talosApiEndpoints: endpoint.talosApiEndpoints,
      vmIds: pulumi.all(vms.map((vm) => vm.vmId)),
      patchHashes: push.patchHashes,
    },
    files,
    topology,
  };
}

/** The program in the shape `pulumi up` and the Automation API expect: a function returning the stack outputs. */
export async function stackOutputs(): Promise<Record<string, pulumi.Input<unknown>>> {
  return stackProgram().outputs;
}
