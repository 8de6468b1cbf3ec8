/**
 * The `kubevip` example stack (the design notes' strategy 3: kube-vip control-plane VIP with IPVS,
 * MetalLB BGP for Services, the two separated by loadBalancerClass) under mocks, and the stack's
 * guards: synth writes the kube-vip manifests and the Talos patches; a conflicting configuration
 * (kube-vip and MetalLB both taking Services without a class) makes `npm run synth` exit non-zero
 * naming both fields.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { parseAllDocuments } from "yaml";
import { SynthResult } from "../examples/stack/synth";
import { checkK8sObjects, ensureK8sObjectCheck } from "./helpers/k8sSchema";
import { metallbValidator } from "./helpers/metallbSchema";
import { talosSchemaValidator } from "./helpers/reference";
import { KubeVipStackConfig } from "../examples/stack/config";
import { readVariantConfig, removeVariants, stackVariant, synthVariant } from "./helpers/stacks";

/** The shipped kubevip example stack's config, which sets both kube-vip and MetalLB. */
function kubeVipStack(): KubeVipStackConfig & { metallb: NonNullable<KubeVipStackConfig["metallb"]> } {
  const base = readVariantConfig("kubevip");
  if (base.platform !== "kubevip" || !base.metallb) throw new Error("unexpected stack");
  return { ...base, metallb: base.metallb };
}

/** kube-vip settings for BGP mode: the VIP `vip`, local AS 64514, one peer at `peer` in AS 64512. */
function bgpKubeVip(vip: string, peer: string) {
  return { vip, mode: "bgp" as const, bgp: { localASN: 64514, peers: [{ address: peer, asn: 64512 }] } };
}

jest.setTimeout(120_000);

const ROOT = path.resolve(__dirname, "..");

afterAll(removeVariants);

beforeAll(() => {
  ensureK8sObjectCheck();
});

