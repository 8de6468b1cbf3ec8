import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { parseAllDocuments } from "yaml";
import { SynthResult } from "../examples/stack/synth";
import { metallbValidator } from "./helpers/metallbSchema";
import { talosSchemaValidator } from "./helpers/reference";
import { PROJECT_DIR, readVariantConfig, removeVariants, stackVariant, synthVariant } from "./helpers/stacks";

afterAll(removeVariants);

/**
 * The example with `configSource: patch` (an existing cluster: the talosctl push patches the control
 * planes), no workers, and the talosconfig set as an encrypted secret (synth's placeholder).
 */
const PATCH_PATH = {
  configSource: "patch",
  clusterName: undefined,
  kubernetesVersion: undefined,
  workerNodes: undefined,
  talosconfig: { secure: "AAAA" },
};

describe("the proxmox example stack under mocks, configSource: patch", () => {
  let result: SynthResult;
  beforeAll(async () => {
    result = await synthVariant("proxmox", PATCH_PATH);
  });

  test("files/metallb/manifests.yaml: every object validates against MetalLB 0.16.1's CRD schemas, unknown fields refused", () => {
    const validate = metallbValidator(true);
    const objects = parseAllDocuments(result.files["metallb/manifests.yaml"]).map((d) => d.toJS());
    expect(objects.length).toBeGreaterThan(2);
    for (const obj of objects.filter((o) => o.apiVersion.startsWith("metallb.io/"))) expect(validate(obj)).toEqual([]);
  });

  test("registers exactly these resources, with these parents", () => {
    // Registration order follows input resolution, not program order: compare as sets.
    expect(result.resources.map((r) => [r.type, r.name, r.parent]).sort()).toEqual(
      [
        ["pulumi:pulumi:Stack", "talos-endpoints-proxmox", null],
        ["talos-endpoints:index:TalosVipEndpoint", "control-plane", "talos-endpoints-proxmox"],
        ["pulumi:providers:proxmoxve", "proxmox", "talos-endpoints-proxmox"],
        ["proxmoxve:index/vmLegacy:VmLegacy", "cp-01-vm", "talos-endpoints-proxmox"],
        ["proxmoxve:index/vmLegacy:VmLegacy", "cp-02-vm", "talos-endpoints-proxmox"],
        ["proxmoxve:index/vmLegacy:VmLegacy", "cp-03-vm", "talos-endpoints-proxmox"],
        ["talos-endpoints:index:MetalLbServices", "services", "talos-endpoints-proxmox"],
        ["talos-endpoints:index:TalosConfigPush", "talos-config", "talos-endpoints-proxmox"],
        ["command:local:Command", "talos-config-cp-01", "talos-config"],
        ["command:local:Command", "talos-config-cp-02", "talos-config"],
        ["command:local:Command", "talos-config-cp-03", "talos-config"],
      ].sort(),
    );
  });

  test("the push waits for every VM, then patches the nodes one at a time", () => {
    const deps = Object.fromEntries(result.resources.map((r) => [r.name, r.dependsOn]));
    expect(deps["talos-config-cp-01"]).toEqual(["cp-01-vm", "cp-02-vm", "cp-03-vm"]);
    expect(deps["talos-config-cp-02"]).toEqual(["talos-config-cp-01"]);
    expect(deps["talos-config-cp-03"]).toEqual(["talos-config-cp-02"]);
  });

  test("each VM gets its static address and gateway through nocloud cloud-init", () => {
    const vms = result.resources.filter((r) => r.type === "proxmoxve:index/vmLegacy:VmLegacy");
    expect(vms.map((vm) => (vm.inputs as any).initialization)).toEqual(
      ["31", "32", "33"].map((n) => ({
        type: "nocloud",
        datastoreId: "local-lvm",
        ipConfigs: [{ ipv4: { address: `192.168.30.${n}/24`, gateway: "192.168.30.1" } }],
      })),
    );
    expect(vms.map((vm) => [(vm.inputs as any).name, (vm.inputs as any).vmId, (vm.inputs as any).clone.vmId])).toEqual([
      ["cp-01", 3031, 9000],
      ["cp-02", 3032, 9000],
      ["cp-03", 3033, 9000],
    ]);
  });

  test("secrets stay secret: the Proxmox token and the talosconfig are masked in the recorded inputs", () => {
    const provider = result.resources.find((r) => r.type === "pulumi:providers:proxmoxve")!;
    expect((provider.inputs as any).apiToken).toBe("[secret]");
    const json = JSON.stringify(result.resources);
    expect(json).not.toContain("<placeholder for talos-endpoints:talosconfig>");
    expect(json).not.toContain("<placeholder for talos-endpoints:proxmoxApiToken>");
    for (const cmd of result.resources.filter((r) => r.type === "command:local:Command")) {
      expect((cmd.inputs as any).environment).toBe("[secret]");
    }
    expect(result.placeholders.sort()).toEqual(["talos-endpoints:proxmoxApiToken", "talos-endpoints:talosconfig"]);
  });

  test("each push command receives exactly its node's patch on stdin, triggers on its hash, and runs the displayed command", () => {
    const cmds = result.resources.filter((r) => r.type === "command:local:Command");
    for (const [i, cmd] of cmds.entries()) {
      const node = `cp-0${i + 1}`;
      const inputs = cmd.inputs as any;
      // stdin: the main patch, then each one-shot part after a separator line (the file shows the same parts with their conditions)
      const file = result.files[`talos/${node}.yaml`];
      // (the certSANs part is not on stdin: the push sends only the names the node lacks)
      expect(inputs.stdin.split("#--talos-endpoints-part--\n")).toEqual(
        file.replace(/^# certSANs: .*\n[^#]*/m, "").split(/^# applied only .*\n/m),
      );
      expect(inputs.triggers).toEqual([(result.outputs.patchHashes as any)[node]]);
      expect(inputs.interpreter).toEqual(["/bin/bash", "--norc", "--noprofile", "-c"]);
      expect(inputs.create).toContain(`--nodes 192.168.30.3${i + 1} --endpoints 192.168.30.3${i + 1} --mode no-reboot`);
      expect(result.files[`talos/${node}.talosctl.txt`]).toContain(`--nodes 192.168.30.3${i + 1} --endpoints 192.168.30.3${i + 1}`);
    }
  });

  test("MetalLB (L2) rides along in every control-plane patch: scheduling always; label removal and manifests once", () => {
    const docs = parseAllDocuments(result.files["talos/cp-01.yaml"]).map((d) => d.toJS());
    expect(docs).toHaveLength(5);
    expect(docs[0].machine.nodeLabels).toBeUndefined();
    expect(docs[0].cluster.allowSchedulingOnControlPlanes).toBe(true);
    expect(docs[1]).toEqual({ machine: { certSANs: ["192.168.30.30"] }, cluster: { apiServer: { certSANs: ["192.168.30.30"] } } });
    expect(docs[2]).toEqual({
      machine: { nodeLabels: { "node.kubernetes.io/exclude-from-external-load-balancers": { $patch: "delete" } } },
    });
    expect(docs[4].cluster.extraManifests).toEqual([
      "https://raw.githubusercontent.com/metallb/metallb/v0.16.1/config/manifests/metallb-native.yaml",
    ]);
    const inline = parseAllDocuments(docs[3].cluster.inlineManifests[0].contents).map((d) => d.toJS());
    expect(inline.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      "Namespace/metallb-system",
      "IPAddressPool/ingress",
      "IPAddressPool/services",
      "L2Advertisement/l2",
    ]);
    expect(inline.slice(1)).toEqual(
      parseAllDocuments(result.files["metallb/manifests.yaml"])
        .map((d) => d.toJS())
        .slice(1),
    );
    expect(result.outputs.servicesEndpoint).toBe("192.168.30.200");
  });

  test("stack outputs follow the endpoint contract", () => {
    expect(result.outputs).toMatchObject({
      endpoint: "192.168.30.30",
      kubernetesApiUrl: "https://192.168.30.30:6443",
      talosApiEndpoints: ["192.168.30.31", "192.168.30.32", "192.168.30.33"],
      vmIds: [3031, 3032, 3033],
    });
  });

  test("writes resources.json, outputs.json, topology.md and the files, and every patch validates for Talos 1.11", () => {
    const out = path.join(path.dirname(result.outDir), "proxmox");
    expect(JSON.parse(fs.readFileSync(path.join(out, "resources.json"), "utf8"))).toEqual(result.resources);
    expect(JSON.parse(fs.readFileSync(path.join(out, "outputs.json"), "utf8"))).toEqual(result.outputs);
    const topology = fs.readFileSync(path.join(out, "topology.md"), "utf8");
    expect(topology).toContain("```mermaid");
    expect(topology).toContain('endpoint -- "50000" --> cp_03');
    expect(topology).toContain("KubePrism localhost:7445");
    const validate = talosSchemaValidator("1.11");
    for (const node of ["cp-01", "cp-02", "cp-03"]) {
      const text = fs.readFileSync(path.join(out, "files", "talos", `${node}.yaml`), "utf8");
      const docs = parseAllDocuments(text).map((d) => d.toJS());
      expect(docs[0].machine.network.interfaces[0]).toEqual({ interface: "ens18", vip: { ip: "192.168.30.30" } });
      for (const doc of docs) expect(validate(withoutDeletes(doc))).toEqual([]);
    }
  });
});

