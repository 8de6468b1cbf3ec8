/**
 * The shell steps that install rendered HAProxy/Keepalived files on a load-balancer host:
 * validate, then move into place, then reload. Pure: no Pulumi imports. The Pulumi remote command
 * and the namespace lab (tests/lab) run the very same script.
 *
 * Validation commands: `haproxy -dW -c -f <file>` (`-c` checks the configuration and exits,
 * `-dW` "zero-warning mode" turns every warning into a failure; haproxy(1), HAProxy 2.6
 * management guide §3) and `keepalived -t -f <file>` (`--config-test`, keepalived(8); non-zero
 * on any warning, e.g. 5 or 6). Reload: HAProxy in master-worker mode re-reads its configuration on
 * SIGUSR2 (management guide §4, "Stopping and restarting HAProxy"; Debian's haproxy.service
 * `ExecReload` sends it after `haproxy -c`); Keepalived on SIGHUP (keepalived(8), "SIGNALS").
 */
import { checkPattern } from "../../core/checks";
import { InputError } from "../../core/errors";
import { CHECK_SCRIPT_PREFIX, RenderedCheckScript } from "./keepalivedConfig";

/** How the services are told to re-read their files after an install. */
export type ReloadMethod =
  /** `systemctl reload-or-restart <unit>`: reloads a running unit, starts a stopped one (systemctl(1)). Default. */
  | { kind: "systemd"; haproxyUnit?: string; keepalivedUnit?: string }
  /**
   * SIGUSR2 to the HAProxy master and SIGHUP to Keepalived, PIDs read from pid files (defaults
   * `/run/haproxy.pid` and `/run/keepalived.pid`, the Debian defaults). A service whose pid file
   * names no live process is only installed (reported, exit 0): starting it is the service
   * manager's job.
   */
  | { kind: "signal"; haproxyPidFile?: string; keepalivedPidFile?: string }
  /** Install only. */
  | { kind: "none" };

/** Input of {@link renderPushSteps}. */
export interface PushStepsSpec {
  /** The new haproxy.cfg (from `renderHaproxyConfig`). */
  haproxyConfig: string;
  /**
   * The new keepalived.conf (from `renderKeepalivedConfig`); may hold an `auth_pass`, so the
   * script is a secret too. Omit on a host that runs HAProxy alone: every Keepalived step is then
   * left out.
   */
  keepalivedConfig?: string;
  /** The check script the keepalived.conf refers to (from `renderCheckScript`); omit only for configs that use none. Requires `keepalivedConfig`. */
  checkScript?: RenderedCheckScript;
  /**
   * Files haproxy.cfg refers to (the authenticated check's CA and client certificate), each at a
   * content-addressed path under the haproxy.cfg directory whose name starts with
   * {@link HAPROXY_FILE_PREFIX}: installed before haproxy.cfg is validated (HAProxy reads them
   * then), never over a different file; after a successful reload every such file the new
   * haproxy.cfg does not name is deleted (also all of them when this list is empty).
   * May hold a private key: the script is then a secret.
   */
  haproxyFiles?: readonly HaproxyFile[];
  /**
   * Default {@link DEFAULT_HAPROXY_CONFIG_PATH} (Debian). The component always uses the default;
   * another path is for running the script elsewhere (the tests install into a temporary directory).
   */
  haproxyConfigPath?: string;
  /** Default {@link DEFAULT_KEEPALIVED_CONFIG_PATH} (Debian). As `haproxyConfigPath`, the component uses the default. */
  keepalivedConfigPath?: string;
  /** Default `{ kind: "systemd" }` (what the component uses; the namespace lab, which has no systemd, signals). */
  reload?: ReloadMethod;
}

/** Where Debian's haproxy package (and its systemd unit) reads haproxy.cfg. */
export const DEFAULT_HAPROXY_CONFIG_PATH = "/etc/haproxy/haproxy.cfg";
/** Where Debian's keepalived package (and its systemd unit) reads keepalived.conf. */
export const DEFAULT_KEEPALIVED_CONFIG_PATH = "/etc/keepalived/keepalived.conf";
/** The programs the script validates with: the Debian packages' paths. */
const HAPROXY_BIN = "/usr/sbin/haproxy";
const KEEPALIVED_BIN = "/usr/sbin/keepalived";

/** File modes the push gives the installed files (octal, as `chmod` takes them). */
export const INSTALLED_FILE_MODES = Object.freeze({
  /** haproxy.cfg: readable by all, as Debian ships it. */
  haproxyConfig: "0644",
  /** The check script: executable; keepalived checks that `script_user` (root) may execute it. */
  checkScript: "0755",
  /** keepalived.conf: root only (it may hold the VRRP password). */
  keepalivedConfig: "0600",
});

