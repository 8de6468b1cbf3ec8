import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { InputError } from "../src/core/errors";
import { renderControlPlanePatch, RenderedPatch } from "../src/render/talos/patch";
import { renderCertSansPatch } from "../src/render/talos/nodeConfig";
import { pushReaderCommand } from "../src/render/talos/pushReader";
import {
  displayCommandLine,
  PUSH_INTERPRETER,
  pushScriptInput,
  PushScriptSpec,
  READER_ENV,
  renderPushScript,
  TALOSCONFIG_ENV,
  talosctlPatchArgs,
} from "../src/render/talos/talosctl";
import { TALOS_REFERENCE_VERSIONS } from "./helpers/reference";
import { fakeTalosctlEnv, makeFakeTalosctlSandbox } from "./helpers/fakeTalosctlEnv";

const SECRET = "context: homelab\ncontexts:\n  homelab:\n    ca: c2VjcmV0LWNh\n    key: VEhJUy1JUy1BLVNFQ1JFVC1LRVk=\n";
/** How TalosConfigPush tells the script where its reader is (here: the sources, through tsx). */
const READER = pushReaderCommand().join("\n");

interface FileRecord {
  path: string;
  mode: string;
  content: string;
}
interface Call {
  argv: string[];
  command: string;
  words: string[];
  files: Record<string, FileRecord>;
  patches: FileRecord[];
  envNames: string[];
}
interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
  calls: Call[];
  tmpLeft: string[];
}

let sandbox: string;
beforeEach(() => {
  sandbox = makeFakeTalosctlSandbox("talosctl-test-");
});
afterEach(() => fs.rmSync(sandbox, { recursive: true, force: true }));

/** Runs a push script the way the push resource does: bash, patches on stdin, talosconfig in the environment. */
function runScript(script: string, version: string, input: string, opts: { nodeConfig?: string; env?: Record<string, string> } = {}): Run {
  const log = path.join(sandbox, "log.jsonl");
  fs.rmSync(log, { force: true });
  const nodeConfig = path.join(sandbox, "node-config.yaml");
  fs.writeFileSync(nodeConfig, opts.nodeConfig ?? "version: v1alpha1\nmachine:\n  type: controlplane\n");
  const [shell, ...shellArgs] = PUSH_INTERPRETER;
  const result = spawnSync(shell, [...shellArgs, script], {
    input,
    encoding: "utf8",
    env: {
      ...fakeTalosctlEnv(sandbox, version, log),
      FAKE_TALOSCTL_NODE_CONFIG: nodeConfig,
      [TALOSCONFIG_ENV]: SECRET,
      [READER_ENV]: READER,
      ...opts.env,
    },
  });
  const calls = fs.existsSync(log)
    ? fs
        .readFileSync(log, "utf8")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l))
    : [];
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, calls, tmpLeft: fs.readdirSync(path.join(sandbox, "tmp")) };
}

const spec = (version: string, over: Partial<PushScriptSpec> = {}): PushScriptSpec => ({
  talosVersion: version,
  nodeIp: "192.168.30.31",
  waitTimeoutSeconds: 5,
  ...over,
});

/** The script and stdin of a push of `rendered`, as TalosConfigPush renders them. */
function pushOf(rendered: RenderedPatch, version: string, over: Partial<PushScriptSpec> = {}): { script: string; input: string } {
  return {
    script: renderPushScript(spec(version, { oneShot: rendered.oneShot, certSANs: rendered.certSANs, ...over })),
    input: pushScriptInput(rendered.yaml, rendered.oneShot),
  };
}

function patchContents(run: Run): string[] {
  const call = run.calls.find((c) => c.command === "patch");
  if (!call) throw new Error(`no talosctl patch ran: ${run.stderr}`);
  return call.patches.map((p) => p.content);
}