test("switching talosVersion to 1.13 switches to the multi-document VIP form, which validates", async () => {
  const result = await synthVariant("proxmox", { ...PATCH_PATH, talosVersion: "1.13" });
  const validate = talosSchemaValidator("1.13");
  const docs = parseAllDocuments(result.files["talos/cp-02.yaml"]).map((d) => d.toJS());
  expect(docs.map((d) => d.kind)).toEqual([undefined, "Layer2VIPConfig", undefined, undefined, undefined]);
  expect(docs[1]).toEqual({ apiVersion: "v1alpha1", kind: "Layer2VIPConfig", name: "192.168.30.30", link: "ens18" });
  for (const doc of docs) expect(validate(withoutDeletes(doc))).toEqual([]);
});

/**
 * The Talos schema describes configs, not patches: a strategic-merge `$patch: delete` directive
 * (here: MetalLB's removal of the exclude-from-external-load-balancers label) would be reported as
 * an extra property. Drop the keys that carry one before validating; what remains must validate.
 */
function withoutDeletes(doc: any): any {
  if (Array.isArray(doc)) return doc.map(withoutDeletes);
  if (doc === null || typeof doc !== "object") return doc;
  return Object.fromEntries(
    Object.entries(doc)
      .filter(([, v]) => !(v && typeof v === "object" && (v as any).$patch === "delete"))
      .map(([k, v]) => [k, withoutDeletes(v)]),
  );
}

