/**
 * keepalived.conf and the HAProxy check script of the HAProxy + Keepalived endpoint. Pure: no
 * Pulumi imports.
 *
 * Design (facts from keepalived.conf(5) of Keepalived 2.2.7 unless noted; each was verified with
 * `keepalived -t` or in the namespace lab, see tests/lab/RESULTS.md):
 * - `vrrp_script` is defined before the `vrrp_instance` that tracks it: keepalived resolves
 *   `track_script` names while parsing, and a script defined later is "not found, ignoring".
 * - `enable_script_security` with `script_user root`: without the first keepalived refuses to
 *   start cleanly ("SECURITY VIOLATION - scripts are being executed but script_security not
 *   enabled", exit 6 from `keepalived -t`), and without `script_user` it looks for a user
 *   `keepalived_script`, which the Debian package does not create ("Unable to set default user
 *   keepalived_script for script ... - removing"). Always root, not a choice: Keepalived 2.2.7
 *   (Debian 12's) kills its own config test with SIGTERM (`keepalived -t` exits 143, printing
 *   nothing) whenever `script_user` is not root (acassen/keepalived#2617 and #2587, fixed in
 *   2.2.8; reproduced here with `script_user nobody`), so the push, which validates with
 *   `keepalived -t`, would refuse every such file. The check script only connects to 127.0.0.1,
 *   and keepalived refuses it if it or a directory above it is writable by a non-root user.
 * - The check is a serve check, not a process check: an HTTP GET of HAProxy's `monitor-uri`
 *   (see {@link renderCheckScript}). `pidof` must not be used: on Debian /usr/bin/pidof is a
 *   symlink to killall5 and keepalived executes the resolved path, so it never behaves as pidof.
 * - Two tracked scripts. `chk_haproxy` (HAProxy dead, hung, or serving no node at all) has no
 *   weight, so a failed check puts the instance in FAULT. A FAULT MASTER releases the VIP at once
 *   with a priority-0 advert, and the BACKUP takes over after only its skew time (RFC 5798
 *   §6.4.2: "If the Priority in the ADVERTISEMENT is zero, then set Master_Down_Timer to
 *   Skew_Time"). `chk_kubernetes_api` (no Kubernetes API node UP) has `weight -50`: it lowers the
 *   priority instead, so a BACKUP that still sees a Kubernetes API node (and has the higher
 *   priority now) stops resetting its master-down timer and takes over after 3 × advert_int +
 *   skew (RFC 5798 §6.4.2, Preempt_Mode True), while with kube-apiserver down on every node both
 *   hosts drop alike, the VIP stays, and the Talos API keeps answering through it.
 * - Every host starts as `state BACKUP` with the same priority (200) and without `nopreempt` by
 *   default: the first host up becomes MASTER and keeps the VIP until it fails or its priority
 *   drops, because a BACKUP resets its timer on every advert of greater or equal priority
 *   (RFC 5798 §6.4.2), so a returning host does not take the VIP back. Two MASTERs of equal
 *   priority (a healed split brain, a stalled MASTER that resumes) settle on the higher primary
 *   address (RFC 5798 §6.4.3).
 * - A `notify` step: on every change to BACKUP, FAULT or STOP the script resets the clients'
 *   connections to the VIP (`ss -K`), so long-lived streams through the old holder reset and
 *   reconnect instead of stalling (see `renderHaproxyConfig`: the frontends are bound
 *   `transparent`, so the resets leave from the VIP).
 * - Unicast VRRP (`unicast_src_ip`, `unicast_peer`) with `check_unicast_src`, because many networks
 *   (cloud networks, some switches and overlays) drop multicast; adverts from addresses that are not peers
 *   are discarded.
 * - VRRPv3 by default, for sub-second `advert_int`. VRRPv3 has no authentication (RFC 5798 removed
 *   it; keepalived ignores an `authentication` block with "VRRP version 3 does not support
 *   authentication"). VRRPv2 `auth_type PASS` travels in clear text (RFC 3768 §5.3.6 and §10
 *   dropped it), so it adds little over `check_unicast_src`; it is rendered only with
 *   `vrrpVersion: 2` and an `authPass`.
 * - `max_auto_priority` with `min_auto_priority_delay` = one advert interval: keepalived raises
 *   itself to realtime scheduling when its timers fire that late, which would otherwise let
 *   the peer take the VIP from a host that is merely starved of CPU (a false failover) (keepalived.conf(5), "max_auto_priority"; without it
 *   keepalived logs "NOTICE: setting config option max_auto_priority should result in better
 *   keepalived performance").
 */