/** Name prefix of the content-addressed files haproxy.cfg refers to (see {@link PushStepsSpec.haproxyFiles}). */
export const HAPROXY_FILE_PREFIX = "talos-endpoints-";

/** A file haproxy.cfg refers to. */
export interface HaproxyFile {
  /** Absolute path, `<haproxy.cfg dir>/talos-endpoints-<name>-<hash>.pem`. */
  path: string;
  /** Mode, octal (`0600`). */
  mode: string;
  /** Owner and group, `haproxy` or `root` (default). */
  owner?: "haproxy" | "root";
  /** The content. */
  content: string;
}

/** One file the push script installs. */
export interface InstalledFile {
  /** Absolute path on the host. */
  path: string;
  /** Mode, octal (`0644`). */
  mode: string;
  /** The content, as given to {@link renderPushSteps}. */
  content: string;
}

/** Exit codes of the push script. */
export const PUSH_EXIT = Object.freeze({
  /** Installed, or nothing to change. */
  ok: 0,
  /** Missing program, not root, unwritable directory, failed reload. */
  error: 1,
  /** `haproxy -dW -c` refused the new haproxy.cfg; nothing was changed. */
  haproxyRefused: 3,
  /** `keepalived -t` refused the new keepalived.conf; nothing was changed. */
  keepalivedRefused: 4,
  /** The check script does not parse, or a different file already sits at its content-addressed path. */
  checkScriptRefused: 5,
});

const SAFE_PATH = /^(\/[A-Za-z0-9._-]+)+$/;
const SAFE_UNIT = /^[A-Za-z0-9@._-]+\.service$/;

function checkPath(field: string, value: unknown): string {
  return checkPattern(field, value, SAFE_PATH, "must be an absolute path of letters, digits and . _ - (no spaces or shell characters)");
}

function checkUnit(field: string, value: unknown): string {
  return checkPattern(field, value, SAFE_UNIT, "must be a systemd service unit name such as haproxy.service");
}

function base64(text: string): string {
  return Buffer.from(text, "utf8").toString("base64");
}

/** The "reload pending" marker beside a config file: `.<file name>.reload-pending` in its directory. */
function pendingMarker(configPath: string): string {
  return `${dirname(configPath)}/.${configPath.slice(configPath.lastIndexOf("/") + 1)}.reload-pending`;
}

function dirname(path: string): string {
  return path.slice(0, path.lastIndexOf("/")) || "/";
}

const PRELUDE = [
  "#!/bin/bash",
  "# Rendered by talos-endpoints: validate, install and reload the HAProxy + Keepalived files.",
  "# Exit 0 installed or unchanged; 3 haproxy refused haproxy.cfg; 4 keepalived refused keepalived.conf;",
  "# 5 check script problem; 1 other error. Nothing a running service reads changes unless every validation passed.",
  "set -euo pipefail",
  "umask 077",
  "say() { printf 'talos-endpoints: %s\\n' \"$*\"; }",
  'die() { local code=$1; shift; printf \'talos-endpoints: %s\\n\' "$*" >&2; exit "$code"; }',
  "staged=()",
  "new_files=()",
  "new_check=",
  'cleanup() { if [ "${#staged[@]}" -gt 0 ]; then rm -f -- "${staged[@]}"; fi; if [ -n "$new_check" ]; then rm -f -- "$new_check"; fi; if [ "${#new_files[@]}" -gt 0 ]; then rm -f -- "${new_files[@]}"; fi; }',
  "trap cleanup EXIT",
  "trap 'exit 130' INT TERM",
  '[ "$(id -u)" = 0 ] || die 1 "must run as root"',
  "# stage <variable> <final path> <mode> <base64 content>: a temporary file in the final directory (so mv is an atomic rename)",
  "stage() {",
  "  local tmp",
  '  tmp=$(mktemp "$(dirname -- "$2")/.$(basename -- "$2").XXXXXXXX") || die 1 "cannot create a file in $(dirname -- "$2")"',
  '  staged+=("$tmp")',
  '  printf \'%s\' "$4" | base64 -d > "$tmp"',
  '  chmod "$3" "$tmp"',
  '  printf -v "$1" \'%s\' "$tmp"',
  "}",
  "# install_file <staged> <final> <label> <reload marker>: moves a changed file into place. The marker",
  "# is written first and removed only after a successful reload, so a reload that failed (or a",
  "# script that was killed) is retried by the next run even though the file is then unchanged.",
  "install_file() {",
  '  if [ -e "$2" ] && cmp -s -- "$1" "$2"; then say "$3 unchanged"; return 0; fi',
  '  : > "$4" || die 1 "cannot write $4"',
  '  mv -f -- "$1" "$2" || die 1 "cannot move the new $3 to $2"',
  '  say "$3 installed"',
  "}",
];

