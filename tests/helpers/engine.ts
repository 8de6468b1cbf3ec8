/**
 * The real Pulumi engine for tests: the `pulumi` CLI built from Go modules by
 * `scripts/ensure-tools.sh` (into `.tools/bin`), run offline on a `file://` backend in a temporary
 * directory, driven through the Automation API with an inline program. An inline program runs
 * inside this Node.js process (the Automation API serves the language runtime itself and the CLI
 * attaches to it with `--client`), so no `pulumi-language-nodejs` binary is involved: that module
 * is not served by the Go module proxy (see the README, "What runs on the real engine").
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { PulumiFn, Stack } from "@pulumi/pulumi/automation";

/** Root of the repository. */
export const REPO_ROOT = path.resolve(__dirname, "..", "..");
/** Where scripts/ensure-tools.sh puts the built tools. */
export const TOOLS_ROOT = path.join(REPO_ROOT, ".tools");
/** The pulumi CLI the tests use. */
export const PULUMI_BIN = path.join(TOOLS_ROOT, "bin", "pulumi");

/** Builds the CLI when missing (a no-op when `npm test` already did). */
export function ensurePulumiCli(): string {
  if (!fs.existsSync(PULUMI_BIN)) {
    execFileSync("bash", [path.join(REPO_ROOT, "scripts", "ensure-tools.sh"), "pulumi"], { stdio: "inherit" });
  }
  return PULUMI_BIN;
}

/** One engine sandbox: its directory, environment and stack. */
export interface EngineSandbox {
  /** Temporary directory holding PULUMI_HOME (`home/`), the file backend (`state/`) and the work dir (`work/`). */
  dir: string;
  /** The environment every CLI call of this sandbox gets. */
  env: Record<string, string>;
  stack: Stack;
  /** Every line the engine printed through `onOutput`, for the tests that read the logs. */
  log: string[];
  /** `onOutput` for stack operations: collects into `log`. */
  onOutput: (out: string) => void;
  /** Removes the sandbox directory. */
  remove(): void;
}

/**
 * Creates a stack on a fresh file backend with the built CLI.
 * @param projectName Pulumi project name.
 * @param stackName stack name.
 * @param program the inline program.
 */
export async function engineSandbox(projectName: string, stackName: string, program: PulumiFn): Promise<EngineSandbox> {
  ensurePulumiCli();
  const { LocalWorkspace, PulumiCommand } = await import("@pulumi/pulumi/automation");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "talos-endpoints-engine-"));
  for (const sub of ["home", "state", "work"]) fs.mkdirSync(path.join(dir, sub));
  const env: Record<string, string> = {
    PULUMI_HOME: path.join(dir, "home"),
    PULUMI_BACKEND_URL: `file://${path.join(dir, "state")}`,
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    PULUMI_CONFIG_PASSPHRASE: "talos-endpoints engine test passphrase",
    PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK: "false",
  };
  const pulumiCommand = await PulumiCommand.get({ root: TOOLS_ROOT });
  const stack = await LocalWorkspace.createOrSelectStack(
    { projectName, stackName, program },
    { workDir: path.join(dir, "work"), envVars: env, pulumiCommand },
  );
  const log: string[] = [];
  return {
    dir,
    env,
    stack,
    log,
    onOutput: (out: string) => void log.push(out),
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * Runs the built CLI in the sandbox (its environment, the stack's work dir), outside the
 * Automation API: e.g. `stack export`, which the Automation API always runs with `--show-secrets`.
 */
export function pulumiCli(box: EngineSandbox, args: string[]): string {
  return execFileSync(PULUMI_BIN, [...args, "--non-interactive"], {
    cwd: path.join(box.dir, "work"),
    env: { ...process.env, ...box.env },
    encoding: "utf8",
  });
}

/** Every regular file under `dir`, recursively. */
export function filesUnder(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => path.join(d.parentPath, d.name));
}

/** The files under `dir` whose bytes contain any of `needles`, with the needle found. */
export function filesContaining(dir: string, needles: string[]): string[] {
  return filesUnder(dir).flatMap((f) => {
    const text = fs.readFileSync(f).toString("latin1");
    return needles.filter((n) => text.includes(n)).map((n) => `${path.relative(dir, f)} holds ${JSON.stringify(n.slice(0, 12))}…`);
  });
}

/** Runs a scenario of tests/helpers/engineScenarios.ts in its own process and returns its JSON result. */
export function runEngineScenario<T>(scenario: string, args: string[] = [], env: NodeJS.ProcessEnv = process.env): T {
  const out = execFileSync(process.execPath, [require.resolve("tsx/cli"), path.join(__dirname, "engineScenarios.ts"), scenario, ...args], {
    encoding: "utf8",
    timeout: 150_000,
    env,
  });
  return JSON.parse(out.trim().split("\n").pop()!) as T;
}