import * as crypto from "crypto";
import { validateLayer2Vip } from "../talos/controlPlanes";
import { checkDnsLabel, checkInt, checkPattern } from "../../core/checks";
import { InputError } from "../../core/errors";
import { InterfaceAddress, parseInterfaceAddress, parseIp } from "../../core/net";
import { KUBERNETES_API_PORT, TALOS_API_PORT } from "../talos/patch";
import { kubernetesApiMonitorUri } from "./haproxyConfig";
import { checkLinkName } from "../talos/patch";
import {
  KeepalivedTuning,
  keepalivedSeconds,
  LoadBalancerTuningInput,
  HaproxyMonitorArgs,
  MonitorEndpoint,
  resolveMonitor,
  resolveTuning,
} from "./tuning";

/** Directory of keepalived.conf on Debian, and default home of the check script. */
export const DEFAULT_KEEPALIVED_DIR = "/etc/keepalived";
/** File-name prefix of the rendered check script; the rest of the name is a hash of its content. */
export const CHECK_SCRIPT_PREFIX = "talos-endpoints-check-";
/** Name of the `vrrp_script` in keepalived.conf (the seed's name, kept for familiarity). */
export const VRRP_SCRIPT_NAME = "chk_haproxy";
/** Name of the `vrrp_instance` in keepalived.conf. */
export const VRRP_INSTANCE_NAME = "talos_endpoint";
/**
 * Default VRRP priority of every host. Equal priorities: a BACKUP never takes the VIP from a live
 * MASTER of the same priority (RFC 5798 §6.4.2), so a returning host does not move it, while the
 * `chk_kubernetes_api` weight lowers a MASTER that sees no Kubernetes API node below its peers.
 */
export const DEFAULT_HOST_PRIORITY = 200;
/**
 * `vrrp_rlimit_rttime`, µs: RLIMIT_RTTIME of the VRRP process once `max_auto_priority` made it
 * realtime. keepalived's default, 10000, got the VRRP process SIGKILLed ("exited due to signal 9
 * - has rlimit_rttime been exceeded?") after most stalls in the namespace lab (fault j), and its
 * respawn cost up to 3.3 s of failed requests; keepalived.conf(5) says the value "may need to be
 * increased for slower processors".
 */
export const VRRP_RLIMIT_RTTIME_US = 200_000;
/**
 * `preempt_delay`, seconds: how long a BACKUP waits, after the MASTER's adverts show a lower
 * priority, before it takes the VIP (keepalived.conf(5), "preempt_delay"). Both hosts' Kubernetes
 * API checks fail when kube-apiserver is down everywhere, but not at the same instant (HAProxy's
 * checks and keepalived's script runs are not in step); without a delay the VIP moved once in
 * such an outage in 1 of 3 lab runs (fault g). Cost: a host that alone lost every Kubernetes API
 * node hands over this much later (fault l).
 */
export const PREEMPT_DELAY_SEC = 2;
/** Name of the `vrrp_script` that lowers the priority while no Kubernetes API node is UP. */
export const KUBERNETES_API_SCRIPT_NAME = "chk_kubernetes_api";
/**
 * How much `chk_kubernetes_api` lowers a host's priority while it sees no Kubernetes API node UP
 * (keepalived.conf(5), vrrp_script `weight`: a negative weight is subtracted while the script
 * fails). Larger than any difference of priorities that should not be overridden by it.
 */