const SIGNAL_RELOAD = [
  "# signal_reload <name> <pid file> <signal>",
  "signal_reload() {",
  "  local pid",
  '  pid=$(head -n 1 -- "$2" 2>/dev/null || true)',
  '  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then',
  '    kill -"$3" "$pid" || die 1 "$1: SIG$3 to pid $pid failed"',
  '    say "$1 reloaded (SIG$3 to pid $pid)"',
  "  else",
  '    say "$1 is not running (no live pid in $2): installed only"',
  "  fi",
  "}",
];

function reloadCommands(method: ReloadMethod): { helpers: string[]; haproxy: string; keepalived: string } {
  switch (method.kind) {
    case "systemd": {
      const h = checkUnit("reload.haproxyUnit", method.haproxyUnit ?? "haproxy.service");
      const k = checkUnit("reload.keepalivedUnit", method.keepalivedUnit ?? "keepalived.service");
      return {
        helpers: [],
        haproxy: `systemctl reload-or-restart ${h} || die 1 "systemctl reload-or-restart ${h} failed"; say "${h} reloaded"`,
        keepalived: `systemctl reload-or-restart ${k} || die 1 "systemctl reload-or-restart ${k} failed"; say "${k} reloaded"`,
      };
    }
    case "signal": {
      const h = checkPath("reload.haproxyPidFile", method.haproxyPidFile ?? "/run/haproxy.pid");
      const k = checkPath("reload.keepalivedPidFile", method.keepalivedPidFile ?? "/run/keepalived.pid");
      return { helpers: SIGNAL_RELOAD, haproxy: `signal_reload haproxy ${h} USR2`, keepalived: `signal_reload keepalived ${k} HUP` };
    }
    case "none":
      return { helpers: [], haproxy: 'say "haproxy reload skipped"', keepalived: 'say "keepalived reload skipped"' };
    default:
      throw new InputError("reload.kind", (method as { kind: unknown }).kind, "must be systemd, signal or none");
  }
}

function checkScriptSteps(script: RenderedCheckScript | undefined, keepalivedConf: string): { install: string[]; prune: string[] } {
  if (script === undefined) return { install: [], prune: [] };
  const path = checkPath("checkScript.path", script.path);
  const dir = dirname(path);
  const content = base64(script.content);
  return {
    install: [
      "# 2. the check script, at a content-addressed path the running keepalived does not use",
      `CHECK_SCRIPT=${path}`,
      'if [ -e "$CHECK_SCRIPT" ]; then',
      `  printf '%s' '${content}' | base64 -d | cmp -s - "$CHECK_SCRIPT" || die 5 "$CHECK_SCRIPT exists with different content; remove it and push again"`,
      "else",
      `  stage check_new "$CHECK_SCRIPT" ${INSTALLED_FILE_MODES.checkScript} '${content}'`,
      '  bash -n "$check_new" || die 5 "the new check script does not parse"',
      '  mv -f -- "$check_new" "$CHECK_SCRIPT"',
      "  new_check=$CHECK_SCRIPT",
      "fi",
      `previous_check=$(grep -o '${CHECK_SCRIPT_PREFIX}[0-9a-f]*\\.sh' ${keepalivedConf} 2>/dev/null | head -n 1 || true)`,
    ],
    prune: [
      "# 6. remove check scripts that neither the new nor the previous keepalived.conf uses",
      `for f in ${dir}/${CHECK_SCRIPT_PREFIX}*.sh; do`,
      '  [ -e "$f" ] || continue',
      `  if [ "$f" != "$CHECK_SCRIPT" ] && [ "$f" != "${dir}/$previous_check" ]; then rm -f -- "$f"; fi`,
      "done",
    ],
  };
}

