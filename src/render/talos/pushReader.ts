/**
 * The push script's reader: a small Node.js program the push runs (on the machine that runs the
 * Pulumi program, where Node.js is) to answer its questions about the node with a YAML library
 * instead of shell text scanning. The decisions themselves are in `nodeConfig.ts`.
 *
 * Usage (stdin carries the input; nothing secret is ever an argument):
 *
 * - `versions <minor>`: stdin is `talosctl version --short` output. Prints one line with both
 *   versions; exits 1 with the reason on stderr when they do not fit (see `checkVersions`).
 * - `plan <dir> <request JSON>`: stdin is the node's active machine config (it holds the cluster's
 *   secrets: it is parsed in memory and never written). Writes the generated patches (mode 0600)
 *   into `<dir>`, the push's private directory, and `<dir>/patch-order` with the `--patch` file
 *   names in order, one a line; prints one line per decision. Exits 1 with the reason on stderr
 *   when the config is not YAML or the request is malformed.
 * - `stage`: stdin is `talosctl get machinestatus -o yaml`; prints the machine's stage
 *   (`maintenance`, `running`, ...).
 * - `apiserver-ready`: stdin is `talosctl get staticpodstatus -o yaml`; prints `ready` or `not ready`.
 * - `same <file>`: stdin is the node's active machine config, `<file>` the generated one (both hold
 *   the cluster's secrets: compared in memory, never printed); prints `same` or `differs`.
 */
import * as fs from "fs";
import * as path from "path";
import { checkVersions, decidePush, ReaderRequest } from "./nodeConfig";
import { apiServerReady, machineStage, sameMachineConfig } from "./clusterState";

/** Name of the file, inside the push's private directory, that lists the `--patch` files in order. */
export const PATCH_ORDER_FILE = "patch-order";

/**
 * A path as the command line names it: relative to the working directory of the Pulumi program
 * when inside it (so the same project checked out on another machine, or in CI, gives the same
 * command line and the pushes, whose `environment` holds it, do not run again), else absolute.
 */
function portablePath(p: string): string {
  const rel = path.relative(process.cwd(), p);
  // "./": node's --require takes a bare relative path for a package name
  return rel !== "" && !rel.startsWith("..") && !path.isAbsolute(rel) ? `./${rel}` : p;
}

/**
 * The command line that runs this reader with the `node` on PATH (the one the Pulumi Node.js
 * language host runs; not `process.execPath`, which differs between machines and Node.js
 * installs): the compiled `pushReader.js` of the installed package, or, when the package runs
 * from its TypeScript sources (a checkout), this file through tsx's CommonJS hook (tsx is then
 * installed as a development dependency). Paths inside the program's directory are relative.
 * @throws Error when running from sources and tsx cannot be found.
 */
export function pushReaderCommand(): string[] {
  if (__filename.endsWith(".js")) return ["node", portablePath(__filename)];
  let hook: string;
  try {
    hook = require.resolve("tsx/cjs");
  } catch {
    throw new Error(
      `talos-endpoints runs from its sources (${path.basename(__filename)}) but tsx is not installed: run npm install, or use the built package`,
    );
  }
  return ["node", "--require", portablePath(hook), portablePath(__filename)];
}

function readStdin(): string {
  return fs.readFileSync(0, "utf8");
}

function checkName(name: string): string {
  if (!/^[A-Za-z0-9._-]+$/.test(name) || name === "." || name === "..") throw new Error(`not a plain file name: ${JSON.stringify(name)}`);
  return name;
}

/** Runs the reader on `args` (without the program); returns the exit code. */
export function main(
  args: readonly string[],
  io = { stdin: readStdin, out: (s: string) => process.stdout.write(s), err: (s: string) => process.stderr.write(s) },
): number {
  try {
    const [command, ...rest] = args;
    if (command === "versions" && rest.length === 1 && /^\d+$/.test(rest[0])) {
      io.out(`${checkVersions(io.stdin(), Number(rest[0]))}\n`);
      return 0;
    }
    if (command === "plan" && rest.length === 2) {
      const [dir, requestJson] = rest;
      if (!fs.statSync(dir).isDirectory()) throw new Error(`${dir} is not a directory`);
      const request = JSON.parse(requestJson) as ReaderRequest;
      const answer = decidePush(io.stdin(), request);
      for (const f of answer.files) fs.writeFileSync(path.join(dir, checkName(f.file)), f.content, { mode: 0o600 });
      fs.writeFileSync(path.join(dir, PATCH_ORDER_FILE), answer.patches.map((p) => `${checkName(p)}\n`).join(""), { mode: 0o600 });
      io.out(answer.messages.map((m) => `${m}\n`).join(""));
      return 0;
    }
    if (command === "stage" && rest.length === 0) {
      io.out(`${machineStage(io.stdin())}\n`);
      return 0;
    }
    if (command === "apiserver-ready" && rest.length === 0) {
      io.out(apiServerReady(io.stdin()) ? "ready\n" : "not ready\n");
      return 0;
    }
    if (command === "same" && rest.length === 1) {
      io.out(sameMachineConfig(io.stdin(), fs.readFileSync(rest[0], "utf8")) ? "same\n" : "differs\n");
      return 0;
    }
    throw new Error(
      `usage: pushReader versions <minor> | plan <dir> <request JSON> | stage | apiserver-ready | same <file> (got ${JSON.stringify(args)})`,
    );
  } catch (e) {
    io.err(`${(e as Error).message}\n`);
    return 1;
  }
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
