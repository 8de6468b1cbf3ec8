import * as pulumi from "@pulumi/pulumi";
import { HaproxyKeepalivedEndpoint, HaproxyKeepalivedEndpointArgs } from "../src/components/HaproxyKeepalivedEndpoint";
import { planHaproxyKeepalived } from "../src/render/haproxyKeepalived/plan";
import { installMocks, MockRecorder } from "../examples/stack/mockRuntime";
import { TalosConfigPush } from "../src/components/TalosConfigPush";
import { valueOf } from "./helpers/outputs";

const KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\nTEST-KEY-MATERIAL\n-----END OPENSSH PRIVATE KEY-----\n";
const controlPlanes = [
  { name: "cp-01", address: "192.168.30.31/24" },
  { name: "cp-02", address: "192.168.30.32/24" },
  { name: "cp-03", address: "192.168.30.33/24" },
];
const haPair: HaproxyKeepalivedEndpointArgs = {
  talosVersion: "1.11",
  controlPlanes,
  loadBalancers: [
    { name: "lb-01", address: "192.168.30.21/24", priority: 250, ssh: { privateKey: KEY } },
    { name: "lb-02", address: "192.168.30.22/24", priority: 240, ssh: { privateKey: KEY, user: "ops", port: 2222 } },
  ],
  vip: "192.168.30.30/24",
  vrrpInterface: "eth0",
};

let rec: MockRecorder;
beforeEach(async () => {
  rec = await installMocks("talos-endpoints", "test");
});

