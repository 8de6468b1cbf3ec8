import * as pulumi from "@pulumi/pulumi";
import { TalosVipEndpoint } from "../src/components/TalosVipEndpoint";
import { installMocks, MockRecorder } from "../examples/stack/mockRuntime";
import { TalosConfigPush, TalosConfigPushArgs } from "../src/components/TalosConfigPush";
import { planTalosConfigPush } from "../src/render/talos/pushPlan";
import { renderControlPlanePatch } from "../src/render/talos/patch";
import { renderCertSansPatch } from "../src/render/talos/nodeConfig";
import { valueOf } from "./helpers/outputs";

const nodes = [
  { name: "cp-01", address: "10.20.0.11/24" },
  { name: "cp-02", address: "10.20.0.12/24" },
  { name: "cp-03", address: "10.20.0.13/24" },
];
const args: TalosConfigPushArgs = {
  talosVersion: "1.12",
  controlPlanes: nodes,
  endpoint: "10.20.0.10",
  vip: "10.20.0.10",
  link: "ens18",
  talosconfig: "context: lab\ncontexts:\n  lab:\n    endpoints: [10.20.0.11]\n",
};

let rec: MockRecorder;
beforeEach(async () => {
  rec = await installMocks("talos-endpoints", "test");
});

test("one command per node, chained in order, the talosconfig a secret, the patch on stdin", async () => {
  const push = new TalosConfigPush("push", args);
  const patches = await valueOf(push.patches);
  const resources = await rec.settle();
  expect(resources.map((r) => [r.type, r.name, r.parent, r.dependsOn])).toEqual([
    ["talos-endpoints:index:TalosConfigPush", "push", null, []],
    ["command:local:Command", "push-cp-01", "push", []],
    ["command:local:Command", "push-cp-02", "push", ["push-cp-01"]],
    ["command:local:Command", "push-cp-03", "push", ["push-cp-02"]],
  ]);
  for (const cmd of resources.slice(1)) {
    const node = cmd.name.replace("push-", "");
    expect(cmd.inputs.environment).toBe("[secret]");
    // stdin: the every-time patch; the displayed patch adds the certSANs the push sends where missing.
    const rendered = renderControlPlanePatch({ talosVersion: "1.12", endpoint: "10.20.0.10", vip: "10.20.0.10", link: "ens18" });
    expect(cmd.inputs.stdin).toBe(rendered.yaml);
    expect(patches[node]).toBe(
      `${rendered.yaml}# certSANs: each name is sent only where the node's machine.certSANs or cluster.apiServer.certSANs lacks it\n${renderCertSansPatch(["10.20.0.10"], ["10.20.0.10"])}`,
    );
    expect(cmd.inputs.create).not.toContain("context: lab");
    // The SANs the script asks the reader about; the version check against talosVersion 1.12.
    expect(cmd.inputs.create).toContain('"certSANs":["10.20.0.10"]');
    expect(cmd.inputs.create).toContain("versions 12");
    expect(cmd.inputs).not.toHaveProperty("delete"); // destroy leaves the nodes as they are (see README)
  }
  expect(patches["cp-02"]).toContain("kind: Layer2VIPConfig\nname: 10.20.0.10\nlink: ens18\n");
});

test("the endpoint output of an endpoint component flows into the patches", async () => {
  const ep = new TalosVipEndpoint("cp", { talosVersion: "1.12", controlPlanes: nodes, vip: "10.20.0.10", link: "ens18" });
  const push = new TalosConfigPush("push", { ...args, endpoint: ep.endpoint, vip: ep.vip });
  const patches = await valueOf(push.patches);
  expect(patches["cp-01"]).toContain("endpoint: https://10.20.0.10:6443");
  await rec.settle();
});

test("the first command waits for the component's dependsOn", async () => {
  class Vm extends pulumi.CustomResource {}
  const vm = new Vm("test:index:Vm", "vm-1", {});
  new TalosConfigPush("push", args, { dependsOn: [vm] });
  const resources = await rec.settle();
  expect(resources.find((r) => r.name === "push-cp-01")!.dependsOn).toEqual(["vm-1"]);
  expect(resources.find((r) => r.name === "push-cp-02")!.dependsOn).toEqual(["push-cp-01"]);
});