test("a VIP outside the subnet in the stack config stops synth with the field named", async () => {
  await expect(synthVariant("proxmox", { vip: "192.168.40.30" })).rejects.toThrow(
    'vip: "192.168.40.30" is outside the subnet 192.168.30.0/24',
  );
});

test("npm run synth exits non-zero with the validation message on bad config", () => {
  const dir = stackVariant("proxmox", { vip: "192.168.30.31" });
  const run = spawnSync(
    process.execPath,
    [require.resolve("tsx/cli"), path.join(PROJECT_DIR, "synth.ts"), "--stack", "proxmox", "--project", dir],
    {
      cwd: dir,
      encoding: "utf8",
    },
  );
  expect(run.status).toBe(1);
  expect(run.stderr).toContain('synth failed: vip: "192.168.30.31" equals the address of controlPlanes[0] (cp-01)');
  expect(fs.existsSync(path.join(dir, "synth"))).toBe(false);
});

test("npm run synth on the example (patch path) writes the directory and says which secrets are placeholders", () => {
  const dir = stackVariant("proxmox", PATCH_PATH);
  const run = spawnSync(
    process.execPath,
    [require.resolve("tsx/cli"), path.join(PROJECT_DIR, "synth.ts"), "--stack", "proxmox", "--project", dir],
    {
      cwd: dir,
      encoding: "utf8",
    },
  );
  expect(run.status).toBe(0);
  expect(run.stdout).toContain("secret talos-endpoints:talosconfig is not available here; using a placeholder");
  expect(run.stdout).toContain("synth: wrote synth/proxmox (11 resources, 7 files)");
  expect(fs.readdirSync(path.join(dir, "synth", "proxmox", "files", "talos")).sort()).toEqual([
    "cp-01.talosctl.txt",
    "cp-01.yaml",
    "cp-02.talosctl.txt",
    "cp-02.yaml",
    "cp-03.talosctl.txt",
    "cp-03.yaml",
  ]);
});

