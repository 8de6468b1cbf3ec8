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
 * default `1m0s`), `--patch` (`@file`, repeatable); `get <type> <id> --output`; `read <path>`;
 * `version --short`; `service <id>`; and the connection flags `--talosconfig`, `--nodes`, `--endpoints`. Those are
 * root (persistent) flags in v1.9 and each command's own flags from v1.11; they always go after
 * the subcommand, which every version accepts (cobra passes persistent root flags down), so the
 * command line does not depend on which talosctl release is installed.
 *
 * Re-running is safe: the script reads the node's active config (`talosctl get machineconfig`)
 * with the reader (`pushReader.ts`: the `yaml` library, no shell text scanning), adds only the
 * certSANs the node lacks, applies one-shot parts only while they are needed, and on Talos >= 1.12
 * deletes the other `Layer2VIPConfig` documents on the VIP's link.
 */
import { checkGoDuration, checkInt, checkOneOf, checkPattern } from "../../core/checks";
import { InputError } from "../../core/errors";
import { checkLinkName, type OneShotPart } from "./patch";
import { parseIp } from "../../core/net";
import { parseTalosVersion } from "./version";
import type { ReaderRequest } from "./nodeConfig";
import { PATCH_ORDER_FILE } from "./pushReader";

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
/** Bound, in seconds, on one talosctl call inside a wait (applied with coreutils `timeout` when present). */
export const WAIT_CALL_TIMEOUT_SECONDS = 30;
/** Environment variable that carries the talosconfig into the push script (never argv). */
export const TALOSCONFIG_ENV = "TALOS_ENDPOINTS_TALOSCONFIG";
/**
 * Environment variable that carries the reader's command line into the push script, one word a
 * line (`pushReaderCommand()`: the Node.js binary and `pushReader.js`). An environment value, not
 * part of the script, so the script and its hash do not depend on where the package is installed.
 */
export const READER_ENV = "TALOS_ENDPOINTS_READER";
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
  oneShot?: readonly Pick<OneShotPart, "condition" | "description">[];
  /** SANs both certSANs lists must hold; the push adds only those the node's config lacks. Default none. */
  certSANs?: readonly string[];
  /** Talos >= 1.12 with a VIP: delete the other `Layer2VIPConfig` documents on this link. */
  replaceVipOnLink?: { link: string; vip: string };
  /** Bound on each wait, seconds, 0 to 86400; 0 skips the waits. Default 600. */
  waitTimeoutSeconds?: number;
  /**
   * `controlplane` (default): after the patch, wait until the node's etcd is healthy. `worker`:
   * wait until the node's Talos API answers again (a worker runs no etcd).
   */
  role?: "controlplane" | "worker";
}

/**
 * Checks an apply mode.
 * @throws InputError naming `field` when the mode is not one of {@link APPLY_MODES}.
 */
export function checkApplyMode(field: string, value: unknown): ApplyMode {
  return checkOneOf(field, value, APPLY_MODES, { quote: false });
}

/** The kit's Go-duration check (`90s`, `1m30s`, greater than zero), re-exported for importers of this module. */
export { checkGoDuration };

/**
 * Checks the talosctl program name or path.
 * @throws InputError when it holds spaces or shell characters.
 */
