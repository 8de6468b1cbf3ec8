/**
 * The talosctl invocation that pushes a node's patch, and the bash script around it.
 * Pure: no Pulumi imports.
 *
 * Why `talosctl patch machineconfig` and not `talosctl apply-config --config-patch`:
 * `apply-config` needs the node's complete machine config in `--file` (it replaces the whole
 * config, secrets included), which this package never holds and must not. `patch machineconfig`
 * reads the node's current config over the Talos API, applies the strategic-merge patch to it and
 * applies the result with the chosen `--mode`; it needs only a talosconfig. Both commands exist in
 * every supported version (Talos CLI reference, v1.9-v1.13).
 *
 * Flags used, all present for `patch` in the v1.9-v1.13 CLI references: `--mode/-m`
 * (`auto, no-reboot, reboot, staged, try`), `--timeout` (rollback timeout of `try` mode, Go
 * duration, default `1m0s`), `--patch-file`; and the connection flags `--talosconfig`, `--nodes`,
 * `--endpoints`, which are root (persistent) flags in v1.9 and the command's own flags from
 * v1.11. They are placed before the subcommand where they are root flags and after it otherwise,
 * so each flag sits where that version declares it.
 */
import { InputError } from "./errors";
import { parseIp } from "./net";
import { parseTalosVersion } from "./version";

/** Values of `talosctl patch --mode`, identical in the v1.9-v1.13 CLI references. */
export const APPLY_MODES = ["auto", "no-reboot", "reboot", "staged", "try"] as const;
/** One of {@link APPLY_MODES}. */
export type ApplyMode = (typeof APPLY_MODES)[number];
/** Default apply mode: change the running config without rebooting; fails if a reboot would be needed. */
export const DEFAULT_APPLY_MODE: ApplyMode = "no-reboot";
/** Default rollback timeout of `try` mode: talosctl's own default. */
export const DEFAULT_TRY_TIMEOUT = "1m0s";
/** Environment variable that carries the talosconfig into the push script (never argv). */
export const TALOSCONFIG_ENV = "TALOS_ENDPOINTS_TALOSCONFIG";
/**
 * Interpreter for the push script. `--norc`: bash reads ~/.bashrc when its stdin is a socket (it
 * assumes rshd), as it is under Node's child_process; the push must not depend on a user's shell
 * profile.
 */
export const PUSH_INTERPRETER: readonly string[] = ["/bin/bash", "--norc", "--noprofile", "-c"];
/** Placeholders substituted by the push script at run time. */
export const TALOSCONFIG_FILE_PLACEHOLDER = "${TALOSCONFIG_FILE}";
export const PATCH_FILE_PLACEHOLDER = "${PATCH_FILE}";

/** Inputs of one talosctl patch invocation. */
export interface TalosctlPatchSpec {
  talosVersion: string;
  /** The node's physical address (no prefix): used for both `--nodes` and `--endpoints`. */
  nodeIp: string;
  /** Apply mode; default `no-reboot`. */
  mode?: string;
  /** Rollback timeout for `try` mode as a Go duration (`90s`, `2m`); only allowed with `try`. */
  tryTimeout?: string;
}

/**
 * Checks an apply mode.
 * @throws InputError naming `field` when the mode is not one of {@link APPLY_MODES}.
 */
export function checkApplyMode(field: string, value: unknown): ApplyMode {
  if (typeof value !== "string" || !(APPLY_MODES as readonly string[]).includes(value)) {
    throw new InputError(field, value, `must be one of ${APPLY_MODES.join(", ")}`);
  }
  return value as ApplyMode;
}

/**
 * Checks a Go duration such as `90s`, `1m30s` or `2m`, greater than zero.
 * @throws InputError naming `field`.
 */
export function checkGoDuration(field: string, value: unknown): string {
  if (typeof value !== "string" || !/^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/.test(value) || !/[1-9]/.test(value)) {
    throw new InputError(field, value, "must be a positive Go duration such as 90s, 2m or 1m30s");
  }
  return value;
}