test("a MetalLB pool holding the default gateway stops synth (in L2 mode MetalLB would answer ARP for the router)", async () => {
  await expect(
    synthVariant("proxmox", {
      metallb: { mode: "l2", delivery: "talos-inline", workerCount: 0, pools: [{ name: "p", addresses: ["192.168.30.1-192.168.30.5"] }] },
    }),
  ).rejects.toThrow('pools[0].addresses[0]: "192.168.30.1-192.168.30.5" contains the default gateway gateway (192.168.30.1)');
});

describe("the proxmox stack config (a union on platform: keys of other platforms refused)", () => {
  test("reads the example as a ProxmoxStackConfig: the required keys set, plain values of their kind", () => {
    const cfg = readVariantConfig("proxmox");
    if (cfg.platform !== "proxmox") throw new Error(`platform ${cfg.platform}`);
    expect(cfg).toMatchObject({
      configSource: "generated",
      clusterName: "homelab",
      workerNodes: [{ name: "wk-01", address: "192.168.30.41/24" }],
    });
    expect(cfg.vip).toBe("192.168.30.30");
    expect(cfg.proxmox).toMatchObject({ nodeName: "pve", templateVmId: 9000, firstVmId: 3031, insecure: false });
    expect(cfg.controlPlanes.map((cp) => cp.name)).toEqual(["cp-01", "cp-02", "cp-03"]);
    expect(cfg).not.toHaveProperty("loadBalancer");
  });

  test.each([
    [{ vip: undefined }, 'talos-endpoints:vip: (not set) is required: platform "proxmox" needs it'],
    [{ proxmox: undefined }, 'talos-endpoints:proxmox: (not set) is required: platform "proxmox" needs it'],
    [{ talosVersion: undefined }, 'talos-endpoints:talosVersion: (not set) is required: every platform needs it (platform "proxmox")'],
  ])("a missing required key stops synth naming the key and the platform: %j", async (changes, message) => {
    await expect(synthVariant("proxmox", changes)).rejects.toThrow(message);
  });

  test("a missing required field inside a mapping is named with its path", () => {
    const proxmox = { endpoint: "https://pve.example.internal:8006/", nodeName: "pve" };
    expect(() => readVariantConfig("proxmox", { proxmox })).toThrow(
      'talos-endpoints:proxmox.templateVmId: (not set) is required: platform "proxmox" needs it',
    );
  });

  test("a missing required secret says how to set it", () => {
    expect(() => readVariantConfig("proxmox", {}, ["proxmoxApiToken"])).toThrow(
      'talos-endpoints:proxmoxApiToken: (not set) is required: platform "proxmox" needs it; set it with `pulumi config set --secret talos-endpoints:proxmoxApiToken ...`',
    );
  });

  test.each([
    [
      { proxmox: { endpoint: "https://pve:8006/", nodeName: "pve", templateVmId: "9000" } },
      'talos-endpoints:proxmox.templateVmId: "9000" must be a number (platform "proxmox")',
    ],
    [{ kubePrismPort: "seventy" }, 'talos-endpoints:kubePrismPort: "seventy" must be a number (platform "proxmox")'],
    [{ kubePrismEnabled: "yes" }, 'talos-endpoints:kubePrismEnabled: "yes" must be true or false (platform "proxmox")'],
    [{ proxmox: "pve" }, 'talos-endpoints:proxmox: "pve" must be a mapping (platform "proxmox")'],
    [
      { applyMode: "no_reboot" },
      'talos-endpoints:applyMode: "no_reboot" must be one of auto, no-reboot, reboot, staged, try (platform "proxmox")',
    ],
    [{ platform: "gcp" }, 'talos-endpoints:platform: "gcp" must be one of proxmox, aws, baremetal'],
    [{ configSource: "gen" }, 'talos-endpoints:configSource: "gen" must be one of patch, generated (platform "proxmox")'],
  ])("a value of the wrong kind is refused naming key and value: %j", (changes, message) => {
    expect(() => readVariantConfig("proxmox", changes)).toThrow(message);
  });

  test.each([
    [
      { workers: [{ name: "wk-01", instanceId: "i-0b" }] },
      'talos-endpoints:workers: [{"name":"wk-01","instanceId":"i-0b"}] is read only with platform "aws", not with platform "proxmox": remove it',
    ],
    [
      { aws: { environment: "demo" } },
      'talos-endpoints:aws: {"environment":"demo"} is read only with platform "aws", not with platform "proxmox": remove it',
    ],
    [
      { loadBalancer: { mode: "ha-pair" } },
      'talos-endpoints:loadBalancer: {"mode":"ha-pair"} is read only with platform "baremetal", not with platform "proxmox": remove it',
    ],
    [
      { lbSshPrivateKey: { secure: "AAAA" } },
      'talos-endpoints:lbSshPrivateKey: "[secret]" is read only with platform "baremetal", not with platform "proxmox": remove it',
    ],
    [
      { controlPlanes: [{ name: "cp-01", address: "192.168.30.31/24", instanceId: "i-0a" }] },
      'talos-endpoints:controlPlanes[0].instanceId: "i-0a" is read only with platform "aws", not with platform "proxmox": remove it',
    ],
  ])("a key or field of another platform is refused, not ignored: %j", (changes, message) => {
    expect(() => readVariantConfig("proxmox", changes)).toThrow(message);
  });

  test("a key of no platform (a typo) is refused without showing its value; so is an unknown field of a mapping", async () => {
    await expect(synthVariant("proxmox", { kubePrismPrt: 7445 })).rejects.toThrow(
      /^talos-endpoints:kubePrismPrt: "\[not shown\]" is not a key of the stack config \(platform "proxmox"\); keys: talosVersion, /,
    );
    const proxmox = { endpoint: "https://pve:8006/", nodeName: "pve", templateVmId: 9000, memoryMib: 4096 };
    expect(() => readVariantConfig("proxmox", { proxmox })).toThrow(
      'talos-endpoints:proxmox.memoryMib: 4096 is not a field of talos-endpoints:proxmox (platform "proxmox"); fields: endpoint, insecure, nodeName,',
    );
  });
});

