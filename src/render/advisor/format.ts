/**
 * The advisor's answer as text, as `npm run advise` prints it. Pure: no Pulumi imports.
 */
import { Candidate, StrategyAdvice } from "./types";

function candidateLines<S extends string>(candidates: Candidate<S>[], recommended: S): string[] {
  return candidates.flatMap((c) => {
    const mark = c.strategy === recommended ? "*" : c.viable ? "+" : "-";
    const status = c.strategy === recommended ? "recommended" : c.viable ? "viable" : "not viable";
    return [
      `  ${mark} ${c.label}${c.component ? ` (${c.component})` : ""}: ${status}; ${c.why}`,
      `      failover: ${c.failover.summary} [${c.failover.source}]`,
    ];
  });
}

/**
 * Formats the advice: the facts, both recommendations with every candidate (`*` recommended, `+`
 * viable, `-` not viable) and its failover time and source, the reasons, the traps, and (unless
 * `withStack` is false) the starting stack file.
 */
export function formatAdvice(advice: StrategyAdvice, withStack = true): string {
  const f = advice.facts;
  const lines = [
    `Cluster: ${f.platform}, ${f.controlPlanes} control plane(s), ${f.workers} worker(s) = ${f.controlPlanes + f.workers} nodes (${advice.size}); ` +
      `BGP routers: ${f.bgp ? "yes" : "no"}; one L2 segment: ${f.sameL2 ? "yes" : "no"}; API load: ${f.apiLoad}; ` +
      `Talos ${f.talosVersion}, Kubernetes ${f.kubernetesVersion}; CNI ${f.cni}, kube-proxy ${f.kubeProxy}`,
    "",
    `Control-plane endpoint: ${advice.endpoint.candidates.find((c) => c.strategy === advice.endpoint.recommended)!.label}`,
    ...candidateLines(advice.endpoint.candidates, advice.endpoint.recommended),
    "",
    `Service load balancer: ${advice.services.candidates.find((c) => c.strategy === advice.services.recommended)!.label}`,
    ...candidateLines(advice.services.candidates, advice.services.recommended),
    "",
    "Reasons:",
    ...advice.reasons.map((r) => `  - ${r}`),
    "",
    "Traps:",
    ...(advice.traps.length === 0 ? ["  (none)"] : advice.traps.map((t) => `  - ${t.id}: ${t.detail} [${t.source}]`)),
  ];
  if (withStack) {
    lines.push(
      "",
      `Starting stack file${advice.stackBuildable ? "" : " (not buildable by the example program as is)"}:`,
      advice.stackYaml.trimEnd(),
    );
  }
  return `${lines.join("\n")}\n`;
}