function haproxyFileSteps(files: readonly HaproxyFile[], haproxyCfg: string): { install: string[]; prune: string[] } {
  const dir = dirname(haproxyCfg);
  const install = files.flatMap((f, i) => {
    const path = checkPath(`haproxyFiles[${i}].path`, f.path);
    if (dirname(path) !== dir || !path.slice(dir.length + 1).startsWith(HAPROXY_FILE_PREFIX))
      throw new InputError(`haproxyFiles[${i}].path`, f.path, `must be ${dir}/${HAPROXY_FILE_PREFIX}<name>`);
    const mode = checkPattern(`haproxyFiles[${i}].mode`, f.mode, /^0[0-7]{3}$/, "must be an octal mode such as 0600");
    const owner = checkPattern(`haproxyFiles[${i}].owner`, f.owner ?? "root", /^(haproxy|root)$/, "must be haproxy or root");
    return [
      `if [ -e ${path} ]; then`,
      `  printf '%s' '${base64(f.content)}' | base64 -d | cmp -s - ${path} || die 5 "${path} exists with different content; remove it and push again"`,
      "else",
      `  stage file_new ${path} ${mode} '${base64(f.content)}'`,
      `  chown ${owner}:${owner} "$file_new" || die 1 "cannot give ${path} to ${owner}"`,
      `  mv -f -- "$file_new" ${path}`,
      `  new_files+=(${path})`,
      "fi",
    ];
  });
  const keep = files.map((f) => `"$f" != ${f.path}`);
  return {
    install: install.length
      ? ["# 1a. files haproxy.cfg refers to, at content-addressed paths the running HAProxy does not read", ...install]
      : [],
    // HAProxy reads these files only when it starts or reloads: once the reload above succeeded,
    // every such file the new haproxy.cfg does not name (an older certificate and its key, or all
    // of them when the check is no longer authenticated) can go.
    prune: [
      "# 6a. remove the files haproxy.cfg refers to that the new one does not name (old certificates and keys)",
      `for f in ${dir}/${HAPROXY_FILE_PREFIX}*.pem; do`,
      '  [ -e "$f" ] || continue',
      keep.length ? `  if [[ ${keep.join(" && ")} ]]; then rm -f -- "$f"; fi` : '  rm -f -- "$f"',
      "done",
    ],
  };
}

/**
 * The files {@link renderPushSteps} installs for `spec`, in install order: haproxy.cfg, then (with
 * `keepalivedConfig`) the check script and keepalived.conf. These are all the files the script
 * leaves on the host; besides them it only writes temporary files that it removes (staged copies,
 * `.<file>.reload-pending` markers) and deletes check scripts of older configs.
 * @throws InputError as {@link renderPushSteps} for a bad path or a `checkScript` without `keepalivedConfig`.
 */
export function installedFiles(spec: PushStepsSpec): InstalledFile[] {
  const files: InstalledFile[] = [
    ...(spec.haproxyFiles ?? []).map((f) => ({ path: f.path, mode: f.mode, content: f.content })),
    {
      path: checkPath("haproxyConfigPath", spec.haproxyConfigPath ?? DEFAULT_HAPROXY_CONFIG_PATH),
      mode: INSTALLED_FILE_MODES.haproxyConfig,
      content: spec.haproxyConfig,
    },
  ];
  if (spec.keepalivedConfig === undefined) {
    if (spec.checkScript !== undefined)
      throw new InputError("checkScript", spec.checkScript.path, "needs keepalivedConfig: only keepalived runs the check script");
    return files;
  }
  if (spec.checkScript !== undefined)
    files.push({
      path: checkPath("checkScript.path", spec.checkScript.path),
      mode: INSTALLED_FILE_MODES.checkScript,
      content: spec.checkScript.content,
    });
  files.push({
    path: checkPath("keepalivedConfigPath", spec.keepalivedConfigPath ?? DEFAULT_KEEPALIVED_CONFIG_PATH),
    mode: INSTALLED_FILE_MODES.keepalivedConfig,
    content: spec.keepalivedConfig,
  });
  return files;
}

function keepalivedSteps(
  spec: PushStepsSpec,
  reload: ReturnType<typeof reloadCommands>,
): { stage: string[]; install: string[]; reload: string[]; prune: string[] } {
  if (spec.keepalivedConfig === undefined) {
    if (spec.checkScript !== undefined)
      throw new InputError("checkScript", spec.checkScript.path, "needs keepalivedConfig: only keepalived runs the check script");
    return { stage: [], install: [], reload: [], prune: [] };
  }
  const conf = checkPath("keepalivedConfigPath", spec.keepalivedConfigPath ?? DEFAULT_KEEPALIVED_CONFIG_PATH);
  const bin = KEEPALIVED_BIN;
  const check = checkScriptSteps(spec.checkScript, conf);
  return {
    stage: [
      `[ -x ${bin} ] || die 1 "${bin} not found: install the keepalived package"`,
      ...check.install,
      "# 3. stage and validate keepalived.conf",
      `stage keepalived_new ${conf} ${INSTALLED_FILE_MODES.keepalivedConfig} '${base64(spec.keepalivedConfig)}'`,
      `if ! out=$(${bin} -t -f "$keepalived_new" 2>&1); then printf '%s\\n' "$out" >&2; die 4 "keepalived refused the new keepalived.conf; nothing was changed"; fi`,
    ],
    install: [`install_file "$keepalived_new" ${conf} keepalived.conf ${pendingMarker(conf)}`],
    reload: [`if [ -e ${pendingMarker(conf)} ]; then ${reload.keepalived}; rm -f -- ${pendingMarker(conf)}; fi`],
    prune: check.prune,
  };
}