export const KUBERNETES_API_WEIGHT = 50;

/** Inputs of {@link renderCheckScript}. */
export interface CheckScriptSpec {
  /** Timing overrides on top of {@link DEFAULT_TUNING}; uses `keepalived.scriptIntervalSec`, `monitorPollMs`, `monitorTimeoutMs`. */
  tuning?: LoadBalancerTuningInput;
  /** HAProxy's monitor endpoint, default `127.0.0.1:8404` `/healthz`; must match haproxy.cfg. */
  monitor?: HaproxyMonitorArgs;
  /**
   * Absolute directory for the check script, default `/etc/keepalived`. With
   * `enable_script_security` no component of the path may be writable by a non-root user.
   */
  checkScriptDir?: string;
  /**
   * The VIP (no prefix) whose client connections the notify step resets when this host leaves
   * MASTER. Default none: the notify step does nothing (a config without a VIP has no notify).
   */
  vip?: string;
}

/** A rendered check script. */
export interface RenderedCheckScript {
  /** Absolute path, `<checkScriptDir>/talos-endpoints-check-<12 hex of SHA-256 of content>.sh`. */
  path: string;
  /** The bash script, mode 0755. */
  content: string;
}

/** One load-balancer host. */
export interface LoadBalancerHostSpec {
  /** Host name, a DNS label (`lb-01`). */
  name: string;
  /** The host's own address with prefix on the VIP's interface (`192.168.30.11/24`): VRRP source and peer address. */
  address: string;
  /** VRRP priority 1-254; default {@link DEFAULT_HOST_PRIORITY} (200) for every host. */
  priority?: number;
}

/** Input of {@link renderKeepalivedConfig}. */
export interface KeepalivedConfigSpec extends CheckScriptSpec {
  /** All load-balancer hosts sharing the VIP: at least 2, at most 20, one subnet. */
  hosts: readonly LoadBalancerHostSpec[];
  /** Name of the host this file is for (one of `hosts`). */
  host: string;
  /** The VIP, `192.168.30.30` or with the hosts' prefix `192.168.30.30/24`; unused, inside the hosts' subnet. */
  vip: string;
  /** Interface carrying the host address and the VIP, e.g. `eth0`. */
  interface: string;
  /** VRRP `virtual_router_id`, 1-255; unique per VIP on the L2 segment. */
  virtualRouterId: number;
  /** VRRPv2 only: `auth_type PASS` password, 1-8 printable characters without spaces or quotes (keepalived uses only 8). A secret. */
  authPass?: string;
}

/** Normalised hosts: parsed address and priority. */
interface Host {
  name: string;
  address: InterfaceAddress;
  priority: number;
}

function checkAbsoluteDir(field: string, value: unknown): string {
  return checkPattern(
    field,
    value,
    /^(\/[A-Za-z0-9._-]+)+$/,
    "must be an absolute directory path of letters, digits and . _ - (e.g. /etc/keepalived)",
  );
}

/**
 * How many probes one script run makes: the last one starts early enough to end, even at its
 * timeout, 150 ms (process start, `sleep` forks, one delayed ACK) before the next run is due, so
 * keepalived never finds the previous run still going ("Track script … is already running,
 * expect idle - skipping run").
 */
export function probesPerRun(k: KeepalivedTuning): number {
  const budget = k.scriptIntervalSec * 1000 - k.monitorTimeoutMs - 150;
  return Math.max(1, Math.floor(budget / k.monitorPollMs) + 1);
}

/** `ss` address syntax of the VIP: IPv6 in brackets (ss(8), "FILTER"). */
function ssAddress(vip: string): string {
  return vip.includes(":") ? `[${vip}]` : vip;
}

