import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { InputError } from "../src/core/errors";
import { renderControlPlanePatch } from "../src/render/talos/patch";
import {
  displayCommandLine,
  PUSH_INTERPRETER,
  pushScriptInput,
  PushScriptSpec,
  renderPushScript,
  TALOSCONFIG_ENV,
  talosctlPatchArgs,
} from "../src/render/talos/talosctl";
import { talosctlFlagsFile, TALOS_REFERENCE_VERSIONS } from "./helpers/reference";

const SECRET = "context: homelab\ncontexts:\n  homelab:\n    ca: c2VjcmV0LWNh\n    key: VEhJUy1JUy1BLVNFQ1JFVC1LRVk=\n";

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
  sandbox = fs.mkdtempSync(path.join(os.tmpdir(), "talosctl-test-"));
  fs.mkdirSync(path.join(sandbox, "bin"));
  fs.mkdirSync(path.join(sandbox, "tmp"));
  fs.symlinkSync(path.join(__dirname, "helpers", "fake-talosctl.js"), path.join(sandbox, "bin", "talosctl"));
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
      PATH: `${path.join(sandbox, "bin")}:${process.env.PATH}`,
      TMPDIR: path.join(sandbox, "tmp"),
      FAKE_TALOSCTL_FLAGS: talosctlFlagsFile(version),
      FAKE_TALOSCTL_LOG: log,
      FAKE_TALOSCTL_NODE_CONFIG: nodeConfig,
      [TALOSCONFIG_ENV]: SECRET,
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

describe("the push script, run against a talosctl double that knows each version's flags", () => {
  for (const version of TALOS_REFERENCE_VERSIONS) {
    for (const mode of ["no-reboot", "try", "staged", "reboot", "auto"]) {
      test(`Talos ${version}, mode ${mode}: accepted flags, secret only in a 0600 file that is gone afterwards`, () => {
        const patch = renderControlPlanePatch({ talosVersion: version, endpoint: "192.168.30.30", link: "ens18", vip: "192.168.30.30" });
        const run = runScript(
          renderPushScript(spec(version, { mode, tryTimeout: mode === "try" ? "2m" : undefined })),
          version,
          pushScriptInput(patch.yaml, []),
        );

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
        expect(patchCall.patches.map((p) => p.content)).toEqual([patch.yaml]);
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
      env: { PATH: process.env.PATH, TMPDIR: path.join(sandbox, "tmp"), [TALOSCONFIG_ENV]: SECRET },
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

  test("waitTimeoutSeconds 0 skips both waits", () => {
    const run = runScript(renderPushScript(spec("1.12", { waitTimeoutSeconds: 0 })), "1.12", "machine: {}\n");
    expect(run.calls.map((c) => c.command)).toEqual(["get", "read", "patch"]);
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
    extraPatch: fragment,
  });
  const script = renderPushScript(spec("1.12", { oneShot: rendered.oneShot, replaceVipOnLink: { link: "ens18", vip: "192.168.30.30" } }));
  const input = pushScriptInput(rendered.yaml, rendered.oneShot);
  // Talos writes its config with 4-space indentation.
  const freshNode = [
    "version: v1alpha1",
    "machine:",
    "    type: controlplane",
    "    nodeLabels:",
    '        node.kubernetes.io/exclude-from-external-load-balancers: ""',
    "        topology.kubernetes.io/zone: a",
    "cluster:",
    "    inlineManifests:",
    "        - name: metallb-config-old # a different manifest",
    "          contents: |",
    "            - name: metallb-config",
    "",
  ].join("\n");
  const patchedNode = [
    "version: v1alpha1",
    "machine:",
    "    type: controlplane",
    "    # node.kubernetes.io/exclude-from-external-load-balancers: was here",
    "    nodeLabels:",
    "        topology.kubernetes.io/zone: a",
    "    kubelet:",
    "        nodeLabels-like: node.kubernetes.io/exclude-from-external-load-balancers",
    "cluster:",
    "    allowSchedulingOnControlPlanes: true",
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

  test("first run on a fresh node: the main patch and every one-shot part", () => {
    const run = runScript(script, "1.12", input, { nodeConfig: freshNode });
    expect(run.status).toBe(0);
    const patches = run.calls.find((c) => c.command === "patch")!.patches.map((p) => p.content);
    expect(patches).toEqual([rendered.yaml, ...rendered.oneShot.map((p) => p.yaml)]);
    expect(patches[0]).not.toContain("$patch");
    expect(patches[1]).toContain("$patch: delete");
  });

  test("second run on the patched node: only the main patch (no second delete, no duplicate manifests)", () => {
    const run = runScript(script, "1.12", input, { nodeConfig: patchedNode });
    expect(run.status).toBe(0);
    expect(run.calls.find((c) => c.command === "patch")!.patches.map((p) => p.content)).toEqual([rendered.yaml]);
    expect(run.stdout).toContain("already done: add inline manifest metallb-config");
    expect(run.stdout).toContain("already done: remove node label node.kubernetes.io/exclude-from-external-load-balancers");
  });

  test("a new VIP deletes the Layer2VIPConfig of the old one on the same link, and leaves other links alone", () => {
    const other =
      patchedNode.replace('name: "192.168.30.30" # quoted by hand', 'name: "192.168.30.29" # an earlier VIP') +
      "---\napiVersion: v1alpha1\nkind: Layer2VIPConfig\nname: 10.9.9.9\nlink: ens19\n";
    const run = runScript(script, "1.12", input, { nodeConfig: other });
    expect(run.status).toBe(0);
    const patches = run.calls.find((c) => c.command === "patch")!.patches.map((p) => p.content);
    // the delete comes first; the main patch then (re-)adds the current VIP
    expect(patches).toEqual(["---\napiVersion: v1alpha1\nkind: Layer2VIPConfig\nname: 192.168.30.29\n$patch: delete\n", rendered.yaml]);
  });

  test("the current VIP, however it is quoted, is never deleted", () => {
    const run = runScript(script, "1.12", input, { nodeConfig: patchedNode });
    expect(run.calls.find((c) => c.command === "patch")!.patches.map((p) => p.content)).toEqual([rendered.yaml]);
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