/**
 * The argv (without the `talosctl` program name) that patches one node. The talosconfig and
 * patch file paths are the placeholders `${TALOSCONFIG_FILE}` and `${PATCH_FILE}`, expanded by
 * the push script.
 *
 * @throws InputError for an unsupported version, a malformed node address, an unknown mode, a
 *   malformed timeout, or a timeout without `try` mode.
 */
export function talosctlPatchArgs(spec: TalosctlPatchSpec): string[] {
  const version = parseTalosVersion(spec.talosVersion);
  const ip = parseIp("nodeIp", spec.nodeIp).ip;
  const mode = checkApplyMode("mode", spec.mode ?? DEFAULT_APPLY_MODE);
  if (spec.tryTimeout !== undefined && mode !== "try") {
    throw new InputError("tryTimeout", spec.tryTimeout, `only applies to mode "try" (mode is "${mode}")`);
  }
  const connection = ["--talosconfig", TALOSCONFIG_FILE_PLACEHOLDER, "--nodes", ip, "--endpoints", ip];
  const own = ["--mode", mode];
  if (mode === "try") own.push("--timeout", checkGoDuration("tryTimeout", spec.tryTimeout ?? DEFAULT_TRY_TIMEOUT));
  own.push("--patch-file", PATCH_FILE_PLACEHOLDER);
  const command = ["patch", "machineconfig"];
  return version.perCommandConnectionFlags ? [...command, ...connection, ...own] : [...connection, ...command, ...own];
}

/** Quotes one word for bash; placeholders stay expandable. */
function shellWord(word: string): string {
  if (word === TALOSCONFIG_FILE_PLACEHOLDER || word === PATCH_FILE_PLACEHOLDER) return `"${word}"`;
  if (/^[A-Za-z0-9_./:=@%+-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The command line as shown to people (synth output, logs): the talosconfig path is not a secret, its content never appears. */
export function displayCommandLine(talosctl: string, args: readonly string[]): string {
  return [talosctl, ...args]
    .map((w) => (w === TALOSCONFIG_FILE_PLACEHOLDER ? "<talosconfig: temporary 0600 file>" : w === PATCH_FILE_PLACEHOLDER ? "<patch: temporary file, content from stdin>" : shellWord(w)))
    .join(" ");
}

/**
 * The bash script run by the push resource for one node. It reads the patch from stdin and the
 * talosconfig from the `TALOS_ENDPOINTS_TALOSCONFIG` environment variable, writes both into a
 * fresh `mktemp -d` directory under `umask 077` (files mode 0600, directory 0700), runs talosctl
 * with the file paths, and removes the directory on every exit path (EXIT trap, also on
 * failure, SIGINT and SIGTERM). Neither the talosconfig nor the patch ever appears in argv.
 *
 * @param talosctl the talosctl program (name on PATH or absolute path).
 */
export function renderPushScript(talosctl: string, args: readonly string[]): string {
  if (!/^[A-Za-z0-9_./-]+$/.test(talosctl)) throw new InputError("talosctl", talosctl, "must be a program name or path without spaces or shell characters");
  return [
    "set -euo pipefail",
    "umask 077",
    `if [ -z "\${${TALOSCONFIG_ENV}:-}" ]; then echo "talos-endpoints: ${TALOSCONFIG_ENV} is empty: set the talosconfig secret" >&2; exit 2; fi`,
    `workdir="$(mktemp -d "\${TMPDIR:-/tmp}/talos-endpoints.XXXXXXXX")"`,
    `trap 'rm -rf "$workdir"' EXIT`,
    `trap 'exit 130' INT TERM`,
    `TALOSCONFIG_FILE="$workdir/talosconfig"`,
    `PATCH_FILE="$workdir/patch.yaml"`,
    `printf '%s' "$${TALOSCONFIG_ENV}" > "$TALOSCONFIG_FILE"`,
    `unset ${TALOSCONFIG_ENV}`,
    `cat > "$PATCH_FILE"`,
    `${shellWord(talosctl)} ${args.map(shellWord).join(" ")}`,
    "",
  ].join("\n");
}
