/**
 * Mermaid diagram of the endpoint topology. Pure: no Pulumi imports.
 */

/** What the diagram shows. */
export interface TopologySpec {
  /** Backend label, e.g. `Talos native VIP`. */
  backend: string;
  /** The endpoint clients use. */
  endpoint: string;
  /** Control-plane nodes: name and IP. */
  controlPlanes: { name: string; ip: string }[];
  /** KubePrism port, or undefined when disabled. */
  kubePrismPort?: number;
  /** Worker nodes the stack configures (generated configs). Default none. */
  workers?: { name: string; ip: string }[];
  /** How the configs are applied, one step a line (`TalosConfigPush.applyOrder`). Default none. */
  applyOrder?: string[];
}

function id(text: string): string {
  return text.replace(/[^A-Za-z0-9]/g, "_");
}

/** Renders `topology.md`: clients → endpoint → control planes (6443/50000), nodes → KubePrism. */
export function renderTopology(spec: TopologySpec): string {
  const lines = [
    "# Control-plane endpoint topology",
    "",
    `Backend: ${spec.backend}. Clients (kubectl, workers) use \`${spec.endpoint}\`; talosctl uses the node addresses.`,
    "",
    "```mermaid",
    "flowchart LR",
    '  clients(["kubectl / workers"])',
    '  talosctl(["talosctl"])',
    `  endpoint{{"${spec.backend}<br/>${spec.endpoint}"}}`,
    '  clients -- "6443 Kubernetes API" --> endpoint',
  ];
  for (const cp of spec.controlPlanes) {
    const n = id(cp.name);
    lines.push(`  ${n}["${cp.name}<br/>${cp.ip}"]`);
    lines.push(`  endpoint -- "6443" --> ${n}`);
    lines.push(`  endpoint -- "50000" --> ${n}`);
    lines.push(`  talosctl -- "50000 Talos API" --> ${n}`);
  }
  for (const w of spec.workers ?? []) {
    lines.push(`  ${id(w.name)}(["worker ${w.name}<br/>${w.ip}"])`);
    lines.push(`  ${id(w.name)} -- "6443 join (cluster.controlPlane.endpoint)" --> endpoint`);
    lines.push(`  talosctl -- "50000 Talos API" --> ${id(w.name)}`);
  }
  if (spec.kubePrismPort !== undefined) {
    lines.push(`  kubeprism[["KubePrism localhost:${spec.kubePrismPort}<br/>on every node"]]`);
    for (const cp of spec.controlPlanes) lines.push(`  kubeprism -- "6443" --> ${id(cp.name)}`);
  }
  lines.push("```", "");
  if (spec.applyOrder && spec.applyOrder.length > 0) {
    lines.push("## Apply and bootstrap order", "", ...spec.applyOrder, "");
  }
  return lines.join("\n");
}
