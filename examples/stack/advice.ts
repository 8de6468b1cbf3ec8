/**
 * `advice.md` of the synth output: what the strategy advisor recommends for the facts a stack file
 * states (`factsFromStackFile`), and where the stack departs from it.
 */
import { adviseStrategy, EndpointStrategy, formatAdvice, ServiceStrategy, StrategyAdvice } from "../../src/render/advisor";
import { factsFromStackFile } from "./adviseArgs";

/** The strategies a stack file builds, read from the same settings the program reads. */
export interface StackStrategies {
  endpoint: EndpointStrategy | "haproxy" | "dns-round-robin";
  services?: ServiceStrategy;
}

/** What the example program builds for a stack's config (see examples/stack/program.ts). */
export function stackStrategies(config: Record<string, string>): StackStrategies {
  const get = (key: string): Record<string, unknown> | undefined => {
    const raw = config[`talos-endpoints:${key}`];
    return raw === undefined ? undefined : (JSON.parse(raw) as Record<string, unknown>);
  };
  const platform = config["talos-endpoints:platform"];
  const lbMode = get("loadBalancer")?.mode;
  const endpoint: StackStrategies["endpoint"] =
    platform === "aws"
      ? "nlb"
      : platform === "proxmox"
        ? "talos-vip"
        : platform === "kubevip"
          ? "kube-vip"
          : lbMode === "single-haproxy"
            ? "haproxy"
            : lbMode === "dns-round-robin"
              ? "dns-round-robin"
              : "haproxy-keepalived";
  const metallb = get("metallb");
  const cilium = get("cilium");
  const services: ServiceStrategy | undefined = metallb
    ? metallb.mode === "bgp"
      ? "metallb-bgp"
      : "metallb-l2"
    : cilium
      ? cilium.mode === "bgp"
        ? "cilium-bgp"
        : "cilium-l2"
      : platform === "aws"
        ? "cloud"
        : undefined;
  return { endpoint, services };
}

/** The departures of a stack from the advice, one sentence each (empty when it follows it). */
export function departures(stack: StackStrategies, advice: StrategyAdvice): string[] {
  const label = <S extends string>(list: { strategy: S; label: string }[], s: string) => list.find((c) => c.strategy === s)?.label ?? s;
  const found: string[] = [];
  if (stack.endpoint !== advice.endpoint.recommended) {
    found.push(
      `control-plane endpoint: the stack builds ${label(advice.endpoint.candidates, stack.endpoint)}; ` +
        `the advice is ${label(advice.endpoint.candidates, advice.endpoint.recommended)}`,
    );
  }
  if (stack.services === undefined) {
    found.push(
      `Service load balancer: the stack has none; the advice is ${label(advice.services.candidates, advice.services.recommended)}`,
    );
  } else if (stack.services !== advice.services.recommended) {
    found.push(
      `Service load balancer: the stack builds ${label(advice.services.candidates, stack.services)}; ` +
        `the advice is ${label(advice.services.candidates, advice.services.recommended)}`,
    );
  }
  return found;
}

/**
 * The text of `advice.md` for a stack file: its departures from the advice first, then the whole
 * advice as `npm run advise -- --stack <stack>` prints it (without the starting stack file).
 */
export function adviceMarkdown(stack: string, stackFile: string, config: Record<string, string>): string {
  const advice = adviseStrategy(factsFromStackFile(stackFile));
  const found = departures(stackStrategies(config), advice);
  return [
    `# Strategy advice for the \`${stack}\` stack`,
    "",
    found.length === 0
      ? "The stack follows the advice."
      : [
          "The stack departs from the advice (a choice you may have reasons for; the advice below says what each costs):",
          "",
          ...found.map((d) => `- ${d}`),
        ].join("\n"),
    "",
    "```",
    formatAdvice(advice, false).trimEnd(),
    "```",
    "",
  ].join("\n");
}
