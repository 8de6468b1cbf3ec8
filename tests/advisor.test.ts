/**
 * The strategy advisor (`render.adviseStrategy`) and `npm run advise`: the design notes' three
 * cluster sizes (homelab, SMB, > 100 nodes) on one L2 segment and routed, each with its
 * recommendation and reasons; failover figures tied to their sources; traps; the starting stack
 * files synthesized offline; the command line and the README's example output.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import { adviseStrategy, ClusterFacts, formatAdvice, StrategyAdvice } from "../src/render/advisor";
import { NLB_ENDPOINT_DEFAULTS } from "../src/render/nlb/limits";
import { render } from "../src/index";
import { synth } from "../examples/stack/synth";
import { factsFromStackFile, parseAdviseArgs } from "../examples/stack/adviseArgs";
import { PROJECT_DIR } from "./helpers/stacks";

jest.setTimeout(120_000);

const ROOT = path.resolve(__dirname, "..");
const ids = (a: StrategyAdvice) => a.traps.map((t) => t.id);
const candidate = (a: StrategyAdvice, s: string) => [...a.endpoint.candidates, ...a.services.candidates].find((c) => c.strategy === s)!;

const made: string[] = [];
afterAll(() => made.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

/** Synthesizes an advisor stack file in a fresh project directory. */
async function synthAdvice(advice: StrategyAdvice) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "advise-stack-"));
  made.push(dir);
  fs.copyFileSync(path.join(PROJECT_DIR, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
  fs.writeFileSync(path.join(dir, "Pulumi.advised.yaml"), advice.stackYaml);
  return synth({ stack: "advised", projectDir: dir, log: () => undefined });
}

test("the package's render namespace exports the advisor", () => {
  expect(render.adviseStrategy).toBe(adviseStrategy);
});

describe("homelab (≤ 3 nodes, one segment)", () => {
  const facts: ClusterFacts = { platform: "proxmox", controlPlanes: 3, workers: 0 };
  const advice = adviseStrategy(facts);

  test("Talos VIP + MetalLB L2, because it is small and on one segment", () => {
    expect(advice.size).toBe("homelab");
    expect([advice.endpoint.recommended, advice.services.recommended]).toEqual(["talos-vip", "metallb-l2"]);
    expect(advice.reasons[0]).toMatch(/^homelab cluster on one segment: the Talos VIP needs no extra hosts/);
    expect(advice.reasons).toContainEqual(expect.stringMatching(/one segment and no BGP routers: L2 announcements/));
  });

  test("the traps: control planes carry the exclude label, PSA baseline, stale ARP, the talosconfig", () => {
    expect(ids(advice)).toEqual(["single-node-exclude-label", "psa-baseline", "l2-stale-arp", "talosconfig-not-vip"]);
    expect(advice.traps[0].detail).toMatch(/MetalLbServices with workerCount: 0 deletes the label/);
  });

  test("a single node: the same, and the reason says the VIP only keeps the endpoint stable", () => {
    const single = adviseStrategy({ platform: "bare-metal", controlPlanes: 1 });
    expect([single.endpoint.recommended, single.services.recommended]).toEqual(["talos-vip", "metallb-l2"]);
    expect(single.reasons).toContainEqual(expect.stringMatching(/^one control plane: the VIP brings no failover yet/));
  });

  test("its starting stack synthesizes offline: VMs, the VIP, MetalLB L2 with workerCount 0", async () => {
    expect(advice.stackBuildable).toBe(true);
    const result = await synthAdvice(advice);
    expect(result.outputs.endpoint).toBe("192.168.30.30");
    expect(result.outputs.servicesEndpoint).toBe("192.168.30.200");
    expect(result.resources.map((r) => r.type)).toEqual(
      expect.arrayContaining(["talos-endpoints:index:TalosVipEndpoint", "talos-endpoints:index:MetalLbServices"]),
    );
    expect(result.files["talos/cp-01.yaml"]).toContain("node.kubernetes.io/exclude-from-external-load-balancers");
  });
});

describe("SMB (4–20 nodes)", () => {
  test("one segment, no BGP: Talos VIP + MetalLB L2; the bare-metal stack file says the example program cannot build the VIP", () => {
    const advice = adviseStrategy({ platform: "bare-metal", controlPlanes: 3, workers: 10, kubeProxy: "ipvs" });
    expect(advice.size).toBe("smb");
    expect([advice.endpoint.recommended, advice.services.recommended]).toEqual(["talos-vip", "metallb-l2"]);
    expect(advice.reasons[0]).toMatch(/^SMB cluster on one segment/);
    expect(ids(advice)).toContain("strict-arp-ipvs");
    expect(ids(advice)).not.toContain("single-node-exclude-label");
    expect(advice.stackBuildable).toBe(false);
    expect(advice.stackNote).toMatch(/baremetal platform always builds HAProxy \+ Keepalived/);
  });

  test("one segment with BGP routers: L2 still, BGP a viable candidate", () => {
    const advice = adviseStrategy({ platform: "proxmox", controlPlanes: 3, workers: 6, bgp: true });
    expect(advice.services.recommended).toBe("metallb-l2");
    expect(candidate(advice, "metallb-bgp").viable).toBe(true);
    expect(advice.reasons).toContainEqual(
      expect.stringMatching(/^BGP routers exist, but a cluster this size on one segment gains little from ECMP/),
    );
  });

  test("routed with BGP routers: HAProxy + Keepalived + MetalLB BGP, and the ECMP churn trap", async () => {
    const advice = adviseStrategy({ platform: "bare-metal", controlPlanes: 3, workers: 12, bgp: true, sameL2: false });
    expect([advice.endpoint.recommended, advice.services.recommended]).toEqual(["haproxy-keepalived", "metallb-bgp"]);
    expect(advice.reasons[0]).toMatch(/not on one L2 segment, so the Talos VIP cannot move between them/);
    expect(candidate(advice, "talos-vip").viable).toBe(false);
    expect(ids(advice)).toContain("bgp-churn-resilient-ecmp");
    const result = await synthAdvice(advice);
    expect(result.outputs.endpoint).toBe("192.168.30.30");
    expect(result.files["metallb/manifests.yaml"]).toContain("kind: BGPPeer");
  });

  test("Cilium as the CNI with kube-proxy still running: Cilium L2, and the kube-proxy replacement trap", () => {
    const advice = adviseStrategy({ platform: "bare-metal", controlPlanes: 3, workers: 8, cni: "cilium", kubeProxy: "iptables" });
    expect(advice.services.recommended).toBe("cilium-l2");
    expect(ids(advice)).toEqual(expect.arrayContaining(["cilium-l2-needs-kube-proxy-replacement", "cilium-l2-client-rate-limit"]));
    expect(candidate(advice, "metallb-l2").viable).toBe(true);
  });
});

describe("large (> 100 nodes)", () => {
  test("150-node routed cluster with Cilium: HAProxy + Keepalived + Cilium BGP; its stack synthesizes", async () => {
    const advice = adviseStrategy({
      platform: "bare-metal",
      controlPlanes: 3,
      workers: 147,
      bgp: true,
      sameL2: false,
      apiLoad: "high",
      cni: "cilium",
      kubeProxy: "none",
    });
    expect(advice.size).toBe("large");
    expect([advice.endpoint.recommended, advice.services.recommended]).toEqual(["haproxy-keepalived", "cilium-bgp"]);
    expect(advice.reasons).toContainEqual(expect.stringMatching(/^Cilium is the CNI: its own LB IPAM and announcements replace MetalLB/));
    expect(ids(advice)).toEqual(expect.arrayContaining(["bgp-churn-resilient-ecmp", "cilium-bgp-explicit-selector"]));
    const result = await synthAdvice(advice);
    expect(result.outputs.servicesLoadBalancerClass).toBe("io.cilium/bgp-control-plane");
    expect(result.files["cilium/manifests.yaml"]).toContain("kind: CiliumBGPClusterConfig");
  });

  test("150 nodes on one segment with BGP and Flannel: the external load balancer for the size, MetalLB BGP", () => {
    const advice = adviseStrategy({ platform: "bare-metal", controlPlanes: 5, workers: 145, bgp: true });
    expect([advice.endpoint.recommended, advice.services.recommended]).toEqual(["haproxy-keepalived", "metallb-bgp"]);
    expect(advice.reasons[0]).toMatch(/^150 nodes: the Talos VIP sends all API traffic to one node/);
    expect(advice.reasons[1]).toMatch(/^150 nodes with BGP routers: the design notes call BGP imperative at scale/);
  });

  test("150 nodes on one segment without BGP: MetalLB L2 (the only choice), with the stale-ARP trap", () => {
    const advice = adviseStrategy({ platform: "proxmox", controlPlanes: 3, workers: 147 });
    expect([advice.endpoint.recommended, advice.services.recommended]).toEqual(["haproxy-keepalived", "metallb-l2"]);
    expect(ids(advice)).toContain("l2-stale-arp");
    expect(advice.stackNote).toMatch(/HAProxy \+ Keepalived only with platform baremetal/);
  });
});

test("AWS: the NLB and the cloud's load balancers; nothing on ARP or BGP is viable", () => {
  const advice = adviseStrategy({ platform: "aws", controlPlanes: 3, workers: 30, bgp: true });
  expect([advice.endpoint.recommended, advice.services.recommended]).toEqual(["nlb", "cloud"]);
  expect(advice.endpoint.candidates.filter((c) => c.viable).map((c) => c.strategy)).toEqual(["nlb"]);
  expect(advice.services.candidates.filter((c) => c.viable).map((c) => c.strategy)).toEqual(["cloud"]);
  expect(advice.reasons[0]).toMatch(/^AWS: VPC networks drop gratuitous ARP/);
});

test("an even number of control planes is a trap", () => {
  expect(adviseStrategy({ platform: "proxmox", controlPlanes: 4, workers: 4 }).traps[0]).toMatchObject({
    id: "even-control-planes",
    detail: expect.stringMatching(/^4 control planes: etcd needs a majority, so 4 tolerate 1 failure/),
  });
  expect(ids(adviseStrategy({ platform: "proxmox", controlPlanes: 3, workers: 4 }))).not.toContain("even-control-planes");
});

describe("failover figures and their sources", () => {
  const advice = adviseStrategy({ platform: "bare-metal", controlPlanes: 3, workers: 3 });

  test("Talos VIP: near-instant graceful, up to a minute on a crash (design notes)", () => {
    const f = candidate(advice, "talos-vip").failover;
    expect(f.seconds).toEqual({ min: 0, max: 60 });
    expect(f.summary).toMatch(/^near-instant on a graceful shutdown; up to about 1 minute when the holder crashes/);
    expect(f.source).toMatch(/design notes/);
  });

  test("HAProxy + Keepalived: the README lab table's median and range for a dead MASTER", () => {
    const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
    const row = readme.split("\n").find((l) => l.startsWith("| b: the MASTER host dies"))!;
    const [, median, lo, hi] = /\| (\d\.\d) \[(\d\.\d)–(\d\.\d)\] s \|/.exec(row)!;
    const f = candidate(advice, "haproxy-keepalived").failover;
    expect(f.summary).toContain(`${median} s when the MASTER host dies (lab median, range ${lo}–${hi} s)`);
    expect(f.seconds).toEqual({ min: Number(lo), max: Number(hi) });
  });

  test("NLB: interval × unhealthy threshold (+ timeout) from the NLB defaults", () => {
    const f = candidate(advice, "nlb").failover;
    const min = NLB_ENDPOINT_DEFAULTS.healthCheckInterval * NLB_ENDPOINT_DEFAULTS.unhealthyThreshold;
    expect(f.seconds).toEqual({ min, max: min + NLB_ENDPOINT_DEFAULTS.healthCheckTimeout });
    expect(f.source).toContain("src/render/nlb/limits.ts");
  });

  test("Cilium L2: the lease window of Cilium's docs (duration ± renew deadline)", () => {
    expect(candidate(advice, "cilium-l2").failover.seconds).toEqual({ min: 10, max: 20 });
  });
});

test.each([
  [{ platform: "gcp", controlPlanes: 3 }, 'platform: "gcp" must be one of "aws", "proxmox", "bare-metal"'],
  [{ platform: "aws", controlPlanes: 0 }, "controlPlanes: 0 must be a node count, an integer from 1 to 99"],
  [{ platform: "aws", controlPlanes: 3, talosVersion: "1.8" }, 'talosVersion: "1.8" Talos 1.8 is not supported'],
  [{ platform: "aws", controlPlanes: 3, apiLoad: "extreme" }, 'apiLoad: "extreme" must be one of "low", "medium", "high"'],
  [{ platform: "aws", controlPlanes: 3, kubeProxy: "userspace" }, 'kubeProxy: "userspace" must be one of'],
] as [ClusterFacts, string][])("refuses bad facts, naming the fact: %j", (facts, message) => {
  expect(() => adviseStrategy(facts)).toThrow(message);
});

describe("npm run advise", () => {
  test("flags become facts", () => {
    const req = parseAdviseArgs(
      "--platform bare-metal --control-planes 3 --workers 20 --bgp --same-l2 --api-load high --talos 1.12 --kubernetes 1.33 --cni cilium --kube-proxy ipvs --no-stack".split(
        " ",
      ),
      PROJECT_DIR,
    );
    expect(req).toEqual({
      facts: {
        platform: "bare-metal",
        controlPlanes: 3,
        workers: 20,
        bgp: true,
        sameL2: true,
        apiLoad: "high",
        talosVersion: "1.12",
        kubernetesVersion: "1.33",
        cni: "cilium",
        kubeProxy: "ipvs",
      },
      json: false,
      withStack: false,
    });
    expect(() => parseAdviseArgs(["--nodes", "3"], PROJECT_DIR)).toThrow('--nodes: "--nodes" is not a flag of npm run advise');
  });

  test("--stack reads the example stack file; the large stack is what the advisor recommends for it", () => {
    expect(factsFromStackFile(path.join(PROJECT_DIR, "Pulumi.large.yaml"))).toEqual({
      platform: "bare-metal",
      controlPlanes: 3,
      workers: 147,
      bgp: true,
      sameL2: false,
      talosVersion: "1.12",
      cni: "cilium",
      kubeProxy: "none",
    });
    const advice = adviseStrategy(parseAdviseArgs(["--stack", "large", "--api-load", "high"], PROJECT_DIR).facts);
    expect([advice.endpoint.recommended, advice.services.recommended]).toEqual(["haproxy-keepalived", "cilium-bgp"]);
    const proxmox = adviseStrategy(parseAdviseArgs(["--stack", "proxmox"], PROJECT_DIR).facts);
    expect([proxmox.endpoint.recommended, proxmox.services.recommended]).toEqual(["talos-vip", "metallb-l2"]);
  });

  test("a count flag that is not a whole number is refused naming the flag", () => {
    expect(() => parseAdviseArgs(["--platform", "aws", "--control-planes", "three"], path.join(ROOT, "examples"))).toThrow(
      '--control-planes: "three" must be a whole number',
    );
    expect(() => parseAdviseArgs(["--platform", "aws", "--workers", "2.5"], path.join(ROOT, "examples"))).toThrow(
      '--workers: "2.5" must be a whole number',
    );
  });

  test("the script prints the advice (and JSON with --json); bad input exits 1 with the message", () => {
    const run = (...args: string[]) => execFileSync("npx", ["tsx", "examples/advise.ts", ...args], { cwd: ROOT, encoding: "utf8" });
    const text = run("--platform", "proxmox", "--control-planes", "3");
    expect(text).toBe(formatAdvice(adviseStrategy({ platform: "proxmox", controlPlanes: 3 })));
    const json = JSON.parse(run("--platform", "aws", "--control-planes", "3", "--json")) as StrategyAdvice;
    expect(json.endpoint.recommended).toBe("nlb");
    let failure: { status?: number; stderr?: string } = {};
    try {
      run("--platform", "gcp", "--control-planes", "3");
    } catch (err) {
      failure = err as typeof failure;
    }
    expect(failure.status).toBe(1);
    expect(failure.stderr).toContain('advise failed: platform: "gcp" must be one of');
  });

  test("the README's example outputs are what the advisor prints", () => {
    const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
    const section = readme.slice(readme.indexOf("## Strategy advisor"));
    const blocks = [...section.matchAll(/```text\n\$ npm run advise -- (.*)\n([\s\S]*?)```/g)];
    expect(blocks.length).toBe(3);
    for (const [, args, output] of blocks) {
      const req = parseAdviseArgs(args.split(" "), PROJECT_DIR);
      expect(output).toBe(formatAdvice(adviseStrategy(req.facts), req.withStack));
    }
  });
});

test("every starting stack is YAML with the platform's keys", () => {
  const advice = adviseStrategy({ platform: "aws", controlPlanes: 3 });
  const config = (parse(advice.stackYaml) as { config: Record<string, unknown> }).config;
  expect(config["talos-endpoints:platform"]).toBe("aws");
  expect(config["talos-endpoints:aws"]).toMatchObject({ internal: true });
  expect(config).not.toHaveProperty("talos-endpoints:metallb");
});
