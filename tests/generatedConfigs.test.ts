/**
 * `TalosConfigPush` with `configSource: "generated"`: the checks before any resource (naming
 * field and value), the Kubernetes support table against Talos's own `compatibility` packages,
 * the plan's order and triggers, and the component's resources under Pulumi's mock runtime.
 */
import * as pulumi from "@pulumi/pulumi";
import { installMocks, MockRecorder } from "../examples/stack/mockRuntime";
import { TalosConfigPush, TalosConfigPushArgs } from "../src/components/TalosConfigPush";
import { apiServerReady, checkTalosconfig, machineStage, sameMachineConfig, secretsFingerprint } from "../src/render/talos/clusterState";
import { planGeneratedConfigs, GeneratedPlanSpec } from "../src/render/talos/generated";
import { checkKubernetesVersion, DEFAULT_KUBERNETES_VERSION, KUBERNETES_SUPPORT } from "../src/render/talos/kubernetesVersions";
import { readModuleFile } from "./helpers/refModules";
import { valueOf } from "./helpers/outputs";

const CPS = [
  { name: "cp-01", address: "192.168.30.31/24" },
  { name: "cp-02", address: "192.168.30.32/24" },
  { name: "cp-03", address: "192.168.30.33/24" },
];
const WORKERS = [
  { name: "wk-01", address: "192.168.30.41/24" },
  { name: "wk-02", address: "192.168.30.42/24" },
  { name: "wk-03", address: "192.168.30.43/24" },
];
const base: GeneratedPlanSpec = {
  talosVersion: "1.12",
  clusterName: "lab",
  endpoint: "192.168.30.30",
  vip: "192.168.30.30",
  link: "ens18",
  controlPlanes: CPS,
  workers: WORKERS,
};

describe("Kubernetes versions: the table is Talos's own support matrix", () => {
  // The machinery release pinned per minor in tools/refs/talos-<minor>; 1.10's package is read from 1.11's module.
  const sources: [number, string, string][] = [
    [9, "talos-1.9", "talos19"],
    [10, "talos-1.11", "talos110"],
    [11, "talos-1.11", "talos111"],
    [12, "talos-1.12", "talos112"],
    [13, "talos-1.13", "talos113"],
  ];
  test.each(sources)("Talos 1.%i: MinimumKubernetesVersion and MaximumKubernetesVersion of compatibility/%s", (minor, ref, pkg) => {
    const go = readModuleFile(ref, "github.com/siderolabs/talos/pkg/machinery", `compatibility/${pkg}/${pkg}.go`);
    const read = (name: string) => new RegExp(`${name} = semver\\.MustParse\\("([^"]+)"\\)`).exec(go)?.[1];
    expect(KUBERNETES_SUPPORT[minor]).toEqual({ minimum: read("MinimumKubernetesVersion"), maximum: read("MaximumKubernetesVersion") });
  });
  test.each([
    [9, "talos-1.9"],
    [11, "talos-1.11"],
    [12, "talos-1.12"],
    [13, "talos-1.13"],
  ])("Talos 1.%i: the default is the pinned release's constants.DefaultKubernetesVersion", (minor, ref) => {
    const go = readModuleFile(ref, "github.com/siderolabs/talos/pkg/machinery", "constants/constants.go");
    expect(DEFAULT_KUBERNETES_VERSION[minor]).toBe(/DefaultKubernetesVersion = "([^"]+)"/.exec(go)?.[1]);
  });
  test("inside and outside the range, naming the field, the value and the source", () => {
    expect(checkKubernetesVersion("1.9", "v1.27.0")).toBe("1.27.0");
    expect(checkKubernetesVersion("1.9", "1.32.15")).toBe("1.32.15");
    expect(() => checkKubernetesVersion("1.9", "1.33.0")).toThrow(
      'kubernetesVersion: "1.33.0" Talos 1.9 supports Kubernetes 1.27 through 1.32 (pkg/machinery/compatibility/talos19/talos19.go)',
    );
    expect(() => checkKubernetesVersion("1.13", "1.30.9")).toThrow(
      'kubernetesVersion: "1.30.9" Talos 1.13 supports Kubernetes 1.31 through 1.36',
    );
    expect(() => checkKubernetesVersion("1.13", "1.36")).toThrow('kubernetesVersion: "1.36" must be a Kubernetes release such as "1.32.3"');
    expect(() => checkKubernetesVersion("1.10", undefined)).toThrow("kubernetesVersion: (not set) is required with Talos 1.10");
  });
});

