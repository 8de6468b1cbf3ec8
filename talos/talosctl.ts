/**
 * The talosctl invocations that push a node's patch, and the bash script around them.
 * Pure: no Pulumi imports.
 *
 * Why `talosctl patch machineconfig` and not `talosctl apply-config --config-patch`:
 * `apply-config` needs the node's complete machine config in `--file` (it replaces the whole
 * config, secrets included), which this package never holds and must not. `patch machineconfig`
 * reads the node's current config over the Talos API, applies strategic-merge patches to it and
 * applies the result with the chosen `--mode`; it needs only a talosconfig. Both exist in every
 * supported version (Talos CLI reference, v1.9-v1.13).
 *
 * Flags used, all listed for their commands in the v1.9-v1.13 CLI references: `patch` `--mode/-m`
 * (`auto, no-reboot, reboot, staged, try`), `--timeout` (rollback timeout of `try`, Go duration,
 * default `1m0s`), `--patch` (`@file`, repeatable); `read <path>`; `version --short`;
 * `service <id>`; and the connection flags `--talosconfig`, `--nodes`, `--endpoints`. Those are
 * root (persistent) flags in v1.9 and each command's own flags from v1.11; they always go after
 * the subcommand, which every version accepts (cobra passes persistent root flags down), so the
 * command line does not depend on which talosctl release is installed.
 *
 * Re-running is safe: the script reads the node's current config (`talosctl read
 * /system/state/config.yaml`) and applies one-shot parts only while they are needed, and on
 * Talos >= 1.12 deletes `Layer2VIPConfig` documents this push left on the VIP's link for an
 * earlier VIP.
 */
import { InputError } from "./errors";
import type { OneShotPart } from "./patch";
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
/** Default bound, in seconds, on each wait of the push (node answering before, etcd running after). */
export const DEFAULT_WAIT_TIMEOUT_SECONDS = 600;
/** Seconds between two tries of a wait. */
export const WAIT_INTERVAL_SECONDS = 5;
/** Where Talos keeps the applied machine config (readable with `talosctl read`). */
export const NODE_CONFIG_PATH = "/system/state/config.yaml";
/** Environment variable that carries the talosconfig into the push script (never argv). */
export const TALOSCONFIG_ENV = "TALOS_ENDPOINTS_TALOSCONFIG";
/** Line that separates the patch parts on the script's stdin. */
export const PART_SEPARATOR = "#--talos-endpoints-part--";
/**
 * Interpreter for the push script. `--norc`: bash reads ~/.bashrc when its stdin is a socket (it
 * assumes rshd), as it is under Node's child_process; the push must not depend on a user's shell
 * profile.
 */
export const PUSH_INTERPRETER: readonly string[] = ["/bin/bash", "--norc", "--noprofile", "-c"];

/** Inputs of one node's push. */
export interface PushScriptSpec {
  talosVersion: string;
  /** The node's physical address (no prefix): used for both `--nodes` and `--endpoints`. */
  nodeIp: string;
  /** Apply mode; default `no-reboot`. */
  mode?: string;
  /** Rollback timeout for `try` mode as a Go duration (`90s`, `2m`); only allowed with `try`. */
  tryTimeout?: string;
  /** The talosctl program; default `talosctl`. */
  talosctl?: string;
  /** Parts applied only when needed, in stdin order after the main patch. */
  oneShot?: readonly Pick<OneShotPart, "when" | "marker" | "description">[];
  /** Talos >= 1.12 with a VIP: delete other `Layer2VIPConfig` documents on this link. */
  replaceVipOnLink?: { link: string; vip: string };
  /** Bound on each wait, seconds, 0 to 86400; 0 skips the waits. Default 600. */
  waitTimeoutSeconds?: number;
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
 * Checks the talosctl program name or path.
 * @throws InputError when it holds spaces or shell characters.
 */
export function checkTalosctl(value: unknown): string {
  if (typeof value !== "string" || !/^[A-Za-z0-9_./-]+$/.test(value)) {
    throw new InputError("talosctl", value, "must be a program name or path without spaces or shell characters");
  }
  return value;
}

/** Checks the `mode` / `tryTimeout` pair. */
export function checkModeAndTimeout(mode: unknown, tryTimeout: unknown): { mode: ApplyMode; tryTimeout?: string } {
  const m = checkApplyMode("mode", mode ?? DEFAULT_APPLY_MODE);
  if (tryTimeout !== undefined && m !== "try") {
    throw new InputError("tryTimeout", tryTimeout, `only applies to mode "try" (mode is "${m}")`);
  }
  return { mode: m, tryTimeout: m === "try" ? checkGoDuration("tryTimeout", tryTimeout ?? DEFAULT_TRY_TIMEOUT) : undefined };
}

function checkWait(value: unknown): number {
  const v = value ?? DEFAULT_WAIT_TIMEOUT_SECONDS;
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v > 86400) throw new InputError("waitTimeoutSeconds", value, "must be whole seconds from 0 to 86400");
  return v;
}

