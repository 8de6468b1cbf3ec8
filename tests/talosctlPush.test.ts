import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { InputError } from "../talos/errors";
import { renderControlPlanePatch } from "../talos/patch";
import { displayCommandLine, PUSH_INTERPRETER, renderPushScript, TALOSCONFIG_ENV, talosctlPatchArgs } from "../talos/talosctl";
import { talosctlFlagsFile, TALOS_REFERENCE_VERSIONS } from "./helpers/reference";

const SECRET = "context: homelab\ncontexts:\n  homelab:\n    ca: c2VjcmV0LWNh\n    key: VEhJUy1JUy1BLVNFQ1JFVC1LRVk=\n";

interface Run {
  status: number | null;
  stderr: string;
  records: { argv: string[]; command: string; words: string[]; files: Record<string, { path: string; mode: string; content: string }>; envNames: string[] }[];
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

/** Runs a push script the way the push resource does: bash -c, patch on stdin, talosconfig in the environment. */
function runScript(script: string, version: string, patch: string, env: Record<string, string> = {}): Run {
  const log = path.join(sandbox, "log.jsonl");
  const [shell, ...shellArgs] = PUSH_INTERPRETER;
  const result = spawnSync(shell, [...shellArgs, script], {
    input: patch,
    encoding: "utf8",
    env: {
      PATH: `${path.join(sandbox, "bin")}:${process.env.PATH}`,
      TMPDIR: path.join(sandbox, "tmp"),
      FAKE_TALOSCTL_FLAGS: talosctlFlagsFile(version),
      FAKE_TALOSCTL_LOG: log,
      [TALOSCONFIG_ENV]: SECRET,
      ...env,
    },
  });
  const records = fs.existsSync(log) ? fs.readFileSync(log, "utf8").trim().split("\n").map((l) => JSON.parse(l)) : [];
  return { status: result.status, stderr: result.stderr, records, tmpLeft: fs.readdirSync(path.join(sandbox, "tmp")) };
}

describe("the push command line, run against a talosctl double that knows each version's flags", () => {
  for (const version of TALOS_REFERENCE_VERSIONS) {
    for (const mode of ["no-reboot", "try", "staged", "reboot", "auto"]) {
      test(`Talos ${version}, mode ${mode}: accepted flags, secret only in a 0600 file that is gone afterwards`, () => {
        const patch = renderControlPlanePatch({ talosVersion: version, endpoint: "192.168.30.30", node: { name: "cp-01", address: "192.168.30.31/24" }, link: "eth0", vip: "192.168.30.30" }).yaml;
        const args = talosctlPatchArgs({ talosVersion: version, nodeIp: "192.168.30.31", mode, tryTimeout: mode === "try" ? "2m" : undefined });
        const run = runScript(renderPushScript("talosctl", args), version, patch);

        expect(run.stderr).toBe("");
        expect(run.status).toBe(0);
        expect(run.records).toHaveLength(1);
        const [rec] = run.records;
        expect(rec.command).toBe("patch");
        expect(rec.words).toEqual(["patch", "machineconfig"]);
        // --nodes and --endpoints are the node's own address, never the VIP.
        expect(rec.argv[rec.argv.indexOf("--nodes") + 1]).toBe("192.168.30.31");
        expect(rec.argv[rec.argv.indexOf("--endpoints") + 1]).toBe("192.168.30.31");
        expect(rec.argv[rec.argv.indexOf("--mode") + 1]).toBe(mode);
        if (mode === "try") expect(rec.argv[rec.argv.indexOf("--timeout") + 1]).toBe("2m");
        else expect(rec.argv).not.toContain("--timeout");
        // The talosconfig reached talosctl as a 0600 file; the secret is in no argument and not in talosctl's environment.
        expect(rec.files["--talosconfig"]).toMatchObject({ mode: "600", content: SECRET });
        expect(rec.files["--patch-file"].content).toBe(patch);
        for (const arg of rec.argv) {
          expect(arg).not.toContain("VEhJUy1JUy1BLVNFQ1JFVC1LRVk=");
          expect(arg).not.toContain("homelab");
        }
        expect(rec.envNames).not.toContain(TALOSCONFIG_ENV);
        // Nothing is left behind.
        expect(fs.existsSync(rec.files["--talosconfig"].path)).toBe(false);
        expect(run.tmpLeft).toEqual([]);
      });
    }
  }

  test("connection flags are root flags before the subcommand in 1.9 and the command's own after it from 1.11", () => {
    const v19 = talosctlPatchArgs({ talosVersion: "1.9", nodeIp: "10.0.0.2" });
    const v111 = talosctlPatchArgs({ talosVersion: "1.11", nodeIp: "10.0.0.2" });
    expect(v19.indexOf("--nodes")).toBeLessThan(v19.indexOf("patch"));
    expect(v111.indexOf("--nodes")).toBeGreaterThan(v111.indexOf("machineconfig"));
    // Placed before the subcommand, 1.13 rejects them: they are not root flags any more.
    const run = runScript(renderPushScript("talosctl", v19), "1.13", "machine: {}\n");
    expect(run.status).toBe(3);
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

  test("a failing talosctl fails the script with its exit code and still removes the secret", () => {
    const args = talosctlPatchArgs({ talosVersion: "1.13", nodeIp: "192.168.30.31" });
    const run = runScript(renderPushScript("talosctl", args), "1.13", "machine: {}\n", { FAKE_TALOSCTL_EXIT: "7" });
    expect(run.status).toBe(7);
    expect(run.records).toHaveLength(1);
    expect(fs.existsSync(run.records[0].files["--talosconfig"].path)).toBe(false);
    expect(run.tmpLeft).toEqual([]);
  });

  test("an empty talosconfig stops before talosctl runs", () => {
    const args = talosctlPatchArgs({ talosVersion: "1.13", nodeIp: "192.168.30.31" });
    const run = runScript(renderPushScript("talosctl", args), "1.13", "machine: {}\n", { [TALOSCONFIG_ENV]: "" });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(`${TALOSCONFIG_ENV} is empty`);
    expect(run.records).toEqual([]);
  });
});

describe("talosctl arguments: validation and display", () => {
  test.each([
    [{ mode: "interactive" }, /^mode: "interactive" must be one of auto, no-reboot, reboot, staged, try$/],
    [{ mode: "no-reboot", tryTimeout: "1m" }, /^tryTimeout: "1m" only applies to mode "try"/],
    [{ mode: "try", tryTimeout: "soon" }, /^tryTimeout: "soon" must be a positive Go duration/],
    [{ mode: "try", tryTimeout: "0s" }, /^tryTimeout: "0s" must be a positive Go duration/],
    [{ nodeIp: "192.168.30.31/24" }, /^nodeIp: "192.168.30.31\/24" is not a valid IP address/],
  ])("%o is rejected", (override, message) => {
    expect(() => talosctlPatchArgs({ talosVersion: "1.12", nodeIp: "192.168.30.31", ...override })).toThrow(InputError);
    expect(() => talosctlPatchArgs({ talosVersion: "1.12", nodeIp: "192.168.30.31", ...override })).toThrow(message);
  });

  test("default mode is no-reboot; try without timeout uses talosctl's 1m0s", () => {
    expect(talosctlPatchArgs({ talosVersion: "1.12", nodeIp: "10.0.0.2" })).toContain("no-reboot");
    const tryArgs = talosctlPatchArgs({ talosVersion: "1.12", nodeIp: "10.0.0.2", mode: "try" });
    expect(tryArgs[tryArgs.indexOf("--timeout") + 1]).toBe("1m0s");
  });

  test("the displayed command line names the temporary files instead of their content", () => {
    const line = displayCommandLine("talosctl", talosctlPatchArgs({ talosVersion: "1.13", nodeIp: "10.0.0.2" }));
    expect(line).toBe(
      "talosctl patch machineconfig --talosconfig <talosconfig: temporary 0600 file> --nodes 10.0.0.2 --endpoints 10.0.0.2 --mode no-reboot --patch-file <patch: temporary file, content from stdin>",
    );
  });

  test("a talosctl path with shell characters is refused", () => {
    expect(() => renderPushScript("talosctl; rm -rf /", [])).toThrow(/^talosctl: "talosctl; rm -rf \/" must be a program name/);
  });
});