export function checkTalosctl(value: unknown): string {
  return checkPattern("talosctl", value, /^[A-Za-z0-9_./-]+$/, "must be a program name or path without spaces or shell characters");
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
  return checkInt("waitTimeoutSeconds", value ?? DEFAULT_WAIT_TIMEOUT_SECONDS, { min: 0, max: 86400, what: "whole seconds" });
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

/** Bash helpers of the push script (no secret ever reaches their arguments). */
const SCRIPT_HELPERS = [
  // until_ok WHAT FN: run FN until it succeeds, for at most WAIT seconds, and print its output; report its last error.
  "until_ok() {",
  '  local what=$1 fn=$2 last="" deadline=$((SECONDS + WAIT))',
  "  while :; do",
  `    if last=$("$fn" 2>&1); then if [[ -n $last ]]; then printf '%s\\n' "$last"; fi; return 0; fi`,
  "    if ((SECONDS >= deadline)); then die \"$what: not ready after $WAIT s; last error: ${last##*$'\\n'}\"; fi",
  "    sleep " + "5",
  "  done",
  "}",
];

/**
 * The reader's request for one node: the one-shot parts with their conditions and files, the
 * certSANs, and on Talos >= 1.12 with a VIP the link whose other `Layer2VIPConfig` documents go.
 * @throws InputError for a malformed `replaceVipOnLink`.
 */
export function readerRequest(spec: PushScriptSpec): ReaderRequest {
  const version = parseTalosVersion(spec.talosVersion);
  const request: ReaderRequest = {
    main: "part-0.yaml",
    parts: (spec.oneShot ?? []).map((part, i) => ({
      condition: part.condition,
      file: `part-${i + 1}.yaml`,
      description: part.description,
    })),
    certSANs: [...(spec.certSANs ?? [])],
  };
  if (spec.replaceVipOnLink && version.multiDocNetwork) {
    request.staleVips = {
      link: checkLinkName("replaceVipOnLink.link", spec.replaceVipOnLink.link),
      vip: parseIp("replaceVipOnLink.vip", spec.replaceVipOnLink.vip).ip,
    };
  }
  return request;
}

/**
 * The bash script run by the push resource for one node.
 *
 * 1. Writes the talosconfig (from the `TALOS_ENDPOINTS_TALOSCONFIG` environment variable) into a
 *    fresh `mktemp -d` directory under `umask 077` (file 0600, directory 0700) and splits stdin into
 *    the patch parts (separated by {@link PART_SEPARATOR} lines). Everything is removed on every
 *    exit path the shell sees (EXIT trap, also on failure, SIGINT and SIGTERM). Neither the
 *    talosconfig nor a patch ever appears in argv. The node's config, which holds the cluster's
 *    secrets, is only kept in a shell variable and piped to the reader, never written to a file.
 * 2. Waits until the node answers `talosctl version` (each call bounded by `timeout` when
 *    coreutils has it; the whole wait by `waitTimeoutSeconds`; the last error is reported).
 * 3. Hands that output to the reader ({@link READER_ENV}, `pushReader.ts versions`), which stops
 *    the push, before anything is applied, when the node's minor is on the other side of 1.12 than
 *    `talosVersion`'s or
 *    the node runs 1.12+ and talosctl is older than 1.12 (`checkVersions` in nodeConfig.ts).
 * 4. Reads the node's active config (`talosctl get machineconfig v1alpha1 -o jsonpath={.spec}`,
 *    what `talosctl patch` merges into) and hands it to the reader (`pushReader.ts plan`), which
 *    parses it with the `yaml` library and picks the patch files: on Talos >= 1.12 with a VIP the
 *    deletes of the other `Layer2VIPConfig` documents on the same link (an earlier VIP) first, then
 *    the main patch, the certSANs the node's two lists lack (none when they hold them all), and
 *    each one-shot part while its condition holds.
 * 5. Runs `talosctl patch machineconfig` with those files and prints its output.
 * 6. When the patch reboots the node (`reboot` mode, or Talos answers "Applied configuration with
 *    a reboot"), waits until the node's boot ID changes; then waits until its etcd service is
 *    healthy, so the next node is only patched once this one is back in the cluster.
 *
 * @throws InputError for a bad version, address, mode, timeout, talosctl path or `replaceVipOnLink`.
 */
export function renderPushScript(spec: PushScriptSpec): string {
  const talosctl = checkTalosctl(spec.talosctl ?? "talosctl");
  const version = parseTalosVersion(spec.talosVersion);
  const ip = parseIp("nodeIp", spec.nodeIp).ip;
  const patchArgs = talosctlPatchArgs(spec);
  const { mode } = checkModeAndTimeout(spec.mode, spec.tryTimeout);
  const wait = checkWait(spec.waitTimeoutSeconds);
  const request = readerRequest(spec);
  const conn = line(connectionArgs(ip));
  const tc = `"\${TO[@]}" ${shellWord(talosctl)}`;
  const waitAfter =
    wait === 0
      ? []
      : [
          `if [[ ${mode === "reboot" ? "1 == 1" : `"$PATCH_OUT" == *"with a reboot"*`} ]]; then say "waiting for the reboot"; until_ok "the node's reboot" rebooted; fi`,
          spec.role === "worker" ? `until_ok "the node's Talos API" node_version >/dev/null` : `until_ok "etcd on the node" etcd_ok`,
        ];
  return [
    "set -euo pipefail",
    "umask 077",
    `say() { printf 'talos-endpoints: %s: %s\\n' '${ip}' "$*"; }`,
    `die() { printf 'talos-endpoints: %s: %s\\n' '${ip}' "$*" >&2; exit 1; }`,
    `if [ -z "\${${TALOSCONFIG_ENV}:-}" ]; then echo "talos-endpoints: ${TALOSCONFIG_ENV} is empty: set the talosconfig secret" >&2; exit 2; fi`,
    `if [ -z "\${${READER_ENV}:-}" ]; then echo "talos-endpoints: ${READER_ENV} is empty: it names the reader the push runs (set by TalosConfigPush)" >&2; exit 2; fi`,
    `mapfile -t READER <<<"$${READER_ENV}"`,
    `WORKDIR="$(mktemp -d "\${TMPDIR:-/tmp}/talos-endpoints.XXXXXXXX")"`,
    `trap 'rm -rf "$WORKDIR"' EXIT`,
    `trap 'exit 130' INT TERM HUP`,
    `TALOSCONFIG_FILE="$WORKDIR/talosconfig"`,
    `printf '%s' "$${TALOSCONFIG_ENV}" > "$TALOSCONFIG_FILE"`,
    `unset ${TALOSCONFIG_ENV}`,
    `WAIT=${wait}`,
    `TO=(); if command -v timeout >/dev/null 2>&1; then TO=(timeout ${WAIT_CALL_TIMEOUT_SECONDS}); fi`,
    `awk -v dir="$WORKDIR" 'BEGIN { n = 0; f = dir "/part-0.yaml"; printf "" > f } $0 == "${PART_SEPARATOR}" { n++; f = dir "/part-" n ".yaml"; printf "" > f; next } { print > f }'`,
    ...SCRIPT_HELPERS,
    `node_version() { ${tc} version ${conn} --short; }`,
    `boot_id() { ${tc} read ${conn} /proc/sys/kernel/random/boot_id; }`,
    `rebooted() { local now; now=$(boot_id) || return 1; if [[ -n $now && $now != "$BOOT_ID" ]]; then return 0; fi; echo "the node has not rebooted yet"; return 1; }`,
    `etcd_ok() { local out; out=$(${tc} service ${conn} etcd) || return 1; if [[ $out =~ (^|$'\\n')HEALTH[[:space:]]+OK ]]; then return 0; fi; echo "etcd is not healthy yet"; return 1; }`,
    wait === 0
      ? `VERSION_OUT=$(node_version 2>&1) || die "cannot read the node's Talos version: \${VERSION_OUT##*$'\\n'}"`
      : `VERSION_OUT=$(until_ok "the node's Talos API" node_version) || exit 1`,
    `VERSIONS=$(printf '%s\\n' "$VERSION_OUT" | "\${READER[@]}" versions ${version.minor} 2>&1) || die "$VERSIONS"`,
    `say "$VERSIONS"`,
    `CURRENT=$(${tc} get machineconfig v1alpha1 ${conn} -o 'jsonpath={.spec}') || die "cannot read the node's machine config"`,
    `BOOT_ID=$(boot_id 2>/dev/null || true)`,
    // Without the boot ID from before the patch, "rebooted" would pass at once (any ID differs).
    ...(wait !== 0 && (mode === "reboot" || mode === "auto")
      ? [
          `if [[ -z $BOOT_ID ]]; then die "cannot read the node's boot ID (/proc/sys/kernel/random/boot_id), which the wait for a reboot compares: nothing was applied"; fi`,
        ]
      : []),
    `PLAN=$(printf '%s\\n' "$CURRENT" | "\${READER[@]}" plan "$WORKDIR" ${shellWord(JSON.stringify(request))}) || die "cannot decide the patch from the node's machine config: nothing was applied"`,
    `unset CURRENT`,
    `while IFS= read -r m; do if [[ -n $m ]]; then say "$m"; fi; done <<<"$PLAN"`,
    `PATCHES=()`,
    `while IFS= read -r f; do PATCHES+=(--patch "@$WORKDIR/$f"); done < "$WORKDIR/${PATCH_ORDER_FILE}"`,
    `set +e`,
    `PATCH_OUT=$(${shellWord(talosctl)} ${line(patchArgs)} "\${PATCHES[@]}" 2>&1)`,
    `rc=$?`,
    `set -e`,
    `printf '%s\\n' "$PATCH_OUT"`,
    `if ((rc != 0)); then exit "$rc"; fi`,
    ...waitAfter,
    "say patched",
    "",
  ].join("\n");
}

/** The stdin of the push script: the main patch, then each one-shot part after a separator line. */
export function pushScriptInput(mainYaml: string, oneShot: readonly Pick<OneShotPart, "yaml">[]): string {
  return [mainYaml, ...oneShot.map((p) => `${PART_SEPARATOR}\n${p.yaml}`)].join("");
}
