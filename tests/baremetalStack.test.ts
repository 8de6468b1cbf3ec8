import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseAllDocuments } from "yaml";
import { SynthResult } from "../examples/stack/synth";
import { metallbValidator } from "./helpers/metallbSchema";
import { talosSchemaValidator } from "./helpers/reference";
import { runWithBindMounts } from "./helpers/mountNamespace";
import { readVariantConfig, removeVariants, synthVariant } from "./helpers/stacks";

function bin(name: string): string {
  return fs.existsSync(`/usr/sbin/${name}`) ? `/usr/sbin/${name}` : name;
}

afterAll(removeVariants);

describe("the baremetal example stack under mocks", () => {
  let result: SynthResult;
  beforeAll(async () => {
    result = await synthVariant("baremetal");
  });

  test("files/metallb/manifests.yaml: every object validates against MetalLB 0.16.1's CRD schemas, unknown fields refused", () => {
    const validate = metallbValidator(true);
    const objects = parseAllDocuments(result.files["metallb/manifests.yaml"]).map((d) => d.toJS());
    expect(objects.length).toBeGreaterThan(2);
    for (const obj of objects.filter((o) => o.apiVersion.startsWith("metallb.io/"))) expect(validate(obj)).toEqual([]);
  });

  test("registers exactly these resources: two SSH pushes (equal priorities: in the order given), MetalLB, the Talos push after the load balancers", () => {
    expect(result.resources.map((r) => [r.type, r.name, r.parent]).sort()).toEqual(
      [
        ["pulumi:pulumi:Stack", "talos-endpoints-baremetal", null],
        ["talos-endpoints:index:HaproxyKeepalivedEndpoint", "control-plane", "talos-endpoints-baremetal"],
        ["command:remote:Command", "control-plane-lb-02", "control-plane"],
        ["command:remote:Command", "control-plane-lb-01", "control-plane"],
        ["talos-endpoints:index:MetalLbServices", "services", "talos-endpoints-baremetal"],
        ["talos-endpoints:index:TalosConfigPush", "talos-config", "talos-endpoints-baremetal"],
        ["command:local:Command", "talos-config-cp-01", "talos-config"],
        ["command:local:Command", "talos-config-cp-02", "talos-config"],
        ["command:local:Command", "talos-config-cp-03", "talos-config"],
      ].sort(),
    );
    const deps = Object.fromEntries(result.resources.map((r) => [r.name, r.dependsOn]));
    expect(deps["control-plane-lb-02"]).toEqual(["control-plane-lb-01"]);
    expect(deps["talos-config-cp-01"]).toEqual(expect.arrayContaining(["control-plane-lb-01", "control-plane-lb-02"]));
  });

  test("writes every file the push installs per host: haproxy.cfg, keepalived.conf and its check script; the haproxy.cfg passes haproxy -c with no warning", () => {
    const script = expect.stringMatching(/^talos-endpoints-check-[0-9a-f]{12}\.sh$/);
    const written = Object.keys(result.files).filter((f) => /^(haproxy|keepalived)\//.test(f));
    expect(written.filter((f) => !f.includes("/talos-endpoints-check-")).sort()).toEqual([
      "haproxy/lb-01.cfg",
      "haproxy/lb-02.cfg",
      "keepalived/lb-01.conf",
      "keepalived/lb-02.conf",
    ]);
    for (const host of ["lb-01", "lb-02"]) {
      const scripts = written.filter((f) => f.startsWith(`keepalived/${host}/`));
      expect(scripts.map((f) => f.slice(`keepalived/${host}/`.length))).toEqual([script]);
    }
    expect(written).toHaveLength(6);
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "haproxy-check-"));
    fs.writeFileSync(path.join(tmp, "haproxy.cfg"), result.files["haproxy/lb-01.cfg"]);
    const check = spawnSync("haproxy", ["-dW", "-c", "-f", path.join(tmp, "haproxy.cfg")], { encoding: "utf8" });
    fs.rmSync(tmp, { recursive: true, force: true });
    expect(check.stderr + check.stdout).not.toMatch(/WARNING|ALERT/);
    expect(check.status).toBe(0);
    expect(result.files["keepalived/lb-01.conf"]).toMatch(/virtual_ipaddress \{\s+192\.168\.30\.30\/24 dev eth0/);
    expect(result.files["keepalived/lb-02.conf"]).toMatch(/unicast_src_ip 192\.168\.30\.22/);
  });

  test.each(["lb-01", "lb-02"])(
    "keepalived -t accepts %s's keepalived.conf exactly as synth wrote it, with synth's check script where the conf names it (/etc/keepalived)",
    (host) => {
      const conf = path.join(result.outDir, "files", "keepalived", `${host}.conf`);
      const scriptDir = path.join(result.outDir, "files", "keepalived", host);
      const [script] = fs.readdirSync(scriptDir);
      // the one path keepalived.conf runs is the file synth wrote beside it
      const referenced = [...fs.readFileSync(conf, "utf8").matchAll(/^\s*(?:script|notify) "([^" ]+) [a-z-]+"$/gm)].map((m) => m[1]);
      expect(new Set(referenced)).toEqual(new Set([`/etc/keepalived/${script}`]));
      expect(referenced).toHaveLength(3); // serve, kubernetes-api, notify
      // as the push installs it: executable (0755), in a directory only root can write
      fs.chmodSync(path.join(scriptDir, script), 0o755);
      fs.chmodSync(scriptDir, 0o755);
      const r = runWithBindMounts({ "/etc/keepalived": scriptDir }, [bin("keepalived"), "-t", "-f", conf]);
      expect(`${r.stdout}${r.stderr}`.trim()).toBe("");
      expect(r.status).toBe(0);
      // ... and the same run fails without the script (so the assertion above can fail)
      const empty = fs.mkdtempSync(path.join(os.tmpdir(), "keepalived-empty-"));
      try {
        const without = runWithBindMounts({ "/etc/keepalived": empty }, [bin("keepalived"), "-t", "-f", conf]);
        expect(without.status).not.toBe(0);
        expect(`${without.stdout}${without.stderr}`).toContain("track script chk_haproxy since not found");
      } finally {
        fs.rmSync(empty, { recursive: true, force: true });
      }
    },
  );

  test("the VIP flows into every Talos patch (endpoint and certSANs), and the patches validate for Talos 1.11", () => {
    const validate = talosSchemaValidator("1.11");
    for (const node of ["cp-01", "cp-02", "cp-03"]) {
      const [doc, sans] = parseAllDocuments(result.files[`talos/${node}.yaml`]).map((d) => d.toJS());
      expect(doc.cluster.controlPlane.endpoint).toBe("https://192.168.30.30:6443");
      // certSANs: a separate part, sent with only the names the node lacks
      expect(sans).toEqual({ machine: { certSANs: ["192.168.30.30"] }, cluster: { apiServer: { certSANs: ["192.168.30.30"] } } });
      expect(doc.machine.network).toBeUndefined(); // the VIP lives on the load balancers, not the nodes
      expect(doc.machine.nodeLabels).toBeUndefined(); // workers run the Services: the exclude label stays
      expect(validate(doc)).toEqual([]);
    }
  });

  test("MetalLB in BGP mode: pools clear of the VIP and hosts, a BGPPeer and BGPAdvertisement", () => {
    const objects = parseAllDocuments(result.files["metallb/manifests.yaml"]).map((d) => d.toJS());
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      "Namespace/metallb-system",
      "IPAddressPool/ingress",
      "IPAddressPool/services",
      "BGPPeer/tor-1",
      "BGPAdvertisement/bgp",
    ]);
    expect(result.outputs.servicesEndpoint).toBe("192.168.40.10");
  });
});