describe("re-runs exactly when the rendered patch or command changes", () => {
  const { talosconfig: _unused, ...plain } = args;
  const hashes = (over: Partial<typeof plain>) => Object.values(planTalosConfigPush({ ...plain, ...over } as any)).map((p) => p.hash);

  test("same inputs, same hashes", () => expect(hashes({})).toEqual(hashes({})));
  test("a new endpoint changes every node's hash", () => {
    const [a, b] = [hashes({}), hashes({ endpoint: "api.lab.example" })];
    a.forEach((h, i) => expect(b[i]).not.toBe(h));
  });
  test("a new apply mode changes the hash", () => expect(hashes({ mode: "staged" })).not.toEqual(hashes({})));
  test("a new extra certSAN changes the hash (the push then adds it where missing)", () =>
    expect(hashes({ extraCertSANs: ["api.lab.example"] })).not.toEqual(hashes({})));
  test("linkAddressing changes the hash only where it matters (Talos < 1.12 with a VIP)", () => {
    expect(hashes({ talosVersion: "1.11", linkAddressing: "static" })).not.toEqual(hashes({ talosVersion: "1.11" }));
    expect(hashes({ linkAddressing: "static" })).toEqual(hashes({}));
  });
  test("the hash is per node", () => expect(new Set(hashes({})).size).toBe(3));
});

test.each([
  [{ mode: "interactive" }, 'mode: "interactive" must be one of auto, no-reboot, reboot, staged, try'],
  [{ tryTimeout: "30s" }, 'tryTimeout: "30s" only applies to mode "try"'],
  [{ controlPlanes: [] }, "controlPlanes: [] must list at least one control-plane node"],
  [{ endpoint: "https://10.20.0.10" }, 'endpoint: "https://10.20.0.10" must be a host name or IP'],
  [{ talosVersion: "1.14" }, 'talosVersion: "1.14" Talos 1.14 is not supported'],
  [{ talosctl: "talosctl --debug" }, 'talosctl: "talosctl --debug" must be a program name or path'],
  [{ linkAddressing: "manual" }, 'linkAddressing: "manual" must be one of "dhcp", "static"'],
  [{ vip: "10.20.0.12" }, 'vip: "10.20.0.12" equals the address of controlPlanes[1] (cp-02)'],
])("rejects %o before any resource is registered", async (override, message) => {
  expect(() => new TalosConfigPush("push", { ...args, ...(override as Partial<TalosConfigPushArgs>) })).toThrow(message);
  expect(await rec.settle()).toEqual([]);
});

test("with the endpoint still an Output, plain fields are checked before anything is registered", async () => {
  const endpoint = pulumi.output("10.20.0.10");
  expect(() => new TalosConfigPush("push", { ...args, endpoint, mode: "no_reboot" as never })).toThrow(
    'mode: "no_reboot" must be one of auto, no-reboot, reboot, staged, try',
  );
  expect(() => new TalosConfigPush("push", { ...args, endpoint, controlPlanes: [{ name: "cp_1", address: "10.20.0.11/24" }] })).toThrow(
    'controlPlanes[0].name: "cp_1" must be a DNS label',
  );
  expect(await rec.settle()).toEqual([]);
});

describe("extraPatch is YAML text (so every Pulumi language can pass it)", () => {
  test("a plain fragment is merged into every node's patch", async () => {
    const push = new TalosConfigPush("push", { ...args, extraPatch: "cluster:\n  allowSchedulingOnControlPlanes: true\n" });
    const patches = await valueOf(push.patches);
    for (const node of nodes) expect(patches[node.name]).toContain("allowSchedulingOnControlPlanes: true");
    expect(await pulumi.isSecret(push.patches)).toBe(false);
    await rec.settle();
  });

  test("MetalLbServices.talosPatch flows in as it is, and a secret fragment makes the patches secret", async () => {
    const push = new TalosConfigPush("push", { ...args, extraPatch: pulumi.secret("cluster:\n  allowSchedulingOnControlPlanes: true\n") });
    expect(await pulumi.isSecret(push.patches)).toBe(true);
    expect((await valueOf(push.patches))["cp-01"]).toContain("allowSchedulingOnControlPlanes: true");
    await rec.settle();
  });

  test.each([
    ["a list", "- a\n- b\n", /^extraPatch: "- a" must be a YAML mapping/],
    ["a scalar", "true", /^extraPatch: "true" must be a YAML mapping/],
    ["two documents", "cluster: {}\n---\nmachine: {}\n", /^extraPatch: "cluster: \{\}" must hold one YAML document/],
    ["broken YAML", "cluster: [a\n", /^extraPatch: "cluster: \[a" is not valid YAML/],
  ])("%s is refused naming extraPatch, before any resource", async (_what, extraPatch, message) => {
    expect(() => new TalosConfigPush("push", { ...args, extraPatch })).toThrow(message);
    expect(await rec.settle()).toEqual([]);
  });
});

