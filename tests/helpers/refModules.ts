/**
 * Reference data from upstream releases, unpacked by the go command into its module cache (`go env
 * GOMODCACHE`, outside the clone) and read in place. Nothing is copied into the project. Two ways
 * to pin a release:
 * - {@link pinnedModule}: a small Go module under `tools/refs/<name>/` (go.mod + go.sum, so the
 *   checksum database and go.sum verify it);
 * - {@link releasedModule}: an exact `module@version` and its `h1:` hash kept in TypeScript, for a
 *   module that cannot sit in a go.mod here (see the caller for why). `go mod download` runs
 *   outside any module and verifies the zip against the checksum database; the hash it reports is
 *   then compared with the pinned one, which is what a go.sum line would do.
 *
 * Once a module is cached this works offline: the first attempt runs with `GOPROXY=off`; only
 * when that fails is the module downloaded through the configured proxy (with a line on stderr).
 * Jest workers may ask for the same module at once: the go command locks its cache.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/** Folder holding one small Go module per pinned reference release. */
export const REFS_DIR = path.resolve(__dirname, "..", "..", "tools", "refs");

/** The fields of `go mod download -json` that are used here. */
interface GoModDownload {
  Path?: string;
  Version?: string;
  Dir?: string;
  Sum?: string;
  Error?: string;
}

/** A pinned module as unpacked in the module cache. */
export interface PinnedModule {
  /** Its directory in the module cache (read-only). */
  dir: string;
  /** The version pinned, e.g. `v1.13.9`. */
  version: string;
  /** The module zip's `h1:` hash as the go command reports it (what go.sum records). */
  sum?: string;
}

const resolved = new Map<string, PinnedModule>();

/** Runs `go mod download -json <modulePath>` in `cwd`; returns the parsed answer, or the failure text when there is none. */
function goModDownload(cwd: string, modulePath: string, env: NodeJS.ProcessEnv): GoModDownload | string {
  let stdout: string;
  try {
    stdout = execFileSync("go", ["mod", "download", "-json", modulePath], {
      cwd,
      env,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stdout?: string; stderr?: string };
    if (e.code === "ENOENT") {
      throw new Error(
        "the go command was not found: the tests need Go >= 1.26 to fetch the pinned reference data (tools/refs/*/go.mod); install Go and re-run",
      );
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
 * Runs `go mod download -json <query>` in `cwd`, first offline (`GOPROXY=off`, the module cache
 * only) and, when that fails, through the configured proxy with a line on stderr. `pinnedBy`
 * names the pin in messages.
 */
function download(cwd: string, query: string, pinnedBy: string): PinnedModule {
  const env: NodeJS.ProcessEnv = { ...process.env, GOWORK: "off" };
  let answer = goModDownload(cwd, query, { ...env, GOPROXY: "off" });
  if (typeof answer === "string" || !answer.Dir) {
    process.stderr.write(`refs: downloading ${query} ${pinnedBy} into the Go module cache\n`);
    answer = goModDownload(cwd, query, env);
  }
  if (typeof answer === "string" || answer.Error || !answer.Dir || !answer.Version) {
    const why = typeof answer === "string" ? answer : (answer.Error ?? "no Dir or Version in the answer");
    throw new Error(`go mod download -json ${query} (${pinnedBy}) failed: ${why}`);
  }
  return { dir: answer.Dir, version: answer.Version, sum: answer.Sum };
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
  const found = download(cwd, modulePath, `pinned in tools/refs/${refModule}`);
  resolved.set(key, found);
  return found;
}

/** An exact release of a module and the `h1:` hash of its zip (as a go.sum line has it). */
export interface ModuleRelease {
  path: string;
  version: string;
  sum: string;
}

/**
 * A release pinned by version and hash in the caller (no go.mod), downloaded when missing from
 * the module cache. `go mod download` runs in the system temporary directory, outside any module,
 * so no go.mod or go.sum of the project takes part; a hash other than the pinned one is an error.
 * Cached per process.
 */
export function releasedModule(release: ModuleRelease): PinnedModule {
  const query = `${release.path}@${release.version}`;
  const cached = resolved.get(query);
  if (cached) return cached;
  const found = download(os.tmpdir(), query, "pinned by version and hash");
  if (found.sum !== release.sum) {
    throw new Error(`${query}: the go command reports the zip hash ${found.sum ?? "(none)"}, the pin says ${release.sum}`);
  }
  resolved.set(query, found);
  return found;
}

/** Reads a file of a {@link releasedModule}, naming module and path when it is missing. */
export function readReleasedFile(release: ModuleRelease, rel: string): string {
  const file = path.join(releasedModule(release).dir, rel);
  if (!fs.existsSync(file)) throw new Error(`${rel} not found in ${release.path}@${release.version} (${file})`);
  return fs.readFileSync(file, "utf8");
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
