/**
 * Reference data from upstream releases, pinned as Go modules under `tools/refs/<name>/` (go.mod +
 * go.sum, so the checksum database and go.sum verify them) and unpacked by the go command into
 * its module cache (`go env GOMODCACHE`, outside the clone). Nothing is copied into the project.
 *
 * Once a module is cached this works offline: the first attempt runs with `GOPROXY=off`; only
 * when that fails is the module downloaded through the configured proxy (with a line on stderr).
 * Jest workers may ask for the same module at once: the go command locks its cache.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

/** Folder holding one small Go module per pinned reference release. */
export const REFS_DIR = path.resolve(__dirname, "..", "..", "tools", "refs");

/** The fields of `go mod download -json` that are used here. */
interface GoModDownload {
  Path?: string;
  Version?: string;
  Dir?: string;
  Error?: string;
}

/** A pinned module as unpacked in the module cache. */
export interface PinnedModule {
  /** Its directory in the module cache (read-only). */
  dir: string;
  /** The version pinned in go.mod, e.g. `v1.13.9`. */
  version: string;
}

const resolved = new Map<string, PinnedModule>();

/** Runs `go mod download -json <modulePath>` in `cwd`; returns the parsed answer, or the failure text when there is none. */
function goModDownload(cwd: string, modulePath: string, env: NodeJS.ProcessEnv): GoModDownload | string {
  let stdout: string;
  try {
    stdout = execFileSync("go", ["mod", "download", "-json", modulePath], { cwd, env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stdout?: string; stderr?: string };
    if (e.code === "ENOENT") {
      throw new Error("the go command was not found: the tests need Go >= 1.26 to fetch the pinned reference data (tools/refs/*/go.mod); install Go and re-run");
    }
    // A failed download still prints its JSON object (with `Error`) on stdout; other failures only on stderr.
    try {
      return JSON.parse(e.stdout ?? "") as GoModDownload;
    } catch {
      return `${e.message}\n${e.stderr ?? ""}`.trim();
    }
  }
  return JSON.parse(stdout) as GoModDownload;
}

/**
 * The module `modulePath` at the version pinned in `tools/refs/<refModule>/go.mod`, downloaded
 * when missing from the module cache. Cached per process.
 */
export function pinnedModule(refModule: string, modulePath: string): PinnedModule {
  const key = `${refModule}\0${modulePath}`;
  const cached = resolved.get(key);
  if (cached) return cached;
  const cwd = path.join(REFS_DIR, refModule);
  if (!fs.existsSync(path.join(cwd, "go.mod"))) throw new Error(`no pinned reference module tools/refs/${refModule}/go.mod`);
  const env: NodeJS.ProcessEnv = { ...process.env, GOWORK: "off" };
  let answer = goModDownload(cwd, modulePath, { ...env, GOPROXY: "off" });
  if (typeof answer === "string" || !answer.Dir) {
    process.stderr.write(`refs: downloading ${modulePath} pinned in tools/refs/${refModule} into the Go module cache\n`);
    answer = goModDownload(cwd, modulePath, env);
  }
  if (typeof answer === "string" || answer.Error || !answer.Dir || !answer.Version) {
    const why = typeof answer === "string" ? answer : answer.Error ?? "no Dir or Version in the answer";
    throw new Error(`go mod download -json ${modulePath} (in tools/refs/${refModule}) failed: ${why}`);
  }
  const found = { dir: answer.Dir, version: answer.Version };
  resolved.set(key, found);
  return found;
}

/** The directory of {@link pinnedModule} in the module cache (read-only). */
export function moduleDir(refModule: string, modulePath: string): string {
  return pinnedModule(refModule, modulePath).dir;
}

/** Reads a file of a pinned module, naming module and path when it is missing. */
export function readModuleFile(refModule: string, modulePath: string, rel: string): string {
  const file = path.join(moduleDir(refModule, modulePath), rel);
  if (!fs.existsSync(file)) throw new Error(`${rel} not found in ${modulePath} pinned in tools/refs/${refModule} (${file})`);
  return fs.readFileSync(file, "utf8");
}
