/**
 * The real Pulumi engine (layer 4): the pulumi CLI v3.248.0 built from Go modules, a file backend,
 * the Automation API with an inline program. The program uses the package entry's components that
 * need no provider plugin (TalosVipEndpoint, MetalLbServices with talos-inline delivery,
 * HaproxyKeepalivedEndpoint in dns-round-robin mode): the command provider (TalosConfigPush, the
 * SSH pushes) cannot be built here, see the README ("What runs on the real engine").
 *
 * Asserts, in order: `up`; `preview --expect-no-changes` and a second `up` that changes nothing;
 * one input changed → preview names the change and `up` applies it; `refresh` finds no drift; the
 * secret sentinel (a BGP password set with `config set --secret`) is in no state file, export,
 * engine output or file left behind; bad input fails `up` naming the field, with nothing created;
 * `destroy` and stack removal.
 */
import * as pulumi from "@pulumi/pulumi";
import { HaproxyKeepalivedEndpoint, MetalLbServices, TalosVipEndpoint } from "../src/index";
import { EngineSandbox, engineSandbox, filesContaining, pulumiCli, runEngineScenario } from "./helpers/engine";

jest.setTimeout(300_000);

const SENTINEL = "bgp-sentinel-7f3c9a1e55d2";
const NODES = [
  { name: "cp-01", address: "10.77.0.11/24" },
  { name: "cp-02", address: "10.77.0.12/24" },
  { name: "cp-03", address: "10.77.0.13/24" },
];

/** The inline program: config `e2e:vip`, `e2e:poolCidr`, secret `e2e:bgpPassword`. */
async function program(): Promise<Record<string, unknown>> {
  const cfg = new pulumi.Config("e2e");
  const vip = cfg.require("vip");
  const endpoint = new TalosVipEndpoint("control-plane", { talosVersion: "1.13", controlPlanes: NODES, vip, link: "eth0" });
  const services = new MetalLbServices("services", {
    mode: "bgp",
    delivery: "talos-inline",
    pools: [{ name: "services", addresses: [cfg.require("poolCidr")] }],
    bgpPeers: [{ name: "tor-1", myASN: 64513, peerASN: 64512, peerAddress: "10.77.0.1", password: cfg.requireSecret("bgpPassword") }],
    nodeAddresses: NODES.map((n) => n.address),
    controlPlaneVip: vip,
    workerCount: 2,
  } as never);
  const dns = new HaproxyKeepalivedEndpoint("dns", {
    mode: "dns-round-robin",
    talosVersion: "1.13",
    controlPlanes: NODES,
    dnsName: "k8s.e2e.example.internal",
  } as never);
  return {
    endpoint: endpoint.endpoint,
    kubernetesApiUrl: endpoint.kubernetesApiUrl,
    talosApiEndpoints: endpoint.talosApiEndpoints,
    vipPatches: endpoint.vip,
    servicesEndpoint: services.endpoint,
    servicesTalosPatch: services.talosPatch,
    dnsEndpoint: dns.endpoint,
    dnsRecords: dns.dnsRecords,
  };
}