test("Talos < 1.12 with a VIP: the displayed patch shows the dhcp: true part and when it is sent", async () => {
  const push = new TalosConfigPush("push", { ...args, talosVersion: "1.11" });
  const patches = await valueOf(push.patches);
  expect(patches["cp-01"]).toContain(
    "# applied only while machine.network.interfaces has no entry for ens18 that sets dhcp, addresses or cidr: keep DHCP on ens18 (dhcp: true beside the VIP)\n---\nmachine:\n  network:\n    interfaces:\n      - interface: ens18\n        dhcp: true\n",
  );
  await rec.settle();
  const statics = new TalosConfigPush("push2", { ...args, talosVersion: "1.11", linkAddressing: "static" });
  expect((await valueOf(statics.patches))["cp-01"]).not.toContain("dhcp");
  await rec.settle();
});

describe("workers in patch mode", () => {
  const workers = [
    { name: "wk-01", address: "10.20.0.21/24" },
    { name: "wk-02", address: "10.20.0.22/24" },
    { name: "wk-03", address: "10.20.0.23/24" },
  ];

  test("each worker gets the endpoint and KubePrism (no certSANs, no VIP) after the last control plane, two at a time", async () => {
    const push = new TalosConfigPush("push", { ...args, workers });
    const patches = await valueOf(push.patches);
    const resources = await rec.settle();
    const deps = Object.fromEntries(resources.map((r) => [r.name, r.dependsOn]));
    expect(deps["push-wk-01"]).toEqual(["push-cp-03"]);
    expect(deps["push-wk-02"]).toEqual(["push-cp-03"]);
    expect(deps["push-wk-03"]).toEqual(["push-cp-03", "push-wk-01"]);
    expect(patches["wk-02"]).toBe(
      "---\nmachine:\n  features:\n    kubePrism:\n      enabled: true\n      port: 7445\ncluster:\n  controlPlane:\n    endpoint: https://10.20.0.10:6443\n",
    );
    const wk = resources.find((r) => r.name === "push-wk-01")!.inputs as Record<string, string>;
    expect(wk.stdin).toBe(patches["wk-01"]);
    expect(wk.create).not.toContain("etcd on the node");
    expect(wk.create).toContain("--nodes 10.20.0.21 --endpoints 10.20.0.21");
    expect(await valueOf(push.applyOrder)).toEqual([
      "1. cp-01: talosctl patch machineconfig, wait for etcd",
      "2. cp-02: talosctl patch machineconfig, wait for etcd",
      "3. cp-03: talosctl patch machineconfig, wait for etcd",
      "4. workers, 2 at a time: wk-01, wk-02, wk-03: talosctl patch machineconfig (endpoint, KubePrism)",
    ]);
  });

  test.each([
    [{ workers: [{ name: "cp-02", address: "10.20.0.21/24" }] }, 'workers[0].name: "cp-02" is also the name of controlPlanes[1]'],
    [
      { workers: [{ name: "wk-01", address: "10.20.0.11/24" }] },
      'workers[0].address: "10.20.0.11" duplicates the address of controlPlanes[0]',
    ],
    [{ workers, workerParallelism: 0 }, "workerParallelism: 0"],
  ])("rejects %o before any resource is registered", async (override, message) => {
    expect(() => new TalosConfigPush("push", { ...args, ...(override as Partial<TalosConfigPushArgs>) })).toThrow(message);
    expect(await rec.settle()).toEqual([]);
  });
});
