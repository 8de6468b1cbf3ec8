/**
 * Proxmox VMs for the control plane: one `proxmoxve.VmLegacy` per node, cloned from a Talos
 * nocloud template, with the node's static IPv4 address and gateway in cloud-init
 * (`initialization.ipConfigs`). Talos reads these only on its nocloud platform image.
 */
import * as proxmoxve from "@muhlba91/pulumi-proxmoxve";
import * as pulumi from "@pulumi/pulumi";
import { ControlPlaneNodeArgs } from "../../src/components/contract";
import { ProxmoxSettings } from "./config";

/**
 * Creates the provider and one VM per control-plane node, then one per worker (`workers`, default
 * none) with VM IDs following the control planes'. Every VM boots the nocloud template into
 * Talos's maintenance mode with its static address; `TalosConfigPush` (`configSource: generated`)
 * then applies its config.
 */
export function proxmoxControlPlaneVms(
  settings: ProxmoxSettings,
  apiToken: pulumi.Output<string>,
  nodes: ControlPlaneNodeArgs[],
  gateway: string | undefined,
  workers: { name: string; address: string }[] = [],
): proxmoxve.VmLegacy[] {
  const provider = new proxmoxve.Provider("proxmox", {
    endpoint: settings.endpoint,
    insecure: settings.insecure ?? false,
    apiToken: pulumi.secret(apiToken),
  });
  const all = [...nodes.map((n) => ({ ...n, worker: false })), ...workers.map((w) => ({ ...w, worker: true }))];
  const datastoreId = settings.datastoreId ?? "local-lvm";
  return all.map(
    (node, i) =>
      new proxmoxve.VmLegacy(
        `${node.name}-vm`,
        {
          nodeName: settings.nodeName,
          name: node.name,
          vmId: settings.firstVmId === undefined ? undefined : settings.firstVmId + i,
          description: `Talos ${node.worker ? "worker" : "control-plane"} node (managed by talos-endpoints)`,
          tags: ["talos", node.worker ? "worker" : "control-plane"],
          clone: { vmId: settings.templateVmId, full: true, datastoreId },
          cpu: { cores: settings.cores ?? 2, type: "x86-64-v2-AES" },
          memory: { dedicated: settings.memoryMiB ?? 4096 },
          agent: { enabled: settings.qemuGuestAgent ?? false },
          operatingSystem: { type: "l26" },
          networkDevices: [{ bridge: settings.bridge ?? "vmbr0", model: "virtio" }],
          initialization: {
            type: "nocloud",
            datastoreId,
            ipConfigs: [{ ipv4: { address: node.address, gateway } }],
          },
          onBoot: true,
          started: true,
        },
        { provider },
      ),
  );
}