describe("ha-pair", () => {
  test("one SSH push per host, BACKUP (lower priority) first, the script on stdin as a secret", async () => {
    const lb = new HaproxyKeepalivedEndpoint("lb", haPair);
    expect(await valueOf(lb.endpoint)).toBe("192.168.30.30");
    const resources = await rec.settle();
    expect(resources.map((r) => [r.type, r.name, r.parent, r.dependsOn])).toEqual([
      ["talos-endpoints:index:HaproxyKeepalivedEndpoint", "lb", null, []],
      ["command:remote:Command", "lb-lb-02", "lb", []],
      ["command:remote:Command", "lb-lb-01", "lb", ["lb-lb-02"]],
    ]);
    const [, second, first] = resources;
    // @pulumi/command lifts the connection into one Output, secret as a whole since it holds the key.
    expect(second.inputs.connection).toBe("[secret]");
    expect(first.inputs.connection).toBe("[secret]");
    expect(second.inputs.create).toBe("sudo -n bash -s");
    expect(first.inputs.create).toBe("bash -s");
    for (const push of [first, second]) {
      expect(push.inputs.stdin).toBe("[secret]");
      expect(push.inputs.create).not.toContain("haproxy");
      expect((push.inputs.triggers as string[])[0]).toMatch(/^[0-9a-f]{64}$/);
    }
    expect(first.inputs.triggers).not.toEqual(second.inputs.triggers);
  });

  test("outputs: the VIP contract, the same haproxy.cfg for both hosts, one keepalived.conf each", async () => {
    const lb = new HaproxyKeepalivedEndpoint("lb", haPair);
    expect(await valueOf(lb.kubernetesApiUrl)).toBe("https://192.168.30.30:6443");
    expect(await valueOf(lb.talosApiEndpoints)).toEqual(["192.168.30.31", "192.168.30.32", "192.168.30.33"]);
    const haproxy = await valueOf(lb.haproxyConfigs);
    expect(Object.keys(haproxy).sort()).toEqual(["lb-01", "lb-02"]);
    expect(haproxy["lb-01"]).toBe(haproxy["lb-02"]);
    expect(haproxy["lb-01"]).toContain("192.168.30.33:6443");
    expect(haproxy["lb-01"]).toMatch(/http-check expect status 401/);
    const keepalived = await valueOf(lb.keepalivedConfigs);
    expect(keepalived["lb-01"]).toMatch(/priority 250/);
    expect(keepalived["lb-02"]).toMatch(/priority 240/);
    expect(keepalived["lb-01"]).toMatch(/unicast_peer \{\s+192\.168\.30\.22\s+\}/);
    expect(await valueOf(lb.dnsRecords)).toEqual([]);
    await rec.settle();
  });

  test("the endpoint flows into the talosctl push: cluster endpoint and certSANs are the VIP", async () => {
    const lb = new HaproxyKeepalivedEndpoint("lb", haPair);
    const push = new TalosConfigPush("talos", { talosVersion: "1.11", controlPlanes, endpoint: lb.endpoint, talosconfig: "x" });
    const patch = (await valueOf(push.patches))["cp-01"];
    expect(patch).toContain("endpoint: https://192.168.30.30:6443");
    expect(patch).toMatch(/certSANs:\n\s+- 192\.168\.30\.30/);
    expect(patch).not.toContain("vip:");
    await rec.settle();
  });

  test("a VRRP password (VRRPv2) stays in the secret stdin: outputs show a mask, the trigger does not depend on it", async () => {
    const v2 = { ...haPair, tuning: { keepalived: { vrrpVersion: 2 as const, advertIntervalMs: 1000 } } };
    const lb = new HaproxyKeepalivedEndpoint("lb", { ...v2, vrrpAuthPass: pulumi.secret("s3cr#t!") });
    new HaproxyKeepalivedEndpoint("lb2", { ...v2, vrrpAuthPass: pulumi.secret("differen") });
    expect(await pulumi.isSecret(lb.endpoint)).toBe(false);
    expect(await pulumi.isSecret(lb.keepalivedConfigs)).toBe(false);
    const conf = (await valueOf(lb.keepalivedConfigs))["lb-01"];
    expect(conf).toContain('auth_pass "********"');
    expect(conf).not.toContain("s3cr");
    const resources = await rec.settle();
    const push = (name: string) => resources.find((r) => r.name === name)!;
    expect(push("lb-lb-01").inputs.stdin).toBe("[secret]");
    expect(push("lb-lb-01").inputs.triggers).toEqual(push("lb2-lb-01").inputs.triggers);
    expect(JSON.stringify(resources)).not.toContain("s3cr");
  });

  test("the real script, with the password quoted so keepalived keeps # and !, passes keepalived's parser on the host side", async () => {
    const plan = planHaproxyKeepalived({
      talosVersion: "1.11",
      controlPlanes,
      loadBalancers: haPair.loadBalancers!.map(({ name, address, priority }) => ({
        name,
        address: address as string,
        priority: priority as number,
      })),
      vip: "192.168.30.30/24",
      vrrpInterface: "eth0",
      vrrpAuthPassSet: true,
      tuning: { keepalived: { vrrpVersion: 2, advertIntervalMs: 1000 } },
    });
    const keepalivedOf = (script: string) => Buffer.from(/stage keepalived_new \S+ 0600 '([^']+)'/.exec(script)![1], "base64").toString();
    expect(keepalivedOf(plan.hosts["lb-01"].scriptWith("s3cr#t!"))).toContain('auth_pass "s3cr#t!"');
    // the public script (whose hash is the trigger) carries only the mask
    expect(keepalivedOf(plan.hosts["lb-01"].script)).toContain('auth_pass "********"');
    expect(keepalivedOf(plan.hosts["lb-01"].script)).not.toContain("s3cr");
    await rec.settle();
  });

  const bad: [string, Partial<HaproxyKeepalivedEndpointArgs>, string][] = [
    [
      "one host",
      { loadBalancers: haPair.loadBalancers!.slice(0, 1) },
      'loadBalancers: ["lb-01"] must list at least 2 hosts in ha-pair mode',
    ],
    ["VIP equal to a host", { vip: "192.168.30.21/24" }, "vip"],
    ["VIP equal to a node", { vip: "192.168.30.31/24" }, 'vip: "192.168.30.31/24" equals the address of controlPlanes[0] (cp-01)'],
    [
      "host equal to a node",
      { loadBalancers: [{ ...haPair.loadBalancers![0], address: "192.168.30.33/24" }, haPair.loadBalancers![1]] },
      'loadBalancers[0].address: "192.168.30.33/24" equals the address of controlPlanes[2] (cp-03)',
    ],
    ["duplicate priorities", { loadBalancers: [haPair.loadBalancers![0], { ...haPair.loadBalancers![1], priority: 250 }] }, "priority"],
    ["virtual_router_id 0", { virtualRouterId: 0 }, "virtualRouterId: 0"],
    ["virtual_router_id 256", { virtualRouterId: 256 }, "virtualRouterId: 256"],
    ["no VIP", { vip: undefined }, "vip: (not set) must be set in ha-pair mode"],
    [
      "no SSH key",
      { loadBalancers: [{ name: "lb-01", address: "192.168.30.21/24" }, haPair.loadBalancers![1]] },
      "loadBalancers[0].ssh.privateKey: (not set) must be set",
    ],
    ["unknown mode", { mode: "anycast" as never }, 'mode: "anycast" must be one of ha-pair, single-haproxy, dns-round-robin'],
    ["unknown profile", { tuningProfile: "turbo" as never }, 'tuningProfile: "turbo" must be one of default, fast'],
    ["empty control planes", { controlPlanes: [] }, "controlPlanes: [] must list at least one control-plane node"],
    ["unsupported Talos", { talosVersion: "1.8" }, 'talosVersion: "1.8"'],
    ["a VRRP password with VRRPv3", { vrrpAuthPass: "pw" }, 'vrrpAuthPass: "(secret)" cannot be used with VRRPv3'],
    // The renderer's own names (hosts[i], interface) never reach the user: the component's fields do.
    ["a bad VRRP interface", { vrrpInterface: "eth 0" }, 'vrrpInterface: "eth 0" must be'],
    [
      "two hosts with one priority",
      {
        loadBalancers: [
          { name: "lb-01", address: "192.168.30.21/24", priority: 200, ssh: { privateKey: KEY } },
          { name: "lb-02", address: "192.168.30.22/24", priority: 200, ssh: { privateKey: KEY } },
        ],
      },
      "loadBalancers[1].priority: 200",
    ],
    [
      "a VRRP password with a quote",
      { vrrpAuthPass: 'p"w', tuning: { keepalived: { vrrpVersion: 2, advertIntervalMs: 1000 } } },
      'vrrpAuthPass: "(secret)" must be 1 to 8 printable ASCII characters',
    ],
    [
      "VRRPv2 with an IPv6 VIP",
      {
        loadBalancers: [
          { name: "lb-01", address: "fd00::21/64", ssh: { privateKey: KEY } },
          { name: "lb-02", address: "fd00::22/64", ssh: { privateKey: KEY } },
        ],
        vip: "fd00::30/64",
        tuning: { keepalived: { vrrpVersion: 2, advertIntervalMs: 1000 } },
      },
      "tuning.keepalived.vrrpVersion: 2 cannot carry an IPv6 VIP",
    ],
  ];
  test.each(bad)("rejects %s before any resource is registered", async (_label, override, message) => {
    expect(() => new HaproxyKeepalivedEndpoint("lb", { ...haPair, ...override })).toThrow(message);
    expect(await rec.settle()).toEqual([]);
  });
});