/**
 * Renders the bash script that installs one host's files. Steps, in order:
 * 1. stage haproxy.cfg (mode 0644) as a temporary file in its final directory and validate it
 *    with `haproxy -dW -c -f` (exit 3 on refusal);
 * 2. install the check script at its content-addressed path if it is not there yet (`bash -n`
 *    first; exit 5 if it does not parse or a different file has that name);
 * 3. stage keepalived.conf (0600) and validate it with `keepalived -t -f` (exit 4 on refusal;
 *    the check script from step 2 is removed again);
 * 4. move each staged file over its final path with `mv` (an atomic rename in the same
 *    directory), only if its content differs;
 * 5. reload exactly the services whose file changed, or whose reload an earlier run did not
 *    finish (a `.<file>.reload-pending` marker beside the file, written before the move
 *    and removed after the reload; see {@link ReloadMethod});
 * 6. delete older check scripts, keeping the new one and the one the previous config used (the
 *    running keepalived may still execute it until it has processed the reload).
 * Without `keepalivedConfig`, steps 2, 3 and 6 and the Keepalived parts of 4 and 5 are left out.
 * Temporary files are removed on every exit path. File contents are embedded base64-encoded, so
 * the script needs no stdin and no other file. Host needs: root, bash, coreutils (base64,
 * mktemp, head), diffutils (cmp), grep, and `/usr/sbin/haproxy` and `/usr/sbin/keepalived` (all
 * in a default Debian/Ubuntu install plus the two packages, which put the programs there). The
 * files it installs are {@link installedFiles}.
 *
 * @returns the script text; run it with `bash` as root on the host (or inside the lab namespace).
 * @throws InputError for a path or unit name that is not a plain absolute path / `.service`
 *   name, or a `checkScript` without `keepalivedConfig`.
 */
export function renderPushSteps(spec: PushStepsSpec): string {
  const haproxyCfg = checkPath("haproxyConfigPath", spec.haproxyConfigPath ?? DEFAULT_HAPROXY_CONFIG_PATH);
  const haproxyBin = HAPROXY_BIN;
  const reload = reloadCommands(spec.reload ?? { kind: "systemd" });
  const keepalived = keepalivedSteps(spec, reload);
  const haproxyFiles = haproxyFileSteps(spec.haproxyFiles ?? [], haproxyCfg);
  return [
    ...PRELUDE,
    ...reload.helpers,
    `[ -x ${haproxyBin} ] || die 1 "${haproxyBin} not found: install the haproxy package"`,
    ...haproxyFiles.install,
    "# 1. stage and validate haproxy.cfg",
    `stage haproxy_new ${haproxyCfg} ${INSTALLED_FILE_MODES.haproxyConfig} '${base64(spec.haproxyConfig)}'`,
    `if ! out=$(${haproxyBin} -dW -c -f "$haproxy_new" 2>&1); then printf '%s\\n' "$out" >&2; die 3 "haproxy refused the new haproxy.cfg; nothing was changed"; fi`,
    ...keepalived.stage,
    "# 4. move into place (only files whose content changed)",
    `install_file "$haproxy_new" ${haproxyCfg} haproxy.cfg ${pendingMarker(haproxyCfg)}`,
    ...keepalived.install,
    "new_check=",
    "new_files=()",
    "# 5. reload what changed, or what a failed earlier run left unreloaded",
    `if [ -e ${pendingMarker(haproxyCfg)} ]; then ${reload.haproxy}; rm -f -- ${pendingMarker(haproxyCfg)}; fi`,
    ...keepalived.reload,
    "# 6. only now, with keepalived running the new config, old check scripts can go",
    ...keepalived.prune,
    ...haproxyFiles.prune,
    "exit 0",
    "",
  ].join("\n");
}