function checkScriptBody(k: KeepalivedTuning, m: MonitorEndpoint, vip: string | undefined): string {
  const probes = probesPerRun(k);
  const k8sUri = kubernetesApiMonitorUri(m.uri);
  const notify =
    vip === undefined
      ? ["  notify) exit 0 ;;"]
      : [
          "  notify)",
          "    # keepalived appends: INSTANCE|GROUP <name> MASTER|BACKUP|FAULT|STOP|DELETED <priority>",
          "    if [[ ${4:-} != MASTER ]]; then",
          `      # This host no longer holds ${vip}: reset the proxied connections clients opened to it, so`,
          "      # their streams (watches, logs -f, exec) fail at once and reconnect through the new holder",
          "      # instead of stalling; the frontends are bound transparent, so the resets still leave from",
          "      # the VIP. Needs a kernel with socket destroy (CONFIG_INET_DIAG_DESTROY); without it the",
          "      # client keepalive probes (clitcpka) reset them within a few seconds.",
          `      ss -K -tn state established "( sport = :${KUBERNETES_API_PORT} or sport = :${TALOS_API_PORT} ) and src ${ssAddress(vip)}" >/dev/null 2>&1 || true`,
          "    fi",
          "    exit 0",
          "    ;;",
        ];
  return [
    "#!/bin/bash",
    "# Rendered by talos-endpoints: Keepalived's checks of HAProxy and its notify step. Do not edit; the next push replaces it.",
    "# serve:          GET <monitor-uri>, exits 1 when HAProxy is dead, hung, or serves no Talos API and no Kubernetes API node",
    "#                 (chk_haproxy, no weight: FAULT releases the VIP at once).",
    "# kubernetes-api: GET <monitor-uri>/kubernetes-api, exits 1 when no Kubernetes API node is UP (chk_kubernetes_api, a weight).",
    `# Each check probes ${m.address}:${m.port} ${probes} times, ${k.monitorPollMs} ms apart, and exits 1 at the first answer that is`,
    `# not an HTTP 200 status line within ${k.monitorTimeoutMs} ms; 0 when every probe got 200.`,
    "# notify:         run by keepalived on every state change; on leaving MASTER it resets the clients' connections to the VIP.",
    "# Needs only bash (/dev/tcp, read -t), /bin/sleep and, for notify, ss (iproute2).",
    "# The request is written by one printf; bash may still flush it per line on the first probe,",
    "# which then waits one delayed ACK (~40 ms) for Nagle's algorithm: harmless, counted in the timings.",
    "PATH=/usr/sbin:/usr/bin:/sbin:/bin",
    "probe() {",
    `  local status request=$'GET '"$1"$' HTTP/1.0\\r\\n\\r\\n'`,
    `  { exec 3<>/dev/tcp/${m.address}/${m.port}; } 2>/dev/null || return 1`,
    `  printf '%s' "$request" >&3 2>/dev/null || { exec 3>&-; return 1; }`,
    `  IFS= read -r -t ${keepalivedSeconds(k.monitorTimeoutMs)} status <&3 || { exec 3>&-; return 1; }`,
    "  exec 3>&-",
    '  [[ $status == "HTTP/1."[01]" 200"* ]]',
    "}",
    "check() {",
    `  for ((i = 1; i <= ${probes}; i++)); do`,
    '    probe "$1" || exit 1',
    `    if ((i < ${probes})); then /bin/sleep ${keepalivedSeconds(k.monitorPollMs)}; fi`,
    "  done",
    "  exit 0",
    "}",
    "case ${1:-serve} in",
    `  serve) check ${m.uri} ;;`,
    `  kubernetes-api) check ${k8sUri} ;;`,
    ...notify,
    '  *) echo "usage: $0 serve|kubernetes-api|notify ..." >&2; exit 2 ;;',
    "esac",
    "",
  ].join("\n");
}

