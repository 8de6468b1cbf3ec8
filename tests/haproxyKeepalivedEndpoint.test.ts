import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import {
  HaproxyKeepalivedEndpoint,
  HaproxyKeepalivedEndpointArgs,
  plannedFilePaths,
  SshConnectionArgs,
} from "../src/components/HaproxyKeepalivedEndpoint";
import { planHaproxyKeepalived } from "../src/render/haproxyKeepalived/plan";
import { installMocks, MockRecorder } from "../examples/stack/mockRuntime";
import { TalosConfigPush } from "../src/components/TalosConfigPush";
import { valueOf } from "./helpers/outputs";
import { makeCheckCerts } from "./helpers/checkCerts";

const KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\nTEST-KEY-MATERIAL\n-----END OPENSSH PRIVATE KEY-----\n";
/** The key as it should be passed: a Pulumi secret (a plain one logs a warning, tested below). */
const SECRET_KEY = pulumi.secret(KEY);
const controlPlanes = [
  { name: "cp-01", address: "192.168.30.31/24" },
  { name: "cp-02", address: "192.168.30.32/24" },
  { name: "cp-03", address: "192.168.30.33/24" },
];
const haPair: HaproxyKeepalivedEndpointArgs = {
  talosVersion: "1.11",
  controlPlanes,
  loadBalancers: [
    { name: "lb-01", address: "192.168.30.21/24", priority: 250, ssh: { privateKey: SECRET_KEY } },
    { name: "lb-02", address: "192.168.30.22/24", priority: 240, ssh: { privateKey: SECRET_KEY, user: "ops", port: 2222 } },
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
    const push = new TalosConfigPush("talos", {
      talosVersion: "1.11",
      controlPlanes,
      endpoint: lb.endpoint,
      talosconfig: "context: x\ncontexts:\n  x: {}\n",
    });
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

  test("kubernetesApiCheck: the client key stays in the secret stdin; files and configs are public and name the certificates; no warning then", async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "check-certs-"));
    try {
      const certs = makeCheckCerts(tmp);
      const lb = new HaproxyKeepalivedEndpoint("lb", {
        ...haPair,
        kubernetesApiCheck: { caCertificate: certs.caCert, clientCertificate: certs.clientCert, clientKey: pulumi.secret(certs.clientKey) },
      });
      const plainLb = new HaproxyKeepalivedEndpoint("plain", haPair);
      expect(await pulumi.isSecret(lb.files)).toBe(false);
      const files = (await valueOf(lb.files))["lb-01"];
      expect(files["/etc/haproxy/haproxy.cfg"]).toMatch(
        /verify required ca-file \/etc\/haproxy\/talos-endpoints-kubernetes-ca-[0-9a-f]{12}\.pem crt /,
      );
      expect(await valueOf(lb.warnings)).not.toEqual(expect.arrayContaining([expect.stringContaining("unauthenticated")]));
      expect(await valueOf(plainLb.warnings)).toEqual(
        expect.arrayContaining([expect.stringContaining("Kubernetes API check is unauthenticated")]),
      );
      const keyLine = certs.clientKey.split("\n")[1];
      const resources = await rec.settle();
      expect(resources.find((r) => r.name === "lb-lb-01")!.inputs.stdin).toBe("[secret]");
      expect(JSON.stringify(resources)).not.toContain(keyLine);
      expect(JSON.stringify(files)).not.toContain(keyLine);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  test("kubernetesApiCheck: a key that is not the certificate's is refused naming kubernetesApiCheck.clientKey, before any resource", async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "check-certs-"));
    try {
      const a = makeCheckCerts(tmp);
      const b = makeCheckCerts(fs.mkdtempSync(path.join(tmp, "b-")));
      expect(
        () =>
          new HaproxyKeepalivedEndpoint("lb", {
            ...haPair,
            kubernetesApiCheck: { caCertificate: a.caCert, clientCertificate: a.clientCert, clientKey: b.clientKey },
          }),
      ).toThrow('kubernetesApiCheck.clientKey: "(secret)" does not belong to clientCertificate');
      expect(await rec.settle()).toEqual([]);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
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
    [
      "priority 255",
      { loadBalancers: [haPair.loadBalancers![0], { ...haPair.loadBalancers![1], priority: 255 }] },
      "loadBalancers[1].priority: 255",
    ],
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
      "a check client certificate that is not PEM",
      { kubernetesApiCheck: { caCertificate: "x", clientCertificate: "y", clientKey: pulumi.secret("z") } },
      'kubernetesApiCheck.caCertificate: "(not shown)" must be a PEM certificate',
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
          { name: "lb-01", address: "fd00::21/64", ssh: { privateKey: SECRET_KEY } },
          { name: "lb-02", address: "fd00::22/64", ssh: { privateKey: SECRET_KEY } },
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
      { name: "lb-01", address: "fd00:30::21/64", ssh: { privateKey: SECRET_KEY } },
      { name: "lb-02", address: "fd00:30::22/64", ssh: { privateKey: SECRET_KEY } },
    ],
    vip: "fd00:30::30/64",
  };
  const lb = new HaproxyKeepalivedEndpoint("lb", v6);
  const cfg = (await valueOf(lb.haproxyConfigs))["lb-01"];
  expect(cfg).toContain("    bind *:6443 transparent\n    bind :::6443 v6only transparent\n");
  expect(cfg).toContain("    bind *:50000 transparent\n    bind :::50000 v6only transparent\n");
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
    // A plain key inside (a secret one would make the whole connection, install command included, secret).
    const warn = jest.spyOn(pulumi.log, "warn").mockImplementation(() => Promise.resolve());
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
    warn.mockRestore();
  });

  // (A Promise without a key fails the same check when it resolves; that rejection is not
  // constructed here because rejected Outputs surface as unhandled rejections, which crash jest.)
});

