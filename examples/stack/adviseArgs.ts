/**
 * The command line of `npm run advise` (examples/advise.ts): facts from flags, or from an example
 * stack file (`--stack <name>` reads `examples/Pulumi.<name>.yaml`), flags overriding.
 */
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { InputError } from "../../src/core/errors";
import { parseInterfaceAddress } from "../../src/core/net";
import type { ClusterFacts } from "../../src/render/advisor";

/** Usage text. */
export const ADVISE_USAGE = [
  "usage: npm run advise -- [--stack <name>] [--platform aws|proxmox|bare-metal] [--control-planes N] [--workers N]",
  "         [--bgp | --no-bgp] [--same-l2 | --routed] [--api-load low|medium|high] [--talos 1.12] [--kubernetes 1.33]",
  "         [--cni flannel|cilium|calico|other] [--kube-proxy iptables|ipvs|nftables|none] [--json] [--no-stack]",
].join("\n");

/** What the command line asks for. */
export interface AdviseRequest {
  facts: ClusterFacts;
  /** Print JSON instead of text. */
  json: boolean;
  /** Print the starting stack file. */
  withStack: boolean;
}

const PLATFORM_OF_STACK: Record<string, string> = { baremetal: "bare-metal", proxmox: "proxmox", aws: "aws", kubevip: "bare-metal" };

/**
 * The facts an example stack file states: platform, control planes, workers (the Service load
 * balancer's `workerCount`), BGP (its mode), one L2 segment (every control plane in one subnet),
 * Talos version, CNI (`cilium` when the stack has a `cilium` key) and kube-proxy mode; API load
 * `high` when the stack spreads the API over every control plane (kube-vip's IPVS `loadBalancer`,
 * chosen for heavy API load in the design notes' strategy 3), else the advisor's default.
 * @throws InputError naming the file when it cannot be read or has no platform.
 */
export function factsFromStackFile(file: string): ClusterFacts {
  if (!fs.existsSync(file)) throw new InputError("--stack", file, "has no stack file");
  const config = ((parse(fs.readFileSync(file, "utf8")) as { config?: Record<string, unknown> } | null)?.config ?? {}) as Record<
    string,
    unknown
  >;
  const get = (k: string) => config[`talos-endpoints:${k}`];
  const platform = PLATFORM_OF_STACK[String(get("platform"))];
  if (!platform) throw new InputError(`${file}: talos-endpoints:platform`, get("platform"), "must be proxmox, aws, baremetal or kubevip");
  const cps = (get("controlPlanes") as { address: string }[] | undefined) ?? [];
  const metallb = get("metallb") as { mode?: string; workerCount?: number; kubeProxyMode?: string } | undefined;
  const cilium = get("cilium") as { mode?: string; workerCount?: number; kubeProxyReplacement?: boolean } | undefined;
  const services = metallb ?? cilium;
  const subnets = new Set(cps.map((c, i) => parseInterfaceAddress(`controlPlanes[${i}].address`, c.address).network));
  const kubeVip = get("kubeVip") as { loadBalancer?: unknown } | undefined;
  return {
    ...(kubeVip?.loadBalancer ? { apiLoad: "high" } : {}),
    platform,
    controlPlanes: cps.length,
    workers: services?.workerCount ?? 0,
    bgp: services?.mode === "bgp",
    sameL2: subnets.size <= 1,
    talosVersion: String(get("talosVersion") ?? "1.12"),
    cni: cilium ? "cilium" : "flannel",
    kubeProxy: cilium ? (cilium.kubeProxyReplacement === false ? "iptables" : "none") : (metallb?.kubeProxyMode ?? "iptables"),
  };
}

function value(argv: string[], i: number, flag: string): string {
  const v = argv[i + 1];
  if (v === undefined || v.startsWith("--")) throw new InputError(flag, v, `needs a value; ${ADVISE_USAGE}`);
  return v;
}

/**
 * A whole-number flag value; the advisor then checks its range.
 * @throws InputError naming the flag when the text is not a whole number.
 */
function integer(flag: string, text: string): number {
  if (!/^\d+$/.test(text)) throw new InputError(flag, text, "must be a whole number");
  return Number(text);
}

/** The flags that set a text fact to their value. */
const TEXT_FLAGS: Record<string, "platform" | "apiLoad" | "talosVersion" | "kubernetesVersion" | "cni" | "kubeProxy"> = {
  "--platform": "platform",
  "--api-load": "apiLoad",
  "--talos": "talosVersion",
  "--kubernetes": "kubernetesVersion",
  "--cni": "cni",
  "--kube-proxy": "kubeProxy",
};

/** The flags that set a count to their value, a whole number. */
const INTEGER_FLAGS: Record<string, "controlPlanes" | "workers"> = {
  "--control-planes": "controlPlanes",
  "--workers": "workers",
};

/** The flags without a value, each setting a yes/no fact. */
const SWITCHES: Record<string, ["bgp" | "sameL2", boolean]> = {
  "--bgp": ["bgp", true],
  "--no-bgp": ["bgp", false],
  "--same-l2": ["sameL2", true],
  "--routed": ["sameL2", false],
};

/**
 * Parses the command line. `--stack` is read first, whatever its position; the other flags then
 * override what the stack file says.
 * @param examplesDir where `Pulumi.<name>.yaml` files are.
 * @throws InputError naming the flag for an unknown flag or a missing value.
 */
export function parseAdviseArgs(argv: string[], examplesDir: string): AdviseRequest {
  let facts: ClusterFacts = { platform: "", controlPlanes: 0 };
  const stackAt = argv.indexOf("--stack");
  if (stackAt >= 0) facts = factsFromStackFile(path.join(examplesDir, `Pulumi.${value(argv, stackAt, "--stack")}.yaml`));
  let json = false;
  let withStack = true;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (Object.hasOwn(TEXT_FLAGS, flag)) {
      facts[TEXT_FLAGS[flag]] = value(argv, i++, flag);
      continue;
    }
    if (Object.hasOwn(INTEGER_FLAGS, flag)) {
      facts[INTEGER_FLAGS[flag]] = integer(flag, value(argv, i++, flag));
      continue;
    }
    if (Object.hasOwn(SWITCHES, flag)) {
      const [fact, on] = SWITCHES[flag];
      facts[fact] = on;
      continue;
    }
    switch (flag) {
      case "--stack":
        i++;
        break;
      case "--json":
        json = true;
        break;
      case "--no-stack":
        withStack = false;
        break;
      default:
        throw new InputError(flag, flag, `is not a flag of npm run advise; ${ADVISE_USAGE}`);
    }
  }
  return { facts, json, withStack };
}
