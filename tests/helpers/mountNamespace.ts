/**
 * Runs a program in a private mount namespace (`unshare -m`, root only) with directories of the
 * test bind-mounted over system directories, e.g. a temporary directory over /etc/keepalived:
 * files the rendered configs name by absolute path (the check script in /etc/keepalived) are
 * then found where the configs say, and nothing outside the namespace sees or changes.
 */
import { spawnSync, SpawnSyncReturns } from "child_process";
import * as fs from "fs";

/**
 * Runs `command` with each `mounts` source directory bind-mounted on its target (an existing
 * directory, e.g. `/etc/keepalived` from the keepalived package).
 * @returns spawnSync's result (stdout and stderr as text).
 * @throws Error when not root or a target directory does not exist.
 */
export function runWithBindMounts(
  mounts: Record<string, string>,
  command: readonly string[],
  options: { env?: NodeJS.ProcessEnv; input?: string } = {},
): SpawnSyncReturns<string> {
  if (process.getuid?.() !== 0) throw new Error("bind mounts need root (as the push-script tests do): run the tests as root");
  for (const target of Object.keys(mounts)) {
    if (!fs.statSync(target, { throwIfNoEntry: false })?.isDirectory()) {
      throw new Error(`${target} does not exist: install the package that creates it (scripts/ensure-test-deps.sh)`);
    }
  }
  const mountCommands = Object.entries(mounts).map(([target, source]) => `mount --bind ${quote(source)} ${quote(target)}`);
  return spawnSync(
    "unshare",
    ["-m", "--propagation", "private", "/bin/sh", "-c", `${mountCommands.join(" && ")} && exec "$@"`, "sh", ...command],
    {
      encoding: "utf8",
      env: options.env ?? process.env,
      input: options.input,
    },
  );
}

function quote(text: string): string {
  return `'${text.replace(/'/g, "'\\''")}'`;
}