describe("real engine: pulumi CLI v3.248.0, file backend, Automation API", () => {
  let box: EngineSandbox;

  beforeAll(async () => {
    box = await engineSandbox("talos-endpoints-e2e", "e2e", program);
    await box.stack.setConfig("e2e:vip", { value: "10.77.0.10" });
    await box.stack.setConfig("e2e:poolCidr", { value: "10.77.1.0/28" });
    await box.stack.setConfig("e2e:bgpPassword", { value: SENTINEL, secret: true });
  });
  afterAll(() => box?.remove());

  it("runs on the built CLI, not one from PATH", async () => {
    expect(await box.stack.workspace.pulumiVersion).toBe("3.248.0");
  });

  it("pulumi up creates the components and returns the endpoint contract", async () => {
    const up = await box.stack.up({ onOutput: box.onOutput });
    console.log(`engine: pulumi up → ${JSON.stringify(up.summary.resourceChanges)}`);
    expect(up.summary.result).toBe("succeeded");
    expect(up.summary.resourceChanges).toEqual({ create: 4 });
    expect(up.outputs.endpoint).toEqual({ value: "10.77.0.10", secret: false });
    expect(up.outputs.kubernetesApiUrl.value).toBe("https://10.77.0.10:6443");
    // The Talos API endpoints are the nodes' own addresses, never the VIP.
    expect(up.outputs.talosApiEndpoints.value).toEqual(["10.77.0.11", "10.77.0.12", "10.77.0.13"]);
    expect(up.outputs.dnsEndpoint.value).toBe("k8s.e2e.example.internal");
    expect(up.outputs.dnsRecords.value).toHaveLength(3);
    // The BGP password makes MetalLB's Talos patch secret through the engine's serialization.
    expect(up.outputs.servicesTalosPatch.secret).toBe(true);
    expect(JSON.stringify(up.outputs.servicesTalosPatch.value)).toContain(SENTINEL);
    const types = (await box.stack.exportStack()).deployment.resources.map((r: { type: string }) => r.type).sort();
    expect(types).toEqual([
      "pulumi:pulumi:Stack",
      "talos-endpoints:index:HaproxyKeepalivedEndpoint",
      "talos-endpoints:index:MetalLbServices",
      "talos-endpoints:index:TalosVipEndpoint",
    ]);
  });

  it("pulumi preview --expect-no-changes passes and a second up changes nothing", async () => {
    const preview = await box.stack.preview({ expectNoChanges: true, onOutput: box.onOutput });
    console.log(`engine: pulumi preview --expect-no-changes → ${JSON.stringify(preview.changeSummary)}`);
    expect(preview.changeSummary).toEqual({ same: 4 });
    const up = await box.stack.up({ onOutput: box.onOutput });
    expect(up.summary.resourceChanges).toEqual({ same: 4 });
  });

  it("one input changed: preview --diff shows it, up applies it and nothing else", async () => {
    await box.stack.setConfig("e2e:poolCidr", { value: "10.77.2.0/28" });
    const preview = await box.stack.preview({ diff: true, onOutput: box.onOutput });
    expect(preview.stdout).toMatch(/servicesEndpoint\s*:\s*"10\.77\.1\.\d+" => "10\.77\.2\.\d+"/);
    const up = await box.stack.up({ onOutput: box.onOutput });
    expect(up.summary.resourceChanges).toEqual({ same: 4 });
    expect(up.outputs.servicesEndpoint.value).toMatch(/^10\.77\.2\./);
    expect(up.outputs.endpoint.value).toBe("10.77.0.10");
  });

  it("pulumi refresh finds no drift", async () => {
    const refresh = await box.stack.refresh({ onOutput: box.onOutput });
    console.log(`engine: pulumi refresh → ${JSON.stringify(refresh.summary.resourceChanges)}`);
    expect(refresh.summary.resourceChanges).toEqual({ same: 4 });
  });

  it("the secret is encrypted in the state: no file, export or engine output holds it", async () => {
    const exported = pulumiCli(box, ["stack", "export", "--stack", "e2e"]);
    expect(exported).not.toContain(SENTINEL);
    // The secret output is there, as ciphertext.
    expect(exported).toMatch(/"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",\s*"ciphertext"/);
    expect(box.log.join("")).not.toContain(SENTINEL);
    expect(box.log.join("")).toContain("[secret]");
    // State, backups, history, PULUMI_HOME and the stack settings file (encrypted config).
    expect(filesContaining(box.dir, [SENTINEL])).toEqual([]);
  });

  it("bad input fails pulumi up naming the field and value, without a stack trace, and creates nothing", () => {
    const result = runEngineScenario<{ error: string; resources: string[] }>("bad-input");
    expect(result.error).toMatch(/error: vip: "10\.99\.0\.10" is outside the subnet 10\.77\.0\.0\/24 of controlPlanes\[0\] \(cp-01\)/);
    // Reported as a Pulumi run error: no "Unhandled exception", no stack frames.
    expect(result.error).not.toContain("Unhandled exception");
    expect(result.error).not.toMatch(/^\s+at .*\(.*:\d+:\d+\)$/m);
    expect(result.resources).toEqual(["pulumi:pulumi:Stack"]);
  });

  it("a bad value that arrives as an Output fails the same way, once it resolves", () => {
    const result = runEngineScenario<{ error: string; resources: string[] }>("bad-input-output");
    expect(result.error).toMatch(/error: vip: "10\.99\.0\.10" is outside the subnet 10\.77\.0\.0\/24/);
    expect(result.error).not.toContain("Unhandled exception");
    expect(result.error).not.toMatch(/^\s+at .*\(.*:\d+:\d+\)$/m);
  });

  it("pulumi destroy removes everything and the stack is removed", async () => {
    const destroy = await box.stack.destroy({ onOutput: box.onOutput });
    console.log(`engine: pulumi destroy → ${JSON.stringify(destroy.summary.resourceChanges)}`);
    expect(destroy.summary.resourceChanges).toEqual({ delete: 4 });
    await box.stack.workspace.removeStack("e2e");
    expect((await box.stack.workspace.listStacks()).map((s) => s.name)).not.toContain("e2e");
    expect(filesContaining(box.dir, [SENTINEL])).toEqual([]);
  });
});