/** Runs `npm run synth`'s script as a user would; returns exit status and output. */
function runSynth(projectDir: string, stack: string): { status: number | null; out: string } {
  const r = spawnSync(
    process.execPath,
    [
      path.join(ROOT, "node_modules", "tsx", "dist", "cli.mjs"),
      "examples/synth.ts",
      "--stack",
      stack,
      "--project",
      projectDir,
      "--out",
      path.join(projectDir, "out"),
    ],
    { cwd: ROOT, encoding: "utf8" },
  );
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

describe("the kubevip example stack under mocks", () => {
  let result: SynthResult & { log: string[] };
  beforeAll(async () => {
    result = await synthVariant("kubevip");
  });

  test("registers kube-vip, MetalLB and the Talos push, and nothing else (kube-vip travels in the Talos patch)", () => {
    expect(result.resources.map((r) => [r.type, r.name, r.parent]).sort()).toEqual(
      [
        ["pulumi:pulumi:Stack", "talos-endpoints-kubevip", null],
        ["talos-endpoints:index:KubeVipEndpoint", "control-plane", "talos-endpoints-kubevip"],
        ["talos-endpoints:index:MetalLbServices", "services", "talos-endpoints-kubevip"],
        ["talos-endpoints:index:TalosConfigPush", "talos-config", "talos-endpoints-kubevip"],
        ["command:local:Command", "talos-config-cp-01", "talos-config"],
        ["command:local:Command", "talos-config-cp-02", "talos-config"],
        ["command:local:Command", "talos-config-cp-03", "talos-config"],
      ].sort(),
    );
  });

  test("outputs: the VIP as endpoint, the physical control planes for talosctl, kube-vip's class, the guards' advice", () => {
    expect(result.outputs).toMatchObject({
      platform: "kubevip",
      endpoint: "192.168.30.30",
      kubernetesApiUrl: "https://192.168.30.30:6443",
      talosApiEndpoints: ["192.168.30.31", "192.168.30.32", "192.168.30.33"],
      kubeVipLoadBalancerClass: "kube-vip.io/kube-vip-class",
      servicesEndpoint: "192.168.40.10",
    });
    expect((result.outputs.loadBalancerAdvice as string[])[0]).toMatch(/^talos-endpoints:kubeVip\.mode: .*externalTrafficPolicy: Local/);
  });

  test("files/kube-vip/manifests.yaml: ARP, IPVS, class only; every object decodes strictly into Kubernetes 1.36's types", () => {
    const yaml = result.files["kube-vip/manifests.yaml"];
    expect(checkK8sObjects(yaml)).toEqual({ ok: true, output: "ok: 4 documents" });
    const ds = parseAllDocuments(yaml)
      .map((d) => d.toJS())
      .find((o) => o.kind === "DaemonSet");
    const env = Object.fromEntries(ds.spec.template.spec.containers[0].env.map((e: { name: string; value?: string }) => [e.name, e.value]));
    expect(env).toMatchObject({
      address: "192.168.30.30",
      vip_interface: "eth0",
      vip_arp: "true",
      lb_enable: "true",
      lb_fwdmethod: "local",
      svc_enable: "true",
      lb_class_only: "true",
      KUBERNETES_SERVICE_HOST: "localhost",
      KUBERNETES_SERVICE_PORT: "7445",
    });
  });

  test("every node's Talos patch carries kube-vip's and MetalLB's inline manifests beside the endpoint, and Talos 1.12's schema accepts it", () => {
    const validate = talosSchemaValidator("1.12");
    for (const node of ["cp-01", "cp-02", "cp-03"]) {
      const docs = parseAllDocuments(result.files[`talos/${node}.yaml`]).map((d) => d.toJS());
      expect(docs[0].cluster.controlPlane.endpoint).toBe("https://192.168.30.30:6443");
      const inline = docs.flatMap((d) => d?.cluster?.inlineManifests ?? []);
      expect(inline.map((m: { name: string }) => m.name)).toEqual(["kube-vip", "metallb-config"]);
      expect(checkK8sObjects(inline[0].contents).ok).toBe(true);
      for (const doc of docs) {
        const full = {
          version: "v1alpha1",
          machine: { type: "controlplane", ...(doc.machine ?? {}) },
          cluster: { clusterName: "lab", controlPlane: { endpoint: "https://192.168.30.30:6443" }, ...(doc.cluster ?? {}) },
        };
        expect(validate(full)).toEqual([]);
      }
    }
  });

  test("MetalLB's objects validate against its CRDs (BGP mode, no class: it serves the Services without one)", () => {
    const validate = metallbValidator(true);
    const objects = parseAllDocuments(result.files["metallb/manifests.yaml"]).map((d) => d.toJS());
    for (const obj of objects.filter((o) => o.apiVersion.startsWith("metallb.io/"))) expect(validate(obj)).toEqual([]);
    expect(objects.map((o) => o.kind)).toContain("BGPPeer");
  });
});

describe("the stack's guards", () => {
  test("MetalLB and kube-vip Services without classes: `npm run synth` exits non-zero naming both fields and the fix", () => {
    const dir = stackVariant("kubevip");
    const file = path.join(dir, "Pulumi.kubevip.yaml");
    fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace("classOnly: true", "classOnly: false"));
    const { status, out } = runSynth(dir, "kubevip");
    expect(status).toBe(1);
    expect(out).toContain(
      "synth failed: talos-endpoints:metallb.loadBalancerClass: (not set) conflicts with talos-endpoints:kubeVip.services.classOnly (false): " +
        "MetalLB and kube-vip Services would both take every LoadBalancer Service without spec.loadBalancerClass",
    );
    expect(out).toContain("Fix: give one of them a class of its own");
    expect(fs.existsSync(path.join(dir, "out"))).toBe(false);
  });

  test("the shipped stack passes the same command", () => {
    const { status, out } = runSynth(stackVariant("kubevip"), "kubevip");
    expect([status, out]).toEqual([0, expect.stringContaining("synth: wrote")]);
  });

  test.each<[string, Record<string, unknown>, Record<string, unknown>, RegExp]>([
    [
      "kube-vip's IPVS load balancer with kube-proxy in IPVS mode",
      { kubeProxyMode: "ipvs" },
      { kubeProxyMode: "ipvs" },
      /^talos-endpoints:kubeVip\.loadBalancer\.enabled: true conflicts with talos-endpoints:kubeVip\.kubeProxyMode \("ipvs"\).*kube-vip#745/,
    ],
    [
      "the VIP inside MetalLB's pool",
      bgpKubeVip("192.168.40.40", "192.168.30.254"),
      {},
      /^talos-endpoints:kubeVip\.vip: "192\.168\.40\.40" lies inside the Service pool talos-endpoints:metallb\.pools\[1\]\.addresses\[0\] \(192\.168\.40\.32\/27\)/,
    ],
    [
      "kube-vip BGP and MetalLB BGP on the control planes towards the same router",
      bgpKubeVip("192.168.50.1", "192.168.30.1"),
      {},
      /^talos-endpoints:metallb\.bgpPeers\[0\]: \["192\.168\.30\.1"\] conflicts with talos-endpoints:kubeVip\.bgp\.peers \(\["192\.168\.30\.1"\]\): metallb and kube-vip would both open a BGP session from node cp-01/,
    ],
  ])("refused before any resource: %s", async (_name, kubeVip, metallb, message) => {
    const base = kubeVipStack();
    await expect(
      synthVariant("kubevip", { kubeVip: { ...base.kubeVip, ...kubeVip }, metallb: { ...base.metallb, ...metallb } }),
    ).rejects.toThrow(message);
  });

  test("kubePrismEnabled: false is refused on the kubevip platform (kube-vip reaches the API only through KubePrism)", async () => {
    await expect(synthVariant("kubevip", { kubePrismEnabled: false })).rejects.toThrow(
      'talos-endpoints:kubePrismEnabled: false must not be false on platform "kubevip"',
    );
  });

  test("the fixed configurations are accepted: MetalLB's BGP peers on the workers only beside kube-vip BGP", async () => {
    const base = kubeVipStack();
    const result = await synthVariant("kubevip", {
      kubeVip: {
        ...base.kubeVip,
        ...bgpKubeVip("192.168.50.1", "192.168.30.1"),
      },
      metallb: {
        ...base.metallb,
        bgpPeers: (base.metallb.bgpPeers ?? []).map((p) => ({
          ...p,
          nodeSelectors: [{ matchExpressions: [{ key: "node-role.kubernetes.io/control-plane", operator: "DoesNotExist" }] }],
        })),
      },
    });
    expect(result.outputs.endpoint).toBe("192.168.50.1");
  });

  test("BGP mode with kubeVipBgpPassword: the patches are secret (synth writes a notice), the manifests are not and hold no password", async () => {
    const base = kubeVipStack();
    const result = await synthVariant("kubevip", {
      kubeVip: {
        ...base.kubeVip,
        ...bgpKubeVip("192.168.50.1", "192.168.30.254"),
      },
      kubeVipBgpPassword: "not-so-secret",
    });
    expect(result.files["talos/cp-01.yaml"]).toMatch(/^# \[secret\]/);
    const manifests = result.files["kube-vip/manifests.yaml"];
    expect(manifests).not.toContain("not-so-secret");
    expect(manifests).toContain("secretKeyRef");
    expect(JSON.stringify(result.resources)).not.toContain("not-so-secret");
  });

  test("kube-proxy modes that disagree between kube-vip and MetalLB are refused naming both keys", async () => {
    const base = kubeVipStack();
    await expect(synthVariant("kubevip", { metallb: { ...base.metallb, kubeProxyMode: "nftables" } })).rejects.toThrow(
      'talos-endpoints:metallb.kubeProxyMode: "nftables" differs from talos-endpoints:kubeVip.kubeProxyMode ("iptables")',
    );
  });
});

describe("the stack config", () => {
  test("kubeVip is required with platform kubevip, and keys of other platforms are refused", () => {
    expect(() => readVariantConfig("kubevip", { kubeVip: undefined })).toThrow(
      'talos-endpoints:kubeVip: (not set) is required: platform "kubevip" needs it',
    );
    expect(() => readVariantConfig("kubevip", { vip: "192.168.30.30" })).toThrow(
      'talos-endpoints:vip: "192.168.30.30" is read only with platforms "proxmox" and "talosvip", not with platform "kubevip" (the kube-vip VIP is kubeVip.vip): remove it',
    );
    const base = kubeVipStack();
    expect(() => readVariantConfig("kubevip", { kubeVip: { ...base.kubeVip, mode: "l2" } })).toThrow(
      'talos-endpoints:kubeVip.mode: "l2" must be one of arp, bgp (platform "kubevip")',
    );
    expect(() => readVariantConfig("kubevip", { kubeVip: { ...base.kubeVip, leaseDuration: 15 } })).toThrow(
      /^talos-endpoints:kubeVip\.leaseDuration: 15 is not a field of talos-endpoints:kubeVip/,
    );
  });

  test("bad kube-vip values reach the component and are refused with its field names", async () => {
    const base = kubeVipStack();
    await expect(synthVariant("kubevip", { kubeVip: { ...base.kubeVip, vip: "192.168.40.30" } })).rejects.toThrow(
      'vip: "192.168.40.30" is outside the subnet 192.168.30.0/24 of controlPlanes[0] (cp-01)',
    );
    await expect(synthVariant("kubevip", { kubeVip: { ...base.kubeVip, renewDeadlineSeconds: 15 } })).rejects.toThrow(
      "renewDeadlineSeconds: 15 must be less than leaseDurationSeconds (15)",
    );
  });
});