describe("dns-round-robin", () => {
  const dns: HaproxyKeepalivedEndpointArgs = {
    mode: "dns-round-robin",
    talosVersion: "1.12",
    controlPlanes,
    dnsName: "api.lab.example.org",
  };

  test("no children; the records to create and a no-health-check warning", async () => {
    const warn = jest.spyOn(pulumi.log, "warn").mockImplementation(() => Promise.resolve());
    const lb = new HaproxyKeepalivedEndpoint("lb", dns);
    expect(await valueOf(lb.endpoint)).toBe("api.lab.example.org");
    expect(await valueOf(lb.dnsRecords)).toEqual(
      ["31", "32", "33"].map((n) => ({ name: "api.lab.example.org", type: "A", value: `192.168.30.${n}`, ttl: 30 })),
    );
    const warnings = await valueOf(lb.warnings);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain("has no health checking");
    expect((await rec.settle()).map((r) => r.name)).toEqual(["lb"]);
    expect(warn).toHaveBeenCalledWith(warnings[0], lb);
    warn.mockRestore();
  });

  test.each([
    [{ dnsName: "192.168.30.30" }, 'dnsName: "192.168.30.30" must be a DNS name, not an IP address'],
    [{ dnsTtl: 0 }, "dnsTtl: 0 must be whole seconds from 1 to 86400"],
    [{ loadBalancers: haPair.loadBalancers }, "must be empty in dns-round-robin mode"],
  ])("rejects %o", async (override, message) => {
    expect(() => new HaproxyKeepalivedEndpoint("lb", { ...dns, ...override })).toThrow(message);
    expect(await rec.settle()).toEqual([]);
  });
});