/**
 * Renders the check script Keepalived runs every `scriptIntervalSec`: it probes HAProxy's monitor
 * URI `probesPerRun` times, `monitorPollMs` apart, and fails at the first probe that gets no
 * `HTTP/1.x 200` status line within `monitorTimeoutMs`. A refused connection (HAProxy dead), no
 * answer (HAProxy hung) and a 503 (no Kubernetes API node UP) all fail it. Sub-second detection
 * despite keepalived's whole-second `interval` comes from polling inside one run; the run always
 * ends before the next one starts, so keepalived never skips a run.
 *
 * The path contains a hash of the content, so a new script is installed beside the one the
 * running keepalived uses and `keepalived -t` can validate the new config before anything the
 * running daemon reads is touched (see `renderPushSteps`).
 *
 * @throws InputError for out-of-range `tuning.keepalived.*`, a bad `monitor.*` or `checkScriptDir`.
 */
export function renderCheckScript(spec: CheckScriptSpec): RenderedCheckScript {
  const k = resolveTuning(spec.tuning).keepalived;
  const m = resolveMonitor(spec.monitor);
  const dir = checkAbsoluteDir("checkScriptDir", spec.checkScriptDir ?? DEFAULT_KEEPALIVED_DIR);
  const vip = spec.vip === undefined ? undefined : parseIp("vip", String(spec.vip).split("/")[0]).ip;
  const content = checkScriptBody(k, m, vip);
  const hash = crypto.createHash("sha256").update(content).digest("hex").slice(0, 12);
  return { path: `${dir}/${CHECK_SCRIPT_PREFIX}${hash}.sh`, content };
}

/** Remembers values by index and throws when one comes back. */
function uniqueness(field: string): (i: number, sub: string, key: string | number, value: unknown) => void {
  const seen = new Map<string, number>();
  return (i, sub, key, value) => {
    const id = `${sub}:${key}`;
    const other = seen.get(id);
    if (other !== undefined) throw new InputError(`${field}[${i}].${sub}`, value, `is also used by ${field}[${other}]; it must be unique`);
    seen.set(id, i);
  };
}

function checkHosts(field: string, hosts: unknown): Host[] {
  if (!Array.isArray(hosts) || hosts.length < 2 || hosts.length > 20) {
    throw new InputError(field, hosts, "must list 2 to 20 load-balancer hosts (VRRP needs a peer)");
  }
  const unique = uniqueness(field);
  const parsed = hosts.map((h: LoadBalancerHostSpec, i): Host => {
    const name = checkDnsLabel(`${field}[${i}].name`, h?.name);
    const address = parseInterfaceAddress(`${field}[${i}].address`, h?.address);
    const priority = checkInt(`${field}[${i}].priority`, h?.priority ?? DEFAULT_HOST_PRIORITY, {
      min: 1,
      max: 254,
      unit: "(255 means address owner and is reserved)",
    });
    unique(i, "name", name, name);
    unique(i, "address", address.ip, h.address);
    return { name, address, priority };
  });
  const lowest = parsed.reduce((a, b) => (b.priority < a.priority ? b : a));
  parsed.forEach((h, i) => {
    if (h.priority - lowest.priority >= KUBERNETES_API_WEIGHT)
      throw new InputError(
        `${field}[${i}].priority`,
        h.priority,
        `is ${h.priority - lowest.priority} above ${lowest.name}'s (${lowest.priority}): a gap of ${KUBERNETES_API_WEIGHT} or more ` +
          "(the Kubernetes API check's weight) means a host that sees no Kubernetes API node keeps the VIP from one that does",
      );
  });
  parsed.forEach((h, i) => {
    if (h.address.network !== parsed[0].address.network) {
      throw new InputError(
        `${field}[${i}].address`,
        hosts[i].address,
        `is not in ${parsed[0].address.network}, the subnet of ${field}[0]; the hosts must share the VIP's Layer 2 segment`,
      );
    }
  });
  return parsed;
}