describe("checks before any resource, naming field and value", () => {
  test.each([
    [{ kubernetesVersion: "1.29.0" }, 'kubernetesVersion: "1.29.0" Talos 1.12 supports Kubernetes 1.30 through 1.35'],
    [{ clusterName: "Lab_1" }, 'clusterName: "Lab_1" must be a DNS label'],
    [{ configPatches: ["machine: [unclosed"] }, 'configPatches[0]: "machine: [unclosed" is not valid YAML'],
    [{ configPatches: ["- a\n- b\n"] }, 'configPatches[0]: "- a" each YAML document must be a mapping'],
    [
      { controlPlanePatches: ["cluster:\n  controlPlane:\n    endpoint: https://10.0.0.1:6443\n"] },
      'controlPlanePatches[0]: "cluster:" sets cluster.controlPlane.endpoint to "https://10.0.0.1:6443"; the endpoint component owns it (https://192.168.30.30:6443)',
    ],
    [
      { workerPatches: ["apiVersion: v1alpha1\nkind: Layer2VIPConfig\nname: 192.168.30.99\nlink: ens18\n"] },
      'workerPatches[0]: "apiVersion: v1alpha1" sets a VIP; the endpoint owns the VIP (vip 192.168.30.30): change it there',
    ],
    [
      { configPatches: ["machine:\n  network:\n    interfaces:\n      - interface: ens18\n        vip:\n          ip: 192.168.30.99\n"] },
      'configPatches[0]: "machine:" sets a VIP; the endpoint owns the VIP',
    ],
    [{ nodePatches: [{ node: "cp-09", patch: "machine: {}" }] }, 'nodePatches[0].node: "cp-09" names no control plane or worker'],
    [{ workers: [{ name: "cp-01", address: "192.168.30.41/24" }] }, 'workers[0].name: "cp-01" is also the name of controlPlanes[0]'],
    [
      { workers: [{ name: "wk-01", address: "192.168.30.31/24" }] },
      'workers[0].address: "192.168.30.31" duplicates the address of controlPlanes[0]',
    ],
    [{ workerParallelism: 0 }, "workerParallelism: 0"],
    [{ vip: "192.168.40.30" }, 'vip: "192.168.40.30" is outside the subnet 192.168.30.0/24 of controlPlanes[0] (cp-01)'],
    [{ vip: "192.168.30.41" }, 'vip: "192.168.30.41" equals workers[0].address (wk-01)'],
    [{ talosVersion: "1.8" }, 'talosVersion: "1.8" Talos 1.8 is not supported'],
  ])("%o", (over, message) => {
    expect(() => planGeneratedConfigs({ ...base, ...over } as GeneratedPlanSpec)).toThrow(message);
  });

  test("a patch may set the endpoint to the URL the endpoint component renders (no change)", () => {
    expect(() =>
      planGeneratedConfigs({ ...base, configPatches: ["cluster:\n  controlPlane:\n    endpoint: https://192.168.30.30:6443\n"] }),
    ).not.toThrow();
  });

  test("an even number of control planes is a warning, not an error", () => {
    const plan = planGeneratedConfigs({ ...base, controlPlanes: CPS.slice(0, 2) });
    expect(plan.warnings).toEqual([expect.stringContaining("controlPlanes: 2 control-plane nodes is an even count")]);
  });

  test.each([
    ["", 'talosconfig: "[secret]" is empty'],
    ["context: [", 'talosconfig: "[secret]" is not valid YAML'],
    ["just text", 'talosconfig: "[secret]" is not a talosconfig'],
    ["contexts:\n  lab: {}\n", 'talosconfig: "[secret]" names no current context'],
    ["context: lab\ncontexts:\n  other: {}\n", 'talosconfig: "[secret]" has no entry for its context "lab" under contexts'],
  ])("talosconfig %j", (text, message) => {
    expect(() => checkTalosconfig("talosconfig", text)).toThrow(message);
  });

  test("a secrets bundle needs the cluster ID and the CA certificates; its fingerprint holds no secret and changes with the bundle", () => {
    const bundle = (id: string) =>
      `cluster:\n  id: ${id}\n  secret: S\ncerts:\n  os: {crt: A, key: K1}\n  k8s: {crt: B, key: K2}\n  etcd: {crt: C, key: K3}\n`;
    expect(secretsFingerprint("secretsBundle", bundle("x"))).toMatch(/^[0-9a-f]{64}$/);
    expect(secretsFingerprint("secretsBundle", bundle("x"))).toBe(secretsFingerprint("secretsBundle", bundle("x").replace("K1", "other")));
    expect(secretsFingerprint("secretsBundle", bundle("y"))).not.toBe(secretsFingerprint("secretsBundle", bundle("x")));
    expect(() => secretsFingerprint("secretsBundle", "cluster: {}\n")).toThrow('secretsBundle: "[secret]" is not a Talos secrets bundle');
  });

  test("the readers: stage, kube-apiserver readiness, same config whatever the order", () => {
    expect(machineStage("node: 10.0.0.1\nmetadata: {id: machine}\nspec:\n  stage: maintenance\n")).toBe("maintenance");
    expect(() => machineStage("spec: {}\n")).toThrow("holds no spec.stage");
    const pod = (status: string) =>
      `metadata: {id: kube-system/kube-apiserver-cp-01}\nspec:\n  conditions:\n    - type: Ready\n      status: "${status}"\n`;
    expect(apiServerReady(pod("True"))).toBe(true);
    expect(apiServerReady(pod("False"))).toBe(false);
    expect(apiServerReady(`${pod("True").replace("kube-apiserver", "kube-scheduler")}`)).toBe(false);
    expect(sameMachineConfig("a: 1\nb: [1, 2]\n---\nkind: X\nname: y\n", "kind: X\nname: y\n---\nb: [1, 2]\na: 1\n")).toBe(true);
    expect(sameMachineConfig("a: 1\nb: [1, 2]\n", "a: 1\nb: [2, 1]\n")).toBe(false);
  });
});