describe("the proxmox example stack as committed: configSource generated, from empty VMs", () => {
  let result: SynthResult;
  beforeAll(async () => {
    result = await synthVariant("proxmox");
  });

  test("VMs (a worker too), then secrets bundle, talosconfig, control planes one at a time, the worker, kubeconfig", () => {
    const names = result.resources.map((r) => r.name).sort();
    expect(names).toEqual(
      [
        "talos-endpoints-proxmox",
        "control-plane",
        "proxmox",
        "cp-01-vm",
        "cp-02-vm",
        "cp-03-vm",
        "wk-01-vm",
        "services",
        "talos-config",
        "talos-config-secrets",
        "talos-config-talosconfig",
        "talos-config-cp-01",
        "talos-config-cp-02",
        "talos-config-cp-03",
        "talos-config-wk-01",
        "talos-config-kubeconfig",
      ].sort(),
    );
    const deps = Object.fromEntries(result.resources.map((r) => [r.name, [...r.dependsOn].sort()]));
    const viaInputs = ["talos-config-secrets", "talos-config-talosconfig"];
    expect(deps["talos-config-cp-01"]).toEqual(["cp-01-vm", "cp-02-vm", "cp-03-vm", ...viaInputs, "wk-01-vm"].sort());
    expect(deps["talos-config-cp-02"]).toEqual(["talos-config-cp-01", ...viaInputs]);
    expect(deps["talos-config-wk-01"]).toEqual(["talos-config-cp-03", ...viaInputs]);
    expect(deps["talos-config-kubeconfig"]).toContain("talos-config-cp-03");
    const vm = result.resources.find((r) => r.name === "wk-01-vm")!.inputs as any;
    expect([vm.vmId, vm.tags, vm.initialization.ipConfigs]).toEqual([
      3034,
      ["talos", "worker"],
      [{ ipv4: { address: "192.168.30.41/24", gateway: "192.168.30.1" } }],
    ]);
  });

  test("no secret in the recorded inputs or outputs; only the Proxmox token needs setting", () => {
    for (const cmd of result.resources.filter((r) => r.type === "command:local:Command" && r.name !== "talos-config-secrets")) {
      expect((cmd.inputs as any).environment).toBe("[secret]");
    }
    expect(result.outputs).toMatchObject({ talosconfig: "[secret]", kubeconfig: "[secret]" });
    expect(result.placeholders).toEqual(["talos-endpoints:proxmoxApiToken"]);
  });

  test("synth shows every node's patches, the exact talosctl command lines and the apply/bootstrap order", () => {
    expect(
      Object.keys(result.files)
        .filter((f) => f.startsWith("talos/"))
        .sort(),
    ).toEqual(["cp-01", "cp-02", "cp-03", "wk-01"].flatMap((n) => [`talos/${n}.talosctl.txt`, `talos/${n}.yaml`]));
    const cp = parseAllDocuments(result.files["talos/cp-01.yaml"]).map((d) => d.toJS());
    expect(cp[0].cluster.controlPlane.endpoint).toBe("https://192.168.30.30:6443");
    expect(cp[0].machine.network.interfaces[0]).toEqual({ interface: "ens18", vip: { ip: "192.168.30.30" } });
    const wk = parseAllDocuments(result.files["talos/wk-01.yaml"]).map((d) => d.toJS());
    expect(wk).toEqual([{ machine: { features: { kubePrism: { enabled: true, port: 7445 } } } }]);
    expect(result.files["talos/cp-01.talosctl.txt"]).toContain(
      "talosctl gen config homelab https://192.168.30.30:6443 --with-secrets <secrets bundle: temporary 0600 file> --talos-version v1.11 --kubernetes-version 1.34.1 --output-types controlplane",
    );
    expect(result.files["talos/cp-01.talosctl.txt"]).toContain(
      "maintenance mode: talosctl apply-config --insecure --nodes 192.168.30.31 --endpoints 192.168.30.31 --file <temporary config.yaml>",
    );
    expect(result.files["talos/cp-01.talosctl.txt"]).toContain("once, when etcd was never bootstrapped: talosctl bootstrap");
    expect(result.files["talos/cp-02.talosctl.txt"]).not.toContain("bootstrap");
    const topology = fs.readFileSync(path.join(result.outDir, "topology.md"), "utf8");
    expect(topology).toContain("## Apply and bootstrap order");
    expect(topology).toContain(
      "2. cp-01 (192.168.30.31): gen config controlplane, apply-config, bootstrap etcd once, wait for etcd and kube-apiserver",
    );
    expect(topology).toContain("5. workers, 2 at a time: wk-01 (192.168.30.41)");
    expect(topology).toContain("6. kubeconfig from cp-01 (server https://192.168.30.30:6443)");
    expect(topology).toContain('wk_01 -- "6443 join (cluster.controlPlane.endpoint)" --> endpoint');
  });

  test("configSource patch without a talosconfig: synth substitutes a placeholder and says so", async () => {
    const patch = await synthVariant("proxmox", { ...PATCH_PATH, talosconfig: undefined });
    expect(patch.placeholders.sort()).toEqual(["talos-endpoints:proxmoxApiToken", "talos-endpoints:talosconfig"]);
  });

  test("a Kubernetes version outside Talos 1.11's range stops synth naming it", async () => {
    await expect(synthVariant("proxmox", { kubernetesVersion: "1.35.0" })).rejects.toThrow(
      'kubernetesVersion: "1.35.0" Talos 1.11 supports Kubernetes 1.29 through 1.34',
    );
  });
});