describe("SSH connection checks, before any resource when plain", () => {
  const withSsh = (ssh: Partial<SshConnectionArgs>): HaproxyKeepalivedEndpointArgs => ({
    ...haPair,
    loadBalancers: [haPair.loadBalancers![0], { ...haPair.loadBalancers![1], ssh: { privateKey: SECRET_KEY, ...ssh } }],
  });
  const bad: [string, Partial<SshConnectionArgs>, string][] = [
    ["an empty host", { host: "" }, 'loadBalancers[1].ssh.host: "" must be a host name or IP address to connect to'],
    [
      "a host with a scheme",
      { host: "ssh://lb-02" },
      'loadBalancers[1].ssh.host: "ssh://lb-02" must be a host name or IP address without a scheme',
    ],
    ["a host with a space", { host: "lb 02" }, 'loadBalancers[1].ssh.host: "lb 02" must be a host name or IP address without spaces'],
    ["a malformed IP", { host: "192.168.30.256" }, 'loadBalancers[1].ssh.host: "192.168.30.256" is not a valid IP address'],
    ["a host with a user", { host: "root@lb-02" }, 'loadBalancers[1].ssh.host: "root@lb-02" must be a host name'],
    ["a host with a port", { host: "lb-02:22" }, 'loadBalancers[1].ssh.host: "lb-02:22" must be a host name'],
    ["an address with prefix", { host: "192.168.30.22/24" }, 'loadBalancers[1].ssh.host: "192.168.30.22/24" must be a host name'],
    ["port 0", { port: 0 }, "loadBalancers[1].ssh.port: 0 must be a TCP port, an integer from 1 to 65535"],
    ["port 65536", { port: 65536 }, "loadBalancers[1].ssh.port: 65536 must be a TCP port, an integer from 1 to 65535"],
    ["a fractional port", { port: 22.5 }, "loadBalancers[1].ssh.port: 22.5 must be a TCP port"],
    ["a port as text", { port: "22" as never }, 'loadBalancers[1].ssh.port: "22" must be a TCP port'],
    ["an empty user", { user: "" }, 'loadBalancers[1].ssh.user: "" must be a Unix user name'],
    ["a user with a space", { user: "ops admin" }, 'loadBalancers[1].ssh.user: "ops admin" must be a Unix user name'],
    ["a user like an option", { user: "-oProxyCommand=x" }, 'loadBalancers[1].ssh.user: "-oProxyCommand=x" must be a Unix user name'],
    ["an empty key", { privateKey: "" }, "loadBalancers[1].ssh.privateKey: (not set) must be set"],
  ];
  test.each(bad)("rejects %s", async (_label, ssh, message) => {
    expect(() => new HaproxyKeepalivedEndpoint("lb", withSsh(ssh))).toThrow(message);
    expect(await rec.settle()).toEqual([]);
  });

  test("a key that is not text is refused without showing it", async () => {
    expect(() => new HaproxyKeepalivedEndpoint("lb", withSsh({ privateKey: 42 as never }))).toThrow(
      'loadBalancers[1].ssh.privateKey: "(secret)" must be the private key text',
    );
    expect(await rec.settle()).toEqual([]);
  });

  test.each([
    [{ host: "lb-02.example.org", user: "ops", port: 2222 }],
    [{ host: "fd00:30::22", user: "svc_deploy", port: 1 }],
    [{ host: "192.168.30.22", user: "ops@example.org", port: 65535 }],
    [{ host: "LB-02", user: "root" }],
  ])("accepts %j", async (ssh) => {
    new HaproxyKeepalivedEndpoint("lb", withSsh(ssh));
    const pushes = (await rec.settle()).filter((r) => r.type === "command:remote:Command");
    expect(pushes.map((p) => p.name).sort()).toEqual(["lb-lb-01", "lb-lb-02"]);
  });

  test("with a secret key only the key is secret: the install command stays readable", async () => {
    new HaproxyKeepalivedEndpoint("lb", withSsh({ user: "ops" }));
    const push = (await rec.settle()).find((r) => r.name === "lb-lb-02")!;
    expect(push.inputs.create).toBe("sudo -n bash -s");
    expect(push.inputs.connection).toBe("[secret]"); // @pulumi/command lifts the key's secrecy to the whole connection
  });
});