function checkVip(field: string, value: unknown, hosts: Host[]): string {
  let ip = typeof value === "string" ? value.trim() : value;
  if (typeof ip === "string" && ip.includes("/")) {
    const [addr, prefix] = ip.split("/", 2);
    if (prefix !== String(hosts[0].address.prefix)) {
      throw new InputError(
        field,
        value,
        `has prefix /${prefix}, but the hosts' subnet is ${hosts[0].address.network}; use /${hosts[0].address.prefix} or no prefix`,
      );
    }
    ip = addr;
  }
  return validateLayer2Vip(field, ip, hosts, "hosts");
}

/**
 * Checks a VRRP `auth_pass` for the given VRRP version.
 * @throws InputError (never showing the value) with VRRPv3, or when it is not 1-8 printable characters without spaces, quotes or backslashes.
 */
export function checkAuthPass(value: unknown, version: 2 | 3): string | undefined {
  if (value === undefined) return undefined;
  if (version === 3) {
    throw new InputError(
      "authPass",
      "(secret)",
      "cannot be used with VRRPv3: RFC 5798 has no authentication; use tuning.keepalived.vrrpVersion 2 or leave it unset",
    );
  }
  if (typeof value !== "string" || !/^[!#-&(-[\]-~]{1,8}$/.test(value)) {
    throw new InputError(
      "authPass",
      "(secret)",
      "must be 1 to 8 printable ASCII characters without spaces, quotes or backslashes (keepalived uses only the first 8)",
    );
  }
  return value;
}

function globalDefs(k: KeepalivedTuning): string[] {
  return [
    "global_defs {",
    // root only: see the module doc (keepalived 2.2.7's config test and a non-root script_user)
    "    script_user root",
    "    enable_script_security",
    `    vrrp_version ${k.vrrpVersion}`,
    "    # switch to realtime scheduling when timers run one advert interval late (CPU starvation),",
    "    # which would otherwise let the peer declare this host dead",
    "    max_auto_priority",
    `    min_auto_priority_delay ${k.advertIntervalMs * 1000}`,
    "    # realtime tasks are killed after this much CPU time (µs) between blocking calls; the default",
    "    # 10000 killed the VRRP process after every stall in the lab (catching up after SIGCONT)",
    `    vrrp_rlimit_rttime ${VRRP_RLIMIT_RTTIME_US}`,
    "    # a MASTER that sees a higher-priority MASTER (healed split brain) adverts once more before",
    "    # stepping down, so the winner re-sends gratuitous ARPs and clients follow it",
    "    vrrp_higher_prio_send_advert",
    "}",
  ];
}

function vrrpScripts(path: string, k: KeepalivedTuning): string[] {
  const timing = [
    `    interval ${k.scriptIntervalSec}`,
    `    timeout ${k.scriptIntervalSec}`,
    `    fall ${k.scriptFall}`,
    `    rise ${k.scriptRise}`,
  ];
  return [
    `vrrp_script ${VRRP_SCRIPT_NAME} {`,
    `    script "${path} serve"`,
    ...timing,
    "    # no weight: a failed check (HAProxy dead or hung, or no Talos API and no Kubernetes API node UP)",
    "    # puts the instance in FAULT, which releases the VIP at once",
    "}",
    "",
    `vrrp_script ${KUBERNETES_API_SCRIPT_NAME} {`,
    `    script "${path} kubernetes-api"`,
    ...timing,
    "    # no Kubernetes API node UP: lower the priority, so a host that still sees one takes the VIP,",
    "    # while with every kube-apiserver down the VIP stays and the Talos API answers through it",
    `    weight -${KUBERNETES_API_WEIGHT}`,
    "}",
  ];
}

interface InstanceArgs {
  script: string;
  self: Host;
  peers: Host[];
  iface: string;
  vrid: number;
  vip: string;
  k: KeepalivedTuning;
  authPass?: string;
}

function vrrpInstance(a: InstanceArgs): string[] {
  const auth =
    a.authPass === undefined ? [] : ["    authentication {", "        auth_type PASS", `        auth_pass "${a.authPass}"`, "    }"];
  return [
    `vrrp_instance ${VRRP_INSTANCE_NAME} {`,
    "    state BACKUP",
    ...(a.k.preempt
      ? [
          "    # wait this long before taking the VIP from a lower-priority MASTER: when kube-apiserver goes down",
          "    # everywhere, both hosts' Kubernetes API checks fail within this window, so the VIP stays",
          `    preempt_delay ${PREEMPT_DELAY_SEC}`,
        ]
      : ["    nopreempt"]),
    `    interface ${a.iface}`,
    `    virtual_router_id ${a.vrid}`,
    `    priority ${a.self.priority}`,
    `    advert_int ${keepalivedSeconds(a.k.advertIntervalMs)}`,
    `    unicast_src_ip ${a.self.address.ip}`,
    "    unicast_peer {",
    ...a.peers.map((p) => `        ${p.address.ip}`),
    "    }",
    "    check_unicast_src",
    ...auth,
    "    virtual_ipaddress {",
    `        ${a.vip}/${a.self.address.prefix} dev ${a.iface}`,
    "    }",
    "    track_script {",
    `        ${VRRP_SCRIPT_NAME}`,
    `        ${KUBERNETES_API_SCRIPT_NAME}`,
    "    }",
    "    # on leaving MASTER, reset the clients' connections to the VIP (see the script)",
    `    notify "${a.script} notify"`,
    "}",
  ];
}

/**
 * Renders keepalived.conf for one load-balancer host (`spec.host`).
 *
 * @returns the file content, ending with a newline; `keepalived -t -f` accepts it without
 *   warnings once the check script from {@link renderCheckScript} (same `tuning`, `monitor`,
 *   `checkScriptDir`) is installed at its path. Contains `authPass` when given: treat as secret.
 * @throws InputError naming the field: fewer than 2 or more than 20 `hosts`; a host name that is
 *   not a DNS label or is duplicated; a host address without prefix, duplicated, or outside the
 *   first host's subnet; a priority outside 1-254, or 50 or more above the lowest (the Kubernetes
 *   API check's weight could then not move the VIP); `host` not among the hosts;
 *   `vip` malformed, with a prefix other than the hosts', outside their subnet, equal to a host
 *   address or to the network/broadcast address; a bad `interface`; `virtualRouterId` outside
 *   1-255; `authPass` with VRRPv3 or malformed; any `tuning.keepalived.*` out
 *   of range or unknown (e.g. `advertIntervalMs` below 1000 with VRRPv2).
 */
export function renderKeepalivedConfig(spec: KeepalivedConfigSpec): string {
  const hosts = checkHosts("hosts", spec.hosts);
  const self = hosts.find((h) => h.name === spec.host);
  if (!self) throw new InputError("host", spec.host, `must be one of hosts[].name (${hosts.map((h) => h.name).join(", ")})`);
  const vip = checkVip("vip", spec.vip, hosts);
  const iface = checkLinkName("interface", spec.interface);
  const vrid = checkInt("virtualRouterId", spec.virtualRouterId, { min: 1, max: 255 });
  const k = resolveTuning(spec.tuning).keepalived;
  const authPass = checkAuthPass(spec.authPass, k.vrrpVersion);
  if (k.vrrpVersion === 2 && vip.includes(":")) {
    throw new InputError(
      "tuning.keepalived.vrrpVersion",
      2,
      "cannot carry an IPv6 VIP: VRRPv2 (RFC 3768) is IPv4 only, and keepalived would switch to VRRPv3 and drop the authentication",
    );
  }
  const script = renderCheckScript({ ...spec, vip });
  const peers = hosts.filter((h) => h !== self);
  const sections = [
    [`# Rendered by talos-endpoints for ${self.name} (Keepalived 2.2 syntax). Changes made on the host are overwritten by the next push.`],
    globalDefs(k),
    vrrpScripts(script.path, k),
    vrrpInstance({ script: script.path, self, peers, iface, vrid, vip, k, authPass }),
  ];
  return sections.map((lines) => lines.join("\n")).join("\n\n") + "\n";
}