describe("the plan", () => {
  test("order: control planes one at a time, bootstrap on the first only, then workers two at a time", () => {
    const plan = planGeneratedConfigs(base);
    expect(plan.nodes.map((n) => [n.name, n.role, n.bootstrap, n.after])).toEqual([
      ["cp-01", "controlplane", true, []],
      ["cp-02", "controlplane", false, ["cp-01"]],
      ["cp-03", "controlplane", false, ["cp-02"]],
      ["wk-01", "worker", false, ["cp-03"]],
      ["wk-02", "worker", false, ["cp-03"]],
      ["wk-03", "worker", false, ["cp-03", "wk-01"]],
    ]);
    expect(plan.nodes.filter((n) => n.script.includes(" bootstrap ")).map((n) => n.name)).toEqual(["cp-01"]);
    expect(plan.kubernetesVersion).toBe("1.35.4");
    expect(plan.order).toEqual([
      "1. secrets bundle (talosctl gen secrets, once; a Pulumi secret)",
      "2. cp-01 (192.168.30.31): gen config controlplane, apply-config, bootstrap etcd once, wait for etcd and kube-apiserver",
      "3. cp-02 (192.168.30.32): gen config controlplane, apply-config, wait for etcd and kube-apiserver",
      "4. cp-03 (192.168.30.33): gen config controlplane, apply-config, wait for etcd and kube-apiserver",
      "5. workers, 2 at a time: wk-01 (192.168.30.41), wk-02 (192.168.30.42), wk-03 (192.168.30.43)",
      "6. kubeconfig from cp-01 (server https://192.168.30.30:6443)",
    ]);
  });

  test("the patches: the endpoint's first, then all, role, node; workers get KubePrism only (gen config sets their endpoint)", () => {
    const plan = planGeneratedConfigs({
      ...base,
      configPatches: ["machine: {install: {disk: /dev/vda}}"],
      controlPlanePatches: ["cluster: {allowSchedulingOnControlPlanes: false}"],
      workerPatches: ["machine: {kubelet: {extraArgs: {max-pods: '150'}}}"],
      nodePatches: [{ node: "wk-02", patch: "machine: {network: {hostname: wk-02}}" }],
    });
    // Control planes: the main patch and the certSANs as two files (one v1alpha1 document a patch file).
    expect(plan.nodes[0].patchSources).toEqual(["main", "certSANs", "configPatches[0]", "controlPlanePatches[0]"]);
    expect(plan.nodes[4].patchSources).toEqual(["main", "configPatches[0]", "workerPatches[0]", "nodePatches[0]"]);
    expect(plan.nodes[4].patches[0]).toBe("---\nmachine:\n  features:\n    kubePrism:\n      enabled: true\n      port: 7445\n");
    expect(plan.nodes[0].patches[0]).toContain("kind: Layer2VIPConfig\nname: 192.168.30.30\nlink: ens18\n");
    expect(plan.nodes[0].patches[1]).toContain("certSANs:\n    - 192.168.30.30\n");
    // The display never holds a file's content.
    expect(plan.nodes[0].commandLines[0]).toBe(
      "talosctl gen config lab https://192.168.30.30:6443 --with-secrets <secrets bundle: temporary 0600 file> --talos-version v1.12 --kubernetes-version 1.35.4 --output-types controlplane --output <temporary config.yaml> --with-docs=false --with-examples=false --config-patch <temporary main patch> --config-patch <temporary certSANs patch> --config-patch <temporary configPatches[0] patch> --config-patch <temporary controlPlanePatches[0] patch>",
    );
  });

  test("the trigger is per node: a node patch changes that node's hash only; the Kubernetes version every node's", () => {
    const hashes = (over: Partial<GeneratedPlanSpec>) => planGeneratedConfigs({ ...base, ...over }).nodes.map((n) => n.hash);
    const a = hashes({});
    expect(hashes({})).toEqual(a);
    const b = hashes({ nodePatches: [{ node: "wk-03", patch: "machine: {network: {hostname: wk-03}}" }] });
    expect(a.map((h, i) => h === b[i])).toEqual([true, true, true, true, true, false]);
    const c = hashes({ kubernetesVersion: "1.34.2" });
    expect(a.every((h, i) => h !== c[i])).toBe(true);
  });
});