describe("SSH connections given as Outputs or Promises are checked when they resolve (in a child process: the rejection is the run's error)", () => {
  /**
   * Runs the component under Pulumi's mocks in a fresh process (a rejected Output would end jest's)
   * and reports the run's errors and the resources registered within 1 s.
   */
  function runChild(sshExpr: string): { errors: string[]; resources: string[] } {
    const code = `
      import * as pulumi from "@pulumi/pulumi";
      import { HaproxyKeepalivedEndpoint } from "./src/components/HaproxyKeepalivedEndpoint";
      const errors: string[] = [];
      const resources: string[] = [];
      process.on("unhandledRejection", (e) => void errors.push(String((e as Error)?.message ?? e)));
      (async () => {
        await pulumi.runtime.setMocks({
          newResource: (a) => (resources.push(a.name), { id: a.name + "-id", state: a.inputs }),
          call: (a) => a.inputs,
        }, "talos-endpoints", "test", false);
        const key = pulumi.secret("KEY");
        new HaproxyKeepalivedEndpoint("lb", {
          talosVersion: "1.11",
          controlPlanes: [{ name: "cp-01", address: "192.168.30.31/24" }],
          loadBalancers: [
            { name: "lb-01", address: "192.168.30.21/24", priority: 250, ssh: { privateKey: key } },
            { name: "lb-02", address: "192.168.30.22/24", priority: 240, ssh: ${sshExpr} },
          ],
          vip: "192.168.30.30/24",
          vrrpInterface: "eth0",
        });
        await new Promise((r) => setTimeout(r, 1000));
        console.log(JSON.stringify({ errors, resources }));
        process.exit(0);
      })();
    `;
    const repo = path.resolve(__dirname, "..");
    const r = spawnSync(path.join(repo, "node_modules", ".bin", "tsx"), ["-e", code], { cwd: repo, encoding: "utf8" });
    const last = r.stdout.trim().split("\n").pop() ?? "";
    if (!last.startsWith("{")) throw new Error(`child failed (${r.status}): ${r.stdout}${r.stderr}`);
    return JSON.parse(last) as { errors: string[]; resources: string[] };
  }

  test.each([
    ["the connection as an Output", "pulumi.output({ privateKey: key, port: 0 })", "loadBalancers[1].ssh.port: 0 must be a TCP port"],
    [
      "the connection as a Promise",
      'Promise.resolve({ privateKey: key, host: "ssh://lb-02" })',
      'loadBalancers[1].ssh.host: "ssh://lb-02" must be a host name or IP address without a scheme',
    ],
    [
      "a field as an Output",
      '{ privateKey: key, user: pulumi.output("ops admin") }',
      'loadBalancers[1].ssh.user: "ops admin" must be a Unix user name',
    ],
    [
      "the key as an empty Output",
      'pulumi.output({ privateKey: pulumi.secret("") })',
      "loadBalancers[1].ssh.privateKey: (not set) must be set",
    ],
  ])("%s: the error names the field, and no push is registered", (_label, sshExpr, message) => {
    const { errors, resources } = runChild(sshExpr);
    expect(errors).toContainEqual(expect.stringContaining(message));
    expect(errors.every((e) => e.includes(message))).toBe(true);
    // lb-02 is pushed first (lower priority); lb-01's push waits for it, so neither host is touched
    expect(resources).toEqual(["lb"]);
  });

  test("the same run with a valid Output connection registers both pushes and no error (so the cases above can fail)", () => {
    expect(runChild("pulumi.output({ privateKey: key, port: 2222 })")).toEqual({ errors: [], resources: ["lb", "lb-lb-02", "lb-lb-01"] });
  });
});