test("a MetalLB pool over the load-balancer VIP stops synth with the field named", async () => {
  await expect(
    synthVariant("baremetal", {
      metallb: {
        mode: "l2",
        delivery: "talos-inline",
        workerCount: 3,
        pools: [{ name: "oops", addresses: ["192.168.30.25-192.168.30.30"] }],
      },
    }),
  ).rejects.toThrow(
    /^pools\[0\]\.addresses\[0\]: "192\.168\.30\.25-192\.168\.30\.30" contains the control-plane VIP controlPlaneVip \(192\.168\.30\.30\)/,
  );
});

test("dns-round-robin: no load-balancer resources, the records and the warning as outputs", async () => {
  const result = await synthVariant("baremetal", {
    loadBalancer: { mode: "dns-round-robin", dnsName: "api.lab.example.org" },
    metallb: undefined,
  });
  expect(result.resources.filter((r) => r.type === "command:remote:Command")).toEqual([]);
  expect(result.outputs.endpoint).toBe("api.lab.example.org");
  expect((result.outputs.dnsRecords as unknown[]).length).toBe(3);
  expect((result.outputs.warnings as string[])[0]).toContain("no health checking");
});

describe("the baremetal stack config (a union on platform: keys of other platforms refused)", () => {
  test("reads the example as a BaremetalStackConfig: the load balancer with its hosts, the SSH key a secret", () => {
    const cfg = readVariantConfig("baremetal");
    if (cfg.platform !== "baremetal") throw new Error(`platform ${cfg.platform}`);
    expect(cfg.loadBalancer).toMatchObject({ mode: "ha-pair", vip: "192.168.30.30/24", virtualRouterId: 51 });
    expect(cfg.loadBalancer.hosts?.map((h) => [h.name, h.priority])).toEqual([
      ["lb-01", undefined],
      ["lb-02", undefined],
    ]);
    expect(cfg.vrrpAuthPass).toBeUndefined();
    expect(cfg).not.toHaveProperty("vip");
  });

  test("a missing loadBalancer stops synth naming the key and the platform", async () => {
    await expect(synthVariant("baremetal", { loadBalancer: undefined })).rejects.toThrow(
      'talos-endpoints:loadBalancer: (not set) is required: platform "baremetal" needs it',
    );
  });

  test("a missing SSH key secret says how to set it; a host without address is named with its index", () => {
    expect(() => readVariantConfig("baremetal", {}, ["lbSshPrivateKey"])).toThrow(
      'talos-endpoints:lbSshPrivateKey: (not set) is required: platform "baremetal" needs it; set it with `pulumi config set --secret talos-endpoints:lbSshPrivateKey ...`',
    );
    expect(() => readVariantConfig("baremetal", { loadBalancer: { mode: "single-haproxy", hosts: [{ name: "lb-01" }] } })).toThrow(
      'talos-endpoints:loadBalancer.hosts[0].address: (not set) is required: platform "baremetal" needs it',
    );
  });

  test("an unknown load-balancer mode is refused with the config key", () => {
    expect(() => readVariantConfig("baremetal", { loadBalancer: { mode: "anycast" } })).toThrow(
      'talos-endpoints:loadBalancer.mode: "anycast" must be one of ha-pair, single-haproxy, dns-round-robin (platform "baremetal")',
    );
  });

  test.each([
    [
      { vip: "192.168.30.30" },
      'talos-endpoints:vip: "192.168.30.30" is read only with platforms "proxmox" and "talosvip", not with platform "baremetal" (the bare-metal VIP is loadBalancer.vip): remove it',
    ],
    [{ workers: [] }, 'talos-endpoints:workers: [] is read only with platform "aws", not with platform "baremetal": remove it'],
    [
      { proxmoxApiToken: { secure: "AAAA" } },
      'talos-endpoints:proxmoxApiToken: "[secret]" is read only with platform "proxmox", not with platform "baremetal": remove it',
    ],
    [
      { controlPlanes: [{ name: "cp-01", address: "192.168.30.31/24", instanceId: "i-0a" }] },
      'talos-endpoints:controlPlanes[0].instanceId: "i-0a" is read only with platform "aws", not with platform "baremetal": remove it',
    ],
  ])("a key or field of another platform is refused, not ignored: %j", (changes, message) => {
    expect(() => readVariantConfig("baremetal", changes)).toThrow(message);
  });

  test("the top-level vip stops synth too (it would have been ignored)", async () => {
    await expect(synthVariant("baremetal", { vip: "192.168.30.30" })).rejects.toThrow(
      /\(the bare-metal VIP is loadBalancer\.vip\): remove it$/,
    );
  });
});