test("an IPv6 VIP makes HAProxy listen on IPv6 as well, and the config passes haproxy -c", async () => {
  const { spawnSync } = await import("child_process");
  const fs = await import("fs");
  const os = await import("os");
  const path = await import("path");
  const v6 = {
    ...haPair,
    controlPlanes: [{ name: "cp-01", address: "fd00:30::31/64" }],
    loadBalancers: [
      { name: "lb-01", address: "fd00:30::21/64", ssh: { privateKey: KEY } },
      { name: "lb-02", address: "fd00:30::22/64", ssh: { privateKey: KEY } },
    ],
    vip: "fd00:30::30/64",
  };
  const lb = new HaproxyKeepalivedEndpoint("lb", v6);
  const cfg = (await valueOf(lb.haproxyConfigs))["lb-01"];
  expect(cfg).toContain("    bind *:6443\n    bind :::6443 v6only\n");
  expect(cfg).toContain("    bind *:50000\n    bind :::50000 v6only\n");
  expect(await valueOf(lb.kubernetesApiUrl)).toBe("https://[fd00:30::30]:6443");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "haproxy-v6-"));
  fs.writeFileSync(path.join(dir, "haproxy.cfg"), cfg);
  const check = spawnSync("haproxy", ["-dW", "-c", "-f", path.join(dir, "haproxy.cfg")], { encoding: "utf8" });
  fs.rmSync(dir, { recursive: true, force: true });
  expect(check.status).toBe(0);
  // the IPv4 pair keeps its IPv4-only binds
  const v4 = new HaproxyKeepalivedEndpoint("lb4", haPair);
  expect((await valueOf(v4.haproxyConfigs))["lb-01"]).not.toContain(":::");
  await rec.settle();
});

describe("SSH connections that arrive as Promises or Outputs", () => {
  test("a Promise-valued ssh is accepted and used (pulumi.Input allows it)", async () => {
    const lb = new HaproxyKeepalivedEndpoint("lb", {
      ...haPair,
      loadBalancers: haPair.loadBalancers!.map((h) => ({ ...h, ssh: Promise.resolve({ privateKey: KEY, port: 2222 }) })),
    });
    expect(await valueOf(lb.endpoint)).toBe("192.168.30.30");
    const pushes = (await rec.settle()).filter((r) => r.type === "command:remote:Command");
    expect(pushes).toHaveLength(2);
    // The connection (secret as a whole: it holds the key) and the install command come from the resolved Promise.
    for (const p of pushes) {
      expect(p.inputs.connection).toBe("[secret]");
      expect(p.inputs.create).toBe("bash -s");
    }
  });

  // (A Promise without a key fails the same check when it resolves; that rejection is not
  // constructed here because rejected Outputs surface as unhandled rejections, which crash jest.)
});