describe("a private key that is not a Pulumi secret is warned about, once per host", () => {
  let warn: jest.SpyInstance;
  beforeEach(() => {
    warn = jest.spyOn(pulumi.log, "warn").mockImplementation(() => Promise.resolve());
  });
  afterEach(() => warn.mockRestore());

  /** The key warnings logged, as [message, resource name]. */
  async function keyWarnings(ssh: () => HaproxyKeepalivedEndpointArgs["loadBalancers"]): Promise<[string, string][]> {
    const lb = new HaproxyKeepalivedEndpoint("lb", { ...haPair, loadBalancers: ssh() });
    await valueOf(lb.endpoint);
    await rec.settle();
    await new Promise((r) => setImmediate(r));
    return warn.mock.calls
      .filter(([message]) => String(message).includes("privateKey"))
      .map(([message, resource]) => [String(message), (resource as HaproxyKeepalivedEndpoint | undefined) === lb ? "lb" : "?"]);
  }

  const hosts = (ssh: (i: number) => pulumi.Input<SshConnectionArgs>) => haPair.loadBalancers!.map((h, i) => ({ ...h, ssh: ssh(i) }));

  test("a plain string: one warning per host naming the field and the fix; the key still goes to the push as a secret", async () => {
    const warnings = await keyWarnings(() => hosts(() => ({ privateKey: KEY })));
    expect(warnings.map(([m]) => m.slice(0, m.indexOf(" is"))).sort()).toEqual([
      "loadBalancers[0].ssh.privateKey",
      "loadBalancers[1].ssh.privateKey",
    ]);
    for (const [message, resource] of warnings) {
      expect(resource).toBe("lb");
      expect(message).toContain("is not a Pulumi secret");
      expect(message).toContain("pulumi.secret(key)");
      expect(message).toContain("config.requireSecret");
      expect(message).not.toContain("TEST-KEY-MATERIAL");
    }
    const pushes = (await rec.settle()).filter((r) => r.type === "command:remote:Command");
    for (const p of pushes) expect(p.inputs.connection).toBe("[secret]");
  });

  test("kubernetesApiCheck.clientKey as a plain string is warned about on the component, as a secret it is not", async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "check-certs-"));
    try {
      const certs = makeCheckCerts(tmp);
      const checkWarnings = async (clientKey: pulumi.Input<string>) => {
        warn.mockClear();
        const lb = new HaproxyKeepalivedEndpoint("lb", {
          ...haPair,
          kubernetesApiCheck: { caCertificate: certs.caCert, clientCertificate: certs.clientCert, clientKey },
        });
        await valueOf(lb.endpoint);
        await rec.settle();
        await new Promise((r) => setImmediate(r));
        return warn.mock.calls
          .filter(([message]) => String(message).includes("clientKey"))
          .map(([message, resource]) => [String(message), resource === lb]);
      };
      const plain = await checkWarnings(certs.clientKey);
      expect(plain).toEqual([[expect.stringMatching(/^kubernetesApiCheck\.clientKey is not a Pulumi secret/), true]]);
      expect(plain[0][0]).not.toContain(certs.clientKey.split("\n")[1]);
      expect(await checkWarnings(pulumi.secret(certs.clientKey))).toEqual([]);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  test.each([
    ["an Output that is not secret", () => hosts(() => ({ privateKey: pulumi.output(KEY) }))],
    ["a Promise", () => hosts(() => ({ privateKey: Promise.resolve(KEY) }))],
    ["a whole connection as a plain Output", () => hosts(() => pulumi.output({ privateKey: KEY }))],
    ["a whole connection as a Promise", () => hosts(() => Promise.resolve({ privateKey: KEY }))],
  ])("warns for %s too", async (_label, ssh) => {
    // one each, in whatever order the keys resolve
    expect((await keyWarnings(ssh)).map(([m]) => m.slice(0, 32)).sort()).toEqual([
      "loadBalancers[0].ssh.privateKey ",
      "loadBalancers[1].ssh.privateKey ",
    ]);
  });

  test.each([
    ["pulumi.secret(key)", () => hosts(() => ({ privateKey: pulumi.secret(KEY) }))],
    ["a secret connection", () => hosts(() => pulumi.secret({ privateKey: KEY }))],
    ["a secret key inside a plain Output", () => hosts(() => pulumi.output({ privateKey: pulumi.secret(KEY) }))],
  ])("no warning for %s", async (_label, ssh) => {
    expect(await keyWarnings(ssh)).toEqual([]);
  });

  test("only the host whose key is plain is named", async () => {
    const warnings = await keyWarnings(() => hosts((i) => ({ privateKey: i === 0 ? KEY : SECRET_KEY })));
    expect(warnings.map(([m]) => m.slice(0, 32))).toEqual(["loadBalancers[0].ssh.privateKey "]);
  });
});