describe("the push script, run against a talosctl double that knows each version's flags", () => {
  for (const version of TALOS_REFERENCE_VERSIONS) {
    for (const mode of ["no-reboot", "try", "staged", "reboot", "auto"]) {
      test(`Talos ${version}, mode ${mode}: accepted flags, secret only in a 0600 file that is gone afterwards`, () => {
        const patch = renderControlPlanePatch({ talosVersion: version, endpoint: "192.168.30.30", link: "ens18", vip: "192.168.30.30" });
        const push = pushOf(patch, version, { mode, tryTimeout: mode === "try" ? "2m" : undefined });
        const run = runScript(push.script, version, push.input);

        expect(run.stderr).toBe("");
        expect(run.status).toBe(0);
        // wait for the API, read the active config and the boot ID, patch, wait for etcd
        const rebootWait = mode === "reboot" ? ["read"] : [];
        expect(run.calls.map((c) => c.command)).toEqual(["version", "get", "read", "patch", ...rebootWait, "service"]);
        const patchCall = run.calls[3];
        expect(patchCall.words).toEqual(["patch", "machineconfig"]);
        expect(run.calls[1].words).toEqual(["get", "machineconfig", "v1alpha1"]);
        expect(run.calls[2].words).toEqual(["read", "/proc/sys/kernel/random/boot_id"]);
        for (const call of run.calls) {
          // --nodes and --endpoints are the node's own address, never the VIP.
          expect(call.argv[call.argv.indexOf("--nodes") + 1]).toBe("192.168.30.31");
          expect(call.argv[call.argv.indexOf("--endpoints") + 1]).toBe("192.168.30.31");
          // The talosconfig reached talosctl as a 0600 file; the secret is in no argument and not in talosctl's environment.
          expect(call.files["--talosconfig"]).toMatchObject({ mode: "600", content: SECRET });
          for (const arg of call.argv) expect(arg).not.toMatch(/VEhJUy1JUy1BLVNFQ1JFVC1LRVk=|homelab/);
          expect(call.envNames).not.toContain(TALOSCONFIG_ENV);
          expect(fs.existsSync(call.files["--talosconfig"].path)).toBe(false);
        }
        expect(patchCall.argv[patchCall.argv.indexOf("--mode") + 1]).toBe(mode);
        if (mode === "try") expect(patchCall.argv[patchCall.argv.indexOf("--timeout") + 1]).toBe("2m");
        else expect(patchCall.argv).not.toContain("--timeout");
        // A fresh node: the main patch, both certSANs lists, and before 1.12 DHCP kept beside the VIP.
        const legacy = Number(version.split(".")[1]) < 12;
        expect(patch.oneShot.length).toBe(legacy ? 1 : 0);
        expect(patchCall.patches.map((p) => p.content)).toEqual([
          patch.yaml,
          renderCertSansPatch(["192.168.30.30"], ["192.168.30.30"]),
          ...patch.oneShot.map((p) => p.yaml),
        ]);
        for (const p of patchCall.patches) expect(p.mode).toBe("600");
        expect(run.stdout).toContain(`talos-endpoints: 192.168.30.31: node Talos v${version}.0, talosctl v${version}.0\n`);
        expect(run.tmpLeft).toEqual([]);
      });
    }
  }

  test("connection flags follow the subcommand in every version (1.9 takes them as inherited root flags)", () => {
    for (const version of TALOS_REFERENCE_VERSIONS) {
      const args = talosctlPatchArgs({ talosVersion: version, nodeIp: "10.0.0.2" });
      expect(args.slice(0, 3)).toEqual(["patch", "machineconfig", "--talosconfig"]);
    }
    // The same line placed before the subcommand is refused from 1.11 on: the double checks placement.
    const run = runScript("talosctl --talosconfig x version", "1.13", "");
    expect(run.stderr).toContain("flag --talosconfig is not accepted before the subcommand");
  });

  test("the double has teeth: unknown flags and enum values are refused", () => {
    const bad = runScript("talosctl patch machineconfig --no-such-flag x", "1.13", "");
    expect(bad.status).toBe(3);
    expect(bad.stderr).toContain("unknown flag --no-such-flag");
    const interactive = runScript("talosctl apply-config --mode interactive --file /dev/null", "1.13", "");
    expect(interactive.stderr).toContain('value "interactive" is not one of auto, no-reboot, reboot, staged, try');
    const genNodes = runScript("talosctl gen config c https://x:6443 --nodes 1.2.3.4", "1.13", "");
    expect(genNodes.stderr).toContain('flag --nodes is not accepted by "talosctl gen config"');
  });

  test("a failing talosctl patch fails the script with its exit code, skips the etcd wait, and still removes the secret", () => {
    const run = runScript(renderPushScript(spec("1.13")), "1.13", "machine: {}\n", { env: { FAKE_TALOSCTL_EXIT: "7" } });
    expect(run.status).toBe(7);
    expect(run.calls.map((c) => c.command)).toEqual(["version", "get", "read", "patch"]);
    expect(run.stdout).toContain("Applied configuration without a reboot");
    expect(run.tmpLeft).toEqual([]);
  });

  test("an empty talosconfig stops before talosctl runs", () => {
    const run = runScript(renderPushScript(spec("1.13")), "1.13", "machine: {}\n", { env: { [TALOSCONFIG_ENV]: "" } });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(`${TALOSCONFIG_ENV} is empty`);
    expect(run.calls).toEqual([]);
  });

  test("SIGTERM while talosctl runs: the script exits 130 and still removes the talosconfig", async () => {
    const slow = path.join(sandbox, "bin", "talosctl-slow");
    fs.writeFileSync(slow, "#!/bin/sh\nsleep 2\n", { mode: 0o755 });
    const [shell, ...shellArgs] = PUSH_INTERPRETER;
    const child = spawn(shell, [...shellArgs, renderPushScript(spec("1.13", { talosctl: slow }))], {
      env: { PATH: process.env.PATH, TMPDIR: path.join(sandbox, "tmp"), [TALOSCONFIG_ENV]: SECRET, [READER_ENV]: READER },
      stdio: ["pipe", "ignore", "ignore"],
    });
    child.stdin.end("machine: {}\n");
    await new Promise((r) => setTimeout(r, 500));
    expect(fs.readdirSync(path.join(sandbox, "tmp"))).toHaveLength(1); // the private directory exists while it runs
    child.kill("SIGTERM");
    const code = await new Promise<number | null>((r) => child.on("exit", (c) => r(c)));
    expect(code).toBe(130);
    expect(fs.readdirSync(path.join(sandbox, "tmp"))).toEqual([]);
  });

  test("waitTimeoutSeconds 0 skips both waits (the version is still read once, for the version check)", () => {
    const run = runScript(renderPushScript(spec("1.12", { waitTimeoutSeconds: 0 })), "1.12", "machine: {}\n");
    expect(run.status).toBe(0);
    expect(run.calls.map((c) => c.command)).toEqual(["version", "get", "read", "patch"]);
  });

  test("an empty reader variable stops before talosctl runs", () => {
    const run = runScript(renderPushScript(spec("1.13")), "1.13", "machine: {}\n", { env: { [READER_ENV]: "" } });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(`${READER_ENV} is empty`);
    expect(run.calls).toEqual([]);
  });

  test("a node config that is not YAML stops the push before anything is applied, without quoting the config", () => {
    const run = runScript(renderPushScript(spec("1.13")), "1.13", "machine: {}\n", {
      nodeConfig: "machine:\n  token: s3cr3t-t0ken\n  ca: [unclosed\n",
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("the node's machine config is not valid YAML at line");
    expect(run.stderr).toContain("cannot decide the patch from the node's machine config: nothing was applied");
    expect(run.stderr + run.stdout).not.toContain("s3cr3t-t0ken");
    expect(run.calls.map((c) => c.command)).not.toContain("patch");
    expect(run.tmpLeft).toEqual([]);
  });

  test("a patch that reboots the node: wait for a new boot ID, then for etcd, before the next node", () => {
    const run = runScript(renderPushScript(spec("1.13", { mode: "auto" })), "1.13", "machine: {}\n", {
      env: { FAKE_TALOSCTL_PATCH_REBOOTS: "1" },
    });
    expect(run.status).toBe(0);
    expect(run.stdout).toContain("waiting for the reboot");
    expect(run.calls.map((c) => [c.command, ...c.words.slice(1)].join(" "))).toEqual([
      "version",
      "get machineconfig v1alpha1",
      "read /proc/sys/kernel/random/boot_id",
      "patch machineconfig",
      "read /proc/sys/kernel/random/boot_id",
      "service etcd",
    ]);
  });

  test.each(["reboot", "auto"] as const)(
    "mode %s: a boot ID that cannot be read stops the push before anything is applied (the reboot wait would pass at once)",
    (mode) => {
      const run = runScript(renderPushScript(spec("1.13", { mode })), "1.13", "machine: {}\n", { env: { FAKE_TALOSCTL_NO_BOOT_ID: "1" } });
      expect(run.status).toBe(1);
      expect(run.stderr).toContain("cannot read the node's boot ID (/proc/sys/kernel/random/boot_id)");
      expect(run.calls.map((c) => c.command)).not.toContain("patch");
    },
  );

  test("mode no-reboot needs no boot ID: an unreadable one does not stop the push", () => {
    const run = runScript(renderPushScript(spec("1.13", { mode: "no-reboot" })), "1.13", "machine: {}\n", {
      env: { FAKE_TALOSCTL_NO_BOOT_ID: "1" },
    });
    expect(run.status).toBe(0);
    expect(run.calls.map((c) => c.command)).toContain("patch");
  });

  test("a node that never answers: the wait gives up after its bound with talosctl's last error", () => {
    fs.writeFileSync(path.join(sandbox, "bin", "talosctl-down"), "#!/bin/sh\necho 'rpc error: connection refused' >&2\nexit 1\n", {
      mode: 0o755,
    });
    const run = runScript(
      renderPushScript(spec("1.13", { talosctl: path.join(sandbox, "bin", "talosctl-down"), waitTimeoutSeconds: 1 })),
      "1.13",
      "machine: {}\n",
    );
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("the node's Talos API: not ready after 1 s; last error: rpc error: connection refused");
    expect(run.tmpLeft).toEqual([]);
  });
});

describe("re-running the push is safe", () => {
  const fragment = {
    machine: { nodeLabels: { "node.kubernetes.io/exclude-from-external-load-balancers": { $patch: "delete" } } },
    cluster: {
      allowSchedulingOnControlPlanes: true,
      inlineManifests: [{ name: "metallb-config", contents: "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: metallb-system\n" }],
      extraManifests: ["https://example.org/metallb-native.yaml"],
    },
  };
  const rendered = renderControlPlanePatch({
    talosVersion: "1.12",
    endpoint: "192.168.30.30",
    link: "ens18",
    vip: "192.168.30.30",
    extraCertSANs: ["api.lab.example"],
    extraPatch: fragment,
  });
  const { script, input } = pushOf(rendered, "1.12", { replaceVipOnLink: { link: "ens18", vip: "192.168.30.30" } });
  const allSans = renderCertSansPatch(["192.168.30.30", "api.lab.example"], ["192.168.30.30", "api.lab.example"]);
  // Talos writes its config with 4-space indentation.
  const freshNode = [
    "version: v1alpha1",
    "machine:",
    "    type: controlplane",
    "    certSANs: []",
    "    nodeLabels:",
    '        node.kubernetes.io/exclude-from-external-load-balancers: ""',
    "        topology.kubernetes.io/zone: a",
    "cluster:",
    "    apiServer:",
    "        certSANs:",
    "            - 192.168.30.31 # the node's own address, from talosctl gen config",
    "    inlineManifests:",
    "        - name: metallb-config-old # a different manifest",
    "          contents: |",
    "            - name: metallb-config",
    "",
  ].join("\n");
  // Lines that a text scanner could take for the entries looked up: a comment, a look-alike key,
  // a quoted VIP with a comment. The YAML reader sees what Talos sees.
  const patchedNode = [
    "version: v1alpha1",
    "machine:",
    "    type: controlplane",
    "    certSANs:",
    "        - 192.168.30.30",
    "        - API.lab.example. # case and a trailing dot do not make another name",
    "    # node.kubernetes.io/exclude-from-external-load-balancers: was here",
    "    nodeLabels:",
    "        topology.kubernetes.io/zone: a",
    "    kubelet:",
    "        nodeLabels-like: node.kubernetes.io/exclude-from-external-load-balancers",
    "cluster:",
    "    allowSchedulingOnControlPlanes: true",
    "    apiServer:",
    "        certSANs: [192.168.30.31, 192.168.30.30, api.lab.example]",
    "    extraManifests:",
    '        - "https://example.org/metallb-native.yaml"',
    "    inlineManifests:",
    "        - name: metallb-config",
    "          contents: |",
    "            apiVersion: v1",
    "---",
    "apiVersion: v1alpha1",
    "kind: Layer2VIPConfig",
    'name: "192.168.30.30" # quoted by hand',
    "link: ens18",
    "",
  ].join("\n");

  test("first run on a fresh node: the main patch, every certSAN and every one-shot part", () => {
    const run = runScript(script, "1.12", input, { nodeConfig: freshNode });
    expect(run.status).toBe(0);
    const patches = patchContents(run);
    expect(patches).toEqual([rendered.yaml, allSans, ...rendered.oneShot.map((p) => p.yaml)]);
    expect(patches[0]).not.toContain("$patch");
    expect(patches[0]).not.toContain("certSANs");
    expect(patches[2]).toContain("$patch: delete");
  });

  test("second run on the patched node: only the main patch (no certSANs again, no second delete, no duplicate manifests)", () => {
    const run = runScript(script, "1.12", input, { nodeConfig: patchedNode });
    expect(run.status).toBe(0);
    expect(patchContents(run)).toEqual([rendered.yaml]);
    expect(run.stdout).toContain("already done: certSANs");
    expect(run.stdout).toContain("already done: add inline manifest metallb-config");
    expect(run.stdout).toContain("already done: remove node label node.kubernetes.io/exclude-from-external-load-balancers");
  });

  test("a node with half of the certSANs gets only the missing half, per list", () => {
    const half = patchedNode
      .replace("        - API.lab.example. # case and a trailing dot do not make another name\n", "")
      .replace("certSANs: [192.168.30.31, 192.168.30.30, api.lab.example]", "certSANs: [192.168.30.31, api.lab.example]");
    const run = runScript(script, "1.12", input, { nodeConfig: half });
    expect(run.status).toBe(0);
    const patches = patchContents(run);
    expect(patches).toEqual([rendered.yaml, renderCertSansPatch(["api.lab.example"], ["192.168.30.30"])]);
    expect(patches[1]).toBe(
      "---\nmachine:\n  certSANs:\n    - api.lab.example\ncluster:\n  apiServer:\n    certSANs:\n      - 192.168.30.30\n",
    );
    expect(run.stdout).toContain("adding machine.certSANs: api.lab.example");
    expect(run.stdout).toContain("adding cluster.apiServer.certSANs: 192.168.30.30");
  });

  test("a new VIP deletes the Layer2VIPConfig of the old one on the same link, and leaves other links alone", () => {
    const other =
      patchedNode.replace('name: "192.168.30.30" # quoted by hand', 'name: "192.168.30.29" # an earlier VIP') +
      "---\napiVersion: v1alpha1\nkind: Layer2VIPConfig\nname: 10.9.9.9\nlink: ens19\n";
    const run = runScript(script, "1.12", input, { nodeConfig: other });
    expect(run.status).toBe(0);
    // the delete comes first; the main patch then (re-)adds the current VIP
    expect(patchContents(run)).toEqual([
      "---\napiVersion: v1alpha1\nkind: Layer2VIPConfig\nname: 192.168.30.29\n$patch: delete\n",
      rendered.yaml,
    ]);
    expect(run.stdout).toContain("removing Layer2VIPConfig for: 192.168.30.29\n");
  });

  test("the current VIP, however it is quoted, is never deleted", () => {
    const run = runScript(script, "1.12", input, {
      nodeConfig: patchedNode.replace('"192.168.30.30" # quoted by hand', "'192.168.30.30'"),
    });
    expect(patchContents(run)).toEqual([rendered.yaml]);
  });

  test("the node's config, which holds the cluster's secrets, reaches no argument, no patch file and no log", () => {
    const withSecrets = patchedNode.replace("    type: controlplane\n", "    type: controlplane\n    token: n0de-s3cret.t0ken\n");
    const run = runScript(script, "1.12", input, { nodeConfig: withSecrets });
    expect(run.status).toBe(0);
    for (const call of run.calls) {
      for (const arg of call.argv) expect(arg).not.toContain("n0de-s3cret");
      for (const p of call.patches) expect(p.content).not.toContain("n0de-s3cret");
    }
    expect(run.stdout + run.stderr).not.toContain("n0de-s3cret");
    expect(run.tmpLeft).toEqual([]);
  });
});

describe("Talos < 1.12: the VIP's interfaces entry keeps the link's DHCP", () => {
  for (const version of ["1.9", "1.11"]) {
    const rendered = renderControlPlanePatch({ talosVersion: version, endpoint: "192.168.30.30", link: "ens18", vip: "192.168.30.30" });
    const { script, input } = pushOf(rendered, version);
    const node = (interfaces: string) =>
      `version: v1alpha1\nmachine:\n    type: controlplane\n    certSANs: [192.168.30.30]\n    network:\n${interfaces}cluster:\n    apiServer:\n        certSANs: [192.168.30.30]\n`;

    test(`Talos ${version}: a node without an entry for the link gets dhcp: true beside the VIP`, () => {
      const run = runScript(script, version, input, { nodeConfig: node("        hostname: cp-01\n") });
      expect(run.status).toBe(0);
      expect(patchContents(run)).toEqual([rendered.yaml, rendered.oneShot[0].yaml]);
      expect(rendered.oneShot[0].yaml).toBe("---\nmachine:\n  network:\n    interfaces:\n      - interface: ens18\n        dhcp: true\n");
    });

    test(`Talos ${version}: the second push (the entry now has dhcp: true) sends only the main patch`, () => {
      const entry =
        "        interfaces:\n            - interface: ens18\n              dhcp: true\n              vip:\n                ip: 192.168.30.30\n";
      const run = runScript(script, version, input, { nodeConfig: node(entry) });
      expect(patchContents(run)).toEqual([rendered.yaml]);
      expect(run.stdout).toContain("already done: keep DHCP on ens18");
    });

    test(`Talos ${version}: a link the node addresses statically is left alone`, () => {
      const entry = "        interfaces:\n            - interface: ens18\n              addresses: [192.168.30.31/24]\n";
      const run = runScript(script, version, input, { nodeConfig: node(entry) });
      expect(patchContents(run)).toEqual([rendered.yaml]);
    });

    test(`Talos ${version}: an entry of an earlier push holding only the VIP gets its DHCP back`, () => {
      const entry = "        interfaces:\n            - interface: ens18\n              vip:\n                ip: 192.168.30.30\n";
      const run = runScript(script, version, input, { nodeConfig: node(entry) });
      expect(patchContents(run)).toEqual([rendered.yaml, rendered.oneShot[0].yaml]);
    });
  }

  test("linkAddressing static: no DHCP part at all", () => {
    const rendered = renderControlPlanePatch({
      talosVersion: "1.11",
      endpoint: "192.168.30.30",
      link: "ens18",
      vip: "192.168.30.30",
      linkAddressing: "static",
    });
    expect(rendered.oneShot).toEqual([]);
  });
});

describe("version check: nothing is applied to a node of another version, or with a talosctl too old for it", () => {
  const push = (version: string) => {
    const rendered = renderControlPlanePatch({ talosVersion: version, endpoint: "192.168.30.30", link: "ens18", vip: "192.168.30.30" });
    return pushOf(rendered, version);
  };

  test.each([
    ["1.12", "v1.13.9", "v1.11.5", /the node runs Talos v1\.11\.5, but talosVersion is 1\.12: .*nothing was applied$/m],
    ["1.11", "v1.13.9", "v1.12.7", /the node runs Talos v1\.12\.7, but talosVersion is 1\.11: .*nothing was applied$/m],
    ["1.13", "v1.13.9", "v1.9.5", /the node runs Talos v1\.9\.5, but talosVersion is 1\.13/],
    [
      "1.12",
      "v1.11.5",
      "v1.12.7",
      /talosctl v1\.11\.5 is older than 1\.12 and the node runs Talos v1\.12\.7: .*cuts a multi-document config after its first document .*nothing was applied$/m,
    ],
    ["1.13", "v1.9.5", "v1.13.9", /talosctl v1\.9\.5 is older than 1\.12 and the node runs Talos v1\.13\.9/],
  ])("talosVersion %s, talosctl %s, node %s: refused before the config is read", (version, client, server, message) => {
    const { script, input } = push(version);
    const run = runScript(script, version, input, { env: { FAKE_TALOSCTL_CLIENT_VERSION: client, FAKE_TALOSCTL_SERVER_VERSION: server } });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(message);
    expect(run.calls.map((c) => c.command)).toEqual(["version"]);
    expect(run.tmpLeft).toEqual([]);
  });

  test.each([
    ["1.11", "v1.11.5", "v1.11.5"],
    ["1.11", "v1.13.9", "v1.11.6"],
    ["1.12", "v1.12.7", "v1.12.11"],
    ["1.12", "v1.13.9", "v1.12.7"],
    ["1.9", "v1.9.5", "v1.9.6"],
    // a rolling upgrade: another minor with the same patch form
    ["1.13", "v1.13.9", "v1.12.7"],
    ["1.11", "v1.11.5", "v1.9.6"],
  ])("talosVersion %s, talosctl %s, node %s: patched", (version, client, server) => {
    const { script, input } = push(version);
    const run = runScript(script, version, input, { env: { FAKE_TALOSCTL_CLIENT_VERSION: client, FAKE_TALOSCTL_SERVER_VERSION: server } });
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(run.stdout).toContain(`node Talos ${server}, talosctl ${client}`);
  });

  test("also with waitTimeoutSeconds 0 (no wait, but the version is still checked)", () => {
    const rendered = renderControlPlanePatch({ talosVersion: "1.12", endpoint: "192.168.30.30" });
    const { script, input } = pushOf(rendered, "1.12", { waitTimeoutSeconds: 0 });
    const run = runScript(script, "1.12", input, { env: { FAKE_TALOSCTL_SERVER_VERSION: "v1.11.5" } });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("the node runs Talos v1.11.5, but talosVersion is 1.12");
    expect(run.calls.map((c) => c.command)).toEqual(["version"]);
  });

  test("version output without a server part (the node did not answer) stops the push", () => {
    const silent = path.join(sandbox, "bin", "talosctl-silent");
    fs.writeFileSync(silent, "#!/bin/sh\nprintf 'Client:\\nTalos v1.13.9\\nServer:\\n'\n", { mode: 0o755 });
    const run = runScript(renderPushScript(spec("1.13", { talosctl: silent, waitTimeoutSeconds: 0 })), "1.13", "machine: {}\n");
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("`talosctl version` printed no server version");
  });
});

describe("talosctl arguments: validation and display", () => {
  test.each([
    [{ mode: "interactive" }, /^mode: "interactive" must be one of auto, no-reboot, reboot, staged, try$/],
    [{ mode: "no-reboot", tryTimeout: "1m" }, /^tryTimeout: "1m" only applies to mode "try"/],
    [{ mode: "try", tryTimeout: "soon" }, /^tryTimeout: "soon" must be a positive Go duration/],
    [{ mode: "try", tryTimeout: "0s" }, /^tryTimeout: "0s" must be a positive Go duration/],
    [{ nodeIp: "192.168.30.31/24" }, /^nodeIp: "192.168.30.31\/24" is not a valid IP address/],
    [{ talosctl: "talosctl; rm -rf /" }, /^talosctl: "talosctl; rm -rf \/" must be a program name/],
    [{ waitTimeoutSeconds: -1 }, /^waitTimeoutSeconds: -1 must be whole seconds/],
    [{ waitTimeoutSeconds: 86401 }, /^waitTimeoutSeconds: 86401 must be whole seconds from 0 to 86400$/],
    [{ waitTimeoutSeconds: 1.5 }, /^waitTimeoutSeconds: 1.5 must be whole seconds/],
    [
      { replaceVipOnLink: { link: "eth0'; rm", vip: "192.168.30.30" } },
      /^replaceVipOnLink.link: "eth0'; rm" must be a network interface name/,
    ],
    [{ replaceVipOnLink: { link: "ens18", vip: "192.168.30" } }, /^replaceVipOnLink.vip: "192.168.30" is not a valid IP address/],
  ])("%o is rejected", (override, message) => {
    expect(() => renderPushScript({ ...spec("1.12"), ...override })).toThrow(InputError);
    expect(() => renderPushScript({ ...spec("1.12"), ...override })).toThrow(message);
  });

  test("default mode is no-reboot; try without timeout uses talosctl's 1m0s", () => {
    expect(talosctlPatchArgs({ talosVersion: "1.12", nodeIp: "10.0.0.2" })).toContain("no-reboot");
    const tryArgs = talosctlPatchArgs({ talosVersion: "1.12", nodeIp: "10.0.0.2", mode: "try" });
    expect(tryArgs[tryArgs.indexOf("--timeout") + 1]).toBe("1m0s");
  });

  test("the displayed command line names the temporary files instead of their content", () => {
    const line = displayCommandLine("talosctl", talosctlPatchArgs({ talosVersion: "1.13", nodeIp: "10.0.0.2" }));
    expect(line).toBe(
      "talosctl patch machineconfig --talosconfig <talosconfig: temporary 0600 file> --nodes 10.0.0.2 --endpoints 10.0.0.2 --mode no-reboot --patch @<patch file> ...",
    );
  });
});

describe("the reader as the installed package runs it (compiled JavaScript)", () => {
  let outDir: string;
  beforeAll(() => {
    // Inside node_modules, so the compiled files find `yaml` and `ipaddr.js` as an installed package does.
    const cache = path.join(__dirname, "..", "node_modules", ".cache");
    fs.mkdirSync(cache, { recursive: true });
    outDir = fs.mkdtempSync(path.join(cache, "talos-endpoints-reader-"));
    const tsc = path.join(__dirname, "..", "node_modules", "typescript", "bin", "tsc");
    const file = path.join(__dirname, "..", "src", "render", "talos", "pushReader.ts");
    const opts = ["--outDir", outDir, "--rootDir", path.join(__dirname, "..", "src"), "--module", "commonjs", "--target", "es2022"];
    const built = spawnSync(process.execPath, [tsc, ...opts, "--esModuleInterop", "--skipLibCheck", "--types", "node", file], {
      encoding: "utf8",
    });
    if (built.status !== 0) throw new Error(`tsc failed: ${built.stdout}${built.stderr}`);
  }, 120_000);
  afterAll(() => fs.rmSync(outDir, { recursive: true, force: true }));

  test("pushReaderCommand of the compiled module is node + pushReader.js, and a push with it sends only the missing certSANs", () => {
    const compiled = path.join(outDir, "render", "talos", "pushReader.js");
    const command = (require(compiled) as { pushReaderCommand(): string[] }).pushReaderCommand();
    // the node on PATH and the module's path relative to the working directory (the repository)
    expect(command).toEqual(["node", `./${path.relative(process.cwd(), compiled)}`]);
    // from the sources inside the working directory: relative paths, no machine path
    const fromSources = pushReaderCommand();
    expect(fromSources[0]).toBe("node");
    expect(
      fromSources
        .slice(1)
        .filter((a) => a !== "--require")
        .every((a) => !path.isAbsolute(a)),
    ).toBe(true);
    const rendered = renderControlPlanePatch({ talosVersion: "1.13", endpoint: "192.168.30.30", extraCertSANs: ["api.lab.example"] });
    const { script, input } = pushOf(rendered, "1.13");
    const node =
      "version: v1alpha1\nmachine:\n    certSANs: [192.168.30.30, api.lab.example]\ncluster:\n    apiServer:\n        certSANs: [192.168.30.30]\n";
    const run = runScript(script, "1.13", input, { nodeConfig: node, env: { [READER_ENV]: command.join("\n") } });
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(patchContents(run)).toEqual([rendered.yaml, renderCertSansPatch([], ["api.lab.example"])]);
  });
});

describe("a worker's push (patch mode): the endpoint and KubePrism, then the wait for its Talos API, no etcd", () => {
  for (const version of TALOS_REFERENCE_VERSIONS) {
    test(`Talos ${version}: accepted flags; version, config, boot ID, patch, then version again`, () => {
      const workerPatch =
        "machine:\n  features:\n    kubePrism:\n      enabled: true\n      port: 7445\ncluster:\n  controlPlane:\n    endpoint: https://192.168.30.30:6443\n";
      const script = renderPushScript(spec(version, { nodeIp: "192.168.30.41", role: "worker" }));
      const run = runScript(script, version, workerPatch, { nodeConfig: "version: v1alpha1\nmachine:\n  type: worker\n" });
      expect(run.stderr).toBe("");
      expect(run.status).toBe(0);
      expect(run.calls.map((c) => c.command)).toEqual(["version", "get", "read", "patch", "version"]);
      expect(patchContents(run)).toEqual([workerPatch]);
      expect(run.tmpLeft).toEqual([]);
    });
  }
});