describe("the component under Pulumi's mock runtime", () => {
  let rec: MockRecorder;
  beforeEach(async () => {
    rec = await installMocks("talos-endpoints", "test");
  });
  const args: TalosConfigPushArgs = {
    configSource: "generated",
    talosVersion: "1.12",
    clusterName: "lab",
    controlPlanes: CPS,
    workers: WORKERS,
    endpoint: "192.168.30.30",
    vip: "192.168.30.30",
    link: "ens18",
  };

  test("secrets, talosconfig, one command per node in the plan's order, kubeconfig; every secret a secret", async () => {
    const push = new TalosConfigPush("talos", args);
    const order = await valueOf(push.applyOrder);
    const resources = await rec.settle();
    // dependsOn as recorded: the explicit order plus what the inputs refer to (the bundle and the talosconfig).
    const deps = Object.fromEntries(resources.map((r) => [r.name, [...r.dependsOn].sort()]));
    const viaInputs = ["talos-secrets", "talos-talosconfig"];
    expect(deps).toEqual({
      talos: [],
      "talos-secrets": [],
      "talos-talosconfig": ["talos-secrets"],
      "talos-cp-01": viaInputs,
      "talos-cp-02": ["talos-cp-01", ...viaInputs],
      "talos-cp-03": ["talos-cp-02", ...viaInputs],
      "talos-wk-01": ["talos-cp-03", ...viaInputs],
      "talos-wk-02": ["talos-cp-03", ...viaInputs],
      "talos-wk-03": ["talos-cp-03", ...viaInputs, "talos-wk-01"].sort(),
      "talos-kubeconfig": ["talos-cp-03", "talos-secrets", "talos-talosconfig"],
    });
    const byName = Object.fromEntries(resources.map((r) => [r.name, r]));
    expect(byName["talos-secrets"].inputs.logging).toBe("none");
    expect(byName["talos-secrets"].inputs.create).toContain("talosctl gen secrets --output-file");
    for (const n of ["talos-talosconfig", "talos-cp-01", "talos-wk-03", "talos-kubeconfig"])
      expect(byName[n].inputs.environment).toBe("[secret]");
    // The node's trigger: its plan hash and the bundle's fingerprint (computed from the secret output).
    expect(byName["talos-cp-01"].inputs.triggers).toHaveLength(2);
    expect(byName["talos-kubeconfig"].inputs.triggers).toEqual(["", "https://192.168.30.30:6443"]);
    expect(order[0]).toBe("1. secrets bundle (talosctl gen secrets, once; a Pulumi secret)");
    expect(pulumi.isSecret(push.talosconfig)).toBeDefined();
    expect(await pulumi.isSecret(push.kubeconfig)).toBe(true);
    expect(await pulumi.isSecret(push.talosconfig)).toBe(true);
  });

  test("a given secrets bundle: no gen secrets command", async () => {
    const bundle = "cluster:\n  id: x\ncerts:\n  os: {crt: A}\n  k8s: {crt: B}\n  etcd: {crt: C}\n";
    new TalosConfigPush("talos", { ...args, workers: [], secretsBundle: pulumi.secret(bundle) });
    const resources = await rec.settle();
    expect(resources.map((r) => r.name).sort()).toEqual([
      "talos",
      "talos-cp-01",
      "talos-cp-02",
      "talos-cp-03",
      "talos-kubeconfig",
      "talos-talosconfig",
    ]);
  });

  test.each([
    [{ configSource: "gen" as never }, 'configSource: "gen" must be one of patch, generated'],
    [{ kubernetesVersion: "1.36.0" }, 'kubernetesVersion: "1.36.0" Talos 1.12 supports Kubernetes 1.30 through 1.35'],
    [{ configPatches: ["cluster:\n  controlPlane:\n    endpoint: https://lb.example:6443\n"] }, "configPatches[0]"],
    [{ nodePatches: [{ node: "nope", patch: "machine: {}" }] }, 'nodePatches[0].node: "nope" names no control plane or worker'],
  ])("rejects %o before any resource is registered", async (over, message) => {
    expect(() => new TalosConfigPush("talos", { ...args, ...(over as Partial<TalosConfigPushArgs>) })).toThrow(message);
    expect(await rec.settle()).toEqual([]);
  });

  test("patch mode (the default) still needs a talosconfig, checked before any resource", async () => {
    const { configSource: _s, ...patchArgs } = args;
    expect(() => new TalosConfigPush("talos", patchArgs)).toThrow('talosconfig: (not set) is required with configSource "patch"');
    expect(() => new TalosConfigPush("talos", { ...patchArgs, talosconfig: "context: lab\n" })).toThrow(
      'talosconfig: "[secret]" has no entry',
    );
    expect(await rec.settle()).toEqual([]);
  });
});