/** Quotes one word for bash, leaving `"$VAR"` words as they are. */
function shellWord(word: string): string {
  if (/^"\$[A-Z_]+"$/.test(word) || /^"@\$[A-Z_]+"$/.test(word)) return word;
  if (/^[A-Za-z0-9_./:=@%+-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

function line(words: readonly string[]): string {
  return words.map(shellWord).join(" ");
}

/**
 * The argv (without the program) of the patch command. The talosconfig is `"$TALOSCONFIG_FILE"`
 * and the patches are passed by the script as `"${PATCHES[@]}"` (each `--patch @<file>`).
 * @throws InputError for an unsupported version, a malformed node address or a bad mode/timeout.
 */
export function talosctlPatchArgs(spec: Pick<PushScriptSpec, "talosVersion" | "nodeIp" | "mode" | "tryTimeout">): string[] {
  parseTalosVersion(spec.talosVersion);
  const ip = parseIp("nodeIp", spec.nodeIp).ip;
  const { mode, tryTimeout } = checkModeAndTimeout(spec.mode, spec.tryTimeout);
  const args = ["patch", "machineconfig", ...connectionArgs(ip), "--mode", mode];
  if (tryTimeout) args.push("--timeout", tryTimeout);
  return args;
}

function connectionArgs(ip: string): string[] {
  return ["--talosconfig", '"$TALOSCONFIG_FILE"', "--nodes", ip, "--endpoints", ip];
}

/** The patch command line as shown to people (synth output, logs): temporary files named, never their content. */
export function displayCommandLine(talosctl: string, args: readonly string[]): string {
  return [talosctl, ...args, "--patch", "@<patch file> ..."]
    .map((w) => (w === '"$TALOSCONFIG_FILE"' ? "<talosconfig: temporary 0600 file>" : w))
    .join(" ");
}

function waitLoop(what: string, check: string, timeout: number): string[] {
  if (timeout === 0) return [];
  const tries = Math.max(1, Math.ceil(timeout / WAIT_INTERVAL_SECONDS));
  return [
    `for ((try = 1; ; try++)); do`,
    `  if ${check}; then break; fi`,
    `  if ((try >= ${tries})); then die "${what}: still not ready after ${timeout} s"; fi`,
    `  sleep ${WAIT_INTERVAL_SECONDS}`,
    "done",
  ];
}

/**
 * The bash script run by the push resource for one node.
 *
 * 1. Writes the talosconfig (from the `TALOS_ENDPOINTS_TALOSCONFIG` environment variable) into a
 *    fresh `mktemp -d` directory under `umask 077` (file 0600, directory 0700) and splits stdin into
 *    the patch parts (separated by {@link PART_SEPARATOR} lines). Everything is removed on every
 *    exit path (EXIT trap, also on failure, SIGINT and SIGTERM). Neither the talosconfig nor a
 *    patch ever appears in argv.
 * 2. Waits, bounded by `waitTimeoutSeconds`, until the node answers `talosctl version`.
 * 3. Reads the node's config and keeps each one-shot part only while it is needed.
 * 4. On Talos >= 1.12 with a VIP, adds `$patch: delete` documents for `Layer2VIPConfig`s on the
 *    same link whose name is not the VIP (left by an earlier VIP).
 * 5. Runs `talosctl patch machineconfig` with the parts.
 * 6. Waits, bounded, until the node's etcd service is Running and healthy again, so the next
 *    node is only patched once this one is back in the cluster.
 *
 * @throws InputError for a bad version, address, mode, timeout, talosctl path or marker.
 */
export function renderPushScript(spec: PushScriptSpec): string {
  const talosctl = checkTalosctl(spec.talosctl ?? "talosctl");
  const version = parseTalosVersion(spec.talosVersion);
  const ip = parseIp("nodeIp", spec.nodeIp).ip;
  const patchArgs = talosctlPatchArgs(spec);
  const wait = checkWait(spec.waitTimeoutSeconds);
  const conn = line(connectionArgs(ip));
  const oneShot = spec.oneShot ?? [];
  const select = oneShot.flatMap((part, i) => {
    if (/[\n']/.test(part.marker)) throw new InputError(`oneShot[${i}].marker`, part.marker, "must be one line without single quotes");
    const found = `grep -qF -- '${part.marker}' "$CURRENT"`;
    const needed = part.when === "absent" ? `! ${found}` : found;
    const label = part.description.replace(/["$`\\]/g, "");
    return [
      `if ${needed}; then PATCHES+=(--patch "@$WORKDIR/part-${i + 1}.yaml"); say "${label}"; else say "already done: ${label}"; fi`,
    ];
  });
  const stale: string[] = [];
  if (spec.replaceVipOnLink && version.multiDocNetwork) {
    const vip = parseIp("replaceVipOnLink.vip", spec.replaceVipOnLink.vip).ip;
    const link = spec.replaceVipOnLink.link;
    if (!/^[A-Za-z0-9._-]{1,15}$/.test(link)) throw new InputError("replaceVipOnLink.link", link, "must be an interface name");
    stale.push(
      "# Layer2VIPConfig documents on this link for another VIP (an earlier value): delete them.",
      `awk -v link='${link}' -v vip='${vip}' '` +
        `function flush() { if (kind == "Layer2VIPConfig" && lnk == link && name != vip && name != "") printf "---\\napiVersion: v1alpha1\\nkind: Layer2VIPConfig\\nname: %s\\n$patch: delete\\n", name; kind = name = lnk = "" } ` +
        `/^---/ { flush(); next } /^kind: / { kind = $2 } /^name: / { name = $2 } /^link: / { lnk = $2 } END { flush() }' "$CURRENT" > "$WORKDIR/stale-vips.yaml"`,
      `if [ -s "$WORKDIR/stale-vips.yaml" ]; then PATCHES+=(--patch "@$WORKDIR/stale-vips.yaml"); say "removing Layer2VIPConfig for an earlier VIP: $(grep '^name:' "$WORKDIR/stale-vips.yaml" | tr '\\n' ' ')"; fi`,
    );
  }
  const tc = shellWord(talosctl);
  return [
    "set -euo pipefail",
    "umask 077",
    `say() { printf 'talos-endpoints: %s: %s\\n' '${ip}' "$*"; }`,
    `die() { printf 'talos-endpoints: %s: %s\\n' '${ip}' "$*" >&2; exit 1; }`,
    `if [ -z "\${${TALOSCONFIG_ENV}:-}" ]; then echo "talos-endpoints: ${TALOSCONFIG_ENV} is empty: set the talosconfig secret" >&2; exit 2; fi`,
    `WORKDIR="$(mktemp -d "\${TMPDIR:-/tmp}/talos-endpoints.XXXXXXXX")"`,
    `trap 'rm -rf "$WORKDIR"' EXIT`,
    `trap 'exit 130' INT TERM`,
    `TALOSCONFIG_FILE="$WORKDIR/talosconfig"`,
    `CURRENT="$WORKDIR/current.yaml"`,
    `printf '%s' "$${TALOSCONFIG_ENV}" > "$TALOSCONFIG_FILE"`,
    `unset ${TALOSCONFIG_ENV}`,
    `awk -v dir="$WORKDIR" 'BEGIN { n = 0; f = dir "/part-0.yaml"; printf "" > f } $0 == "${PART_SEPARATOR}" { n++; f = dir "/part-" n ".yaml"; printf "" > f; next } { print > f }'`,
    ...waitLoop("the node's Talos API", `${tc} version ${conn} --short >/dev/null 2>&1`, wait),
    `${tc} read ${conn} ${NODE_CONFIG_PATH} > "$CURRENT" || die "cannot read the node's machine config"`,
    `PATCHES=(--patch "@$WORKDIR/part-0.yaml")`,
    ...select,
    ...stale,
    `${tc} ${line(patchArgs)} "\${PATCHES[@]}"`,
    ...waitLoop("etcd on the node", `${tc} service ${conn} etcd 2>/dev/null | grep -Eq '^HEALTH +OK'`, wait),
    "say patched",
    "",
  ].join("\n");
}

/** The stdin of the push script: the main patch, then each one-shot part after a separator line. */
export function pushScriptInput(mainYaml: string, oneShot: readonly Pick<OneShotPart, "yaml">[]): string {
  return [mainYaml, ...oneShot.map((p) => `${PART_SEPARATOR}\n${p.yaml}`)].join("");
}