describe("files: every file the push installs, by host and path", () => {
  test("ha-pair: haproxy.cfg, the check script keepalived.conf runs, keepalived.conf; the same as plannedFilePaths", async () => {
    const lb = new HaproxyKeepalivedEndpoint("lb", haPair);
    const files = await valueOf(lb.files);
    const haproxy = await valueOf(lb.haproxyConfigs);
    const keepalived = await valueOf(lb.keepalivedConfigs);
    expect(Object.keys(files).sort()).toEqual(["lb-01", "lb-02"]);
    for (const host of ["lb-01", "lb-02"]) {
      const paths = Object.keys(files[host]);
      expect(paths).toEqual([
        "/etc/haproxy/haproxy.cfg",
        expect.stringMatching(/^\/etc\/keepalived\/talos-endpoints-check-[0-9a-f]{12}\.sh$/),
        "/etc/keepalived/keepalived.conf",
      ]);
      expect(files[host]["/etc/haproxy/haproxy.cfg"]).toBe(haproxy[host]);
      expect(files[host]["/etc/keepalived/keepalived.conf"]).toBe(keepalived[host]);
      expect(keepalived[host]).toContain(`script "${paths[1]} serve"`);
      expect(keepalived[host]).toContain(`notify "${paths[1]} notify"`);
      expect(files[host][paths[1]]).toMatch(/^#!\/bin\/bash\n/);
      expect(files[host][paths[1]]).toContain("/dev/tcp/127.0.0.1/8404");
    }
    expect(plannedFilePaths(haPair)).toEqual(Object.fromEntries(Object.entries(files).map(([h, f]) => [h, Object.keys(f)])));
    await rec.settle();
  });

  test("the VRRP password is masked there too, and the output is not secret", async () => {
    const v2 = {
      ...haPair,
      tuning: { keepalived: { vrrpVersion: 2 as const, advertIntervalMs: 1000 } },
      vrrpAuthPass: pulumi.secret("s3cr#t!"),
    };
    const lb = new HaproxyKeepalivedEndpoint("lb", v2);
    expect(await pulumi.isSecret(lb.files)).toBe(false);
    const conf = (await valueOf(lb.files))["lb-01"]["/etc/keepalived/keepalived.conf"];
    expect(conf).toContain('auth_pass "********"');
    expect(JSON.stringify(await valueOf(lb.files))).not.toContain("s3cr");
    await rec.settle();
  });

  test("single-haproxy: haproxy.cfg only; dns-round-robin: none", async () => {
    const single = new HaproxyKeepalivedEndpoint("one", {
      ...haPair,
      mode: "single-haproxy",
      loadBalancers: haPair.loadBalancers!.slice(0, 1),
    });
    expect(Object.keys((await valueOf(single.files))["lb-01"])).toEqual(["/etc/haproxy/haproxy.cfg"]);
    const dns = new HaproxyKeepalivedEndpoint("dns", {
      mode: "dns-round-robin",
      talosVersion: "1.11",
      controlPlanes,
      dnsName: "api.example.org",
    });
    expect(await valueOf(dns.files)).toEqual({});
    await rec.settle();
  });

  test("plannedFilePaths needs plain args: an Output tuning is refused with an Error, not guessed", () => {
    expect(() => plannedFilePaths({ ...haPair, tuning: pulumi.output({}) })).toThrow("must be plain");
  });
});

describe("HAProxy options reach the rendered files", () => {
  const cfgOf = async (args: Partial<HaproxyKeepalivedEndpointArgs>) => {
    const lb = new HaproxyKeepalivedEndpoint("lb", { ...haPair, ...args });
    const files = (await valueOf(lb.files))["lb-01"];
    await rec.settle();
    const checkScript = Object.keys(files).find((f) => f.includes("talos-endpoints-check-"))!;
    return {
      haproxy: files["/etc/haproxy/haproxy.cfg"],
      keepalived: files["/etc/keepalived/keepalived.conf"],
      checkScript,
      script: files[checkScript],
    };
  };
  const count = (text: string, line: string) => text.split("\n").filter((l) => l.trim() === line).length;

  test("defaults: roundrobin, the monitor fails only without any node, /readyz expects 401, monitor on 127.0.0.1:8404 /healthz", async () => {
    const d = await cfgOf({});
    expect(count(d.haproxy, "balance roundrobin")).toBe(2);
    expect(count(d.haproxy, "monitor fail if { nbsrv(kubernetes_api) lt 1 } { nbsrv(talos_api) lt 1 }")).toBe(1);
    expect(count(d.haproxy, "http-check expect status 401")).toBe(1);
    expect(count(d.haproxy, "bind 127.0.0.1:8404")).toBe(1);
    expect(d.script).toContain("serve) check /healthz ;;");
    expect(d.script).toContain("kubernetes-api) check /healthz/kubernetes-api ;;");
  });

  for (const [label, wrap] of [
    ["plain", <T>(v: T) => v],
    ["as Outputs", <T>(v: T) => pulumi.output(v) as unknown as T],
  ] as const) {
    test(`balance, failWhenNoKubernetesBackend, kubernetesApiCheckStatus, monitor (${label})`, async () => {
      const d = await cfgOf({
        balance: wrap("leastconn" as const),
        failWhenNoKubernetesBackend: wrap(true),
        kubernetesApiCheckStatus: wrap(200),
        monitor: wrap({ port: 9404, uri: "/ready" }),
      });
      expect(count(d.haproxy, "balance leastconn")).toBe(2);
      expect(d.haproxy).not.toContain("balance roundrobin");
      expect(count(d.haproxy, "monitor fail if { nbsrv(kubernetes_api) lt 1 }")).toBe(1);
      expect(count(d.haproxy, "http-check expect status 200")).toBe(1);
      expect(count(d.haproxy, "bind 127.0.0.1:9404")).toBe(1);
      expect(count(d.haproxy, "monitor-uri /ready")).toBe(1);
      // the check script probes the same endpoint, and keepalived.conf runs that script
      expect(d.script).toContain("/dev/tcp/127.0.0.1/9404");
      expect(d.script).toContain("serve) check /ready ;;");
      expect(d.keepalived).toContain(`script "${d.checkScript} serve"`);
    });
  }

  test("the haproxy.cfg with every option switched passes haproxy -c without a warning", async () => {
    const d = await cfgOf({
      balance: "leastconn",
      failWhenNoKubernetesBackend: true,
      kubernetesApiCheckStatus: 200,
      monitor: { address: "127.0.0.2", port: 9404, uri: "/ready" },
    });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "haproxy-options-"));
    try {
      fs.writeFileSync(path.join(dir, "haproxy.cfg"), d.haproxy);
      const r = spawnSync("haproxy", ["-dW", "-c", "-f", path.join(dir, "haproxy.cfg")], { encoding: "utf8" });
      expect(`${r.stdout}${r.stderr}`).not.toMatch(/WARNING|ALERT/);
      expect(r.status).toBe(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test("a monitor field left undefined keeps its default", async () => {
    expect(count((await cfgOf({ monitor: { port: undefined, uri: "/ready" } })).haproxy, "bind 127.0.0.1:8404")).toBe(1);
  });

  test.each([
    [{ balance: "random" as never }, 'balance: "random" must be one of roundrobin, leastconn'],
    [{ failWhenNoKubernetesBackend: "no" as never }, 'failWhenNoKubernetesBackend: "no" must be true or false'],
    [{ kubernetesApiCheckStatus: 600 }, "kubernetesApiCheckStatus: 600 must be an integer from 100 to 599"],
    [{ monitor: { port: 0 } }, "monitor.port: 0 must be a TCP port"],
    [{ monitor: { address: "0.0.0.0" } }, 'monitor.address: "0.0.0.0" must be an IPv4 loopback address'],
    [{ monitor: { prot: 1 } as never }, "monitor.prot: 1 is not a known setting"],
  ])("rejects %j before any resource", async (args, message) => {
    expect(() => new HaproxyKeepalivedEndpoint("lb", { ...haPair, ...args })).toThrow(message);
    expect(await rec.settle()).toEqual([]);
  });
});

describe("the SSH host key (pulumi-command's connection.hostKey)", () => {
  const HOST_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl lb-01";
  let warn: jest.SpyInstance;
  beforeEach(() => {
    warn = jest.spyOn(pulumi.log, "warn").mockImplementation(() => Promise.resolve());
  });
  afterEach(() => warn.mockRestore());

  async function hostKeyWarnings(hostKey: string | undefined): Promise<string[]> {
    const lb = new HaproxyKeepalivedEndpoint("lb", {
      ...haPair,
      loadBalancers: haPair.loadBalancers!.map((h) => ({ ...h, ssh: { privateKey: pulumi.secret(KEY), hostKey } })),
    });
    await valueOf(lb.endpoint);
    await rec.settle();
    await new Promise((r) => setImmediate(r));
    return warn.mock.calls.map(([m]) => String(m)).filter((m) => m.includes("hostKey"));
  }

  test("unset: one warning per host that the host key is not checked, naming the field and how to get the key", async () => {
    const warnings = await hostKeyWarnings(undefined);
    expect(warnings.map((m) => m.slice(0, m.indexOf(" is"))).sort()).toEqual([
      "loadBalancers[0].ssh.hostKey",
      "loadBalancers[1].ssh.hostKey",
    ]);
    expect(warnings[0]).toContain("ssh-keyscan -t ed25519");
  });

  test("set: no warning", async () => {
    expect(await hostKeyWarnings(HOST_KEY)).toEqual([]);
  });

  test.each([
    ["a known_hosts line with the host name", `lb-01 ${HOST_KEY}`],
    ["a fingerprint", "SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU"],
  ])("%s is refused naming the field, before any resource", async (_what, hostKey) => {
    const hosts = haPair.loadBalancers!.map((h, i) => ({ ...h, ssh: { privateKey: KEY, hostKey: i === 1 ? hostKey : HOST_KEY } }));
    expect(() => new HaproxyKeepalivedEndpoint("lb", { ...haPair, loadBalancers: hosts })).toThrow(
      /^loadBalancers\[1\]\.ssh\.hostKey: .* must be one public key line/,
    );
    expect(await rec.settle()).toEqual([]);
  });
});
