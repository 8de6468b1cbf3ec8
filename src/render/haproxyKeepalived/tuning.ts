/**
 * Timings, defaults and shared input checks of the HAProxy + Keepalived endpoint. Pure: no Pulumi
 * imports.
 *
 * Every duration carries its unit in its name (`…Ms` milliseconds, `…Sec` whole seconds). The
 * defaults were tuned in the network-namespace lab (`npm run bench:failover`, results in
 * tests/lab/RESULTS.md) against these goals: a backend dying, or vanishing without a reset, costs
 * no failed request; a dead MASTER load balancer is replaced within 1 s; a gracefully stopped
 * Keepalived within 0.3 s; a dead HAProxy on the MASTER within 1 s.
 *
 * Sources: HAProxy 2.6 configuration manual (`/usr/share/doc/haproxy/configuration.txt.gz`,
 * sections "timeout check", "inter/fastinter/downinter", "retries", "option redispatch",
 * "on-marked-down", "option srvtcpka", "srvtcpka-idle", "tcp-ut" (server), "monitor-uri",
 * "timeout tunnel", "2.5. Time format"); keepalived.conf(5) of Keepalived 2.2.7
 * (sections "vrrp_script", "vrrp_instance", "global_defs"); RFC 5798 (VRRPv3) §6.1 for the
 * master-down timer.
 */
import { VrrpVersion } from "../enums";
import { checkBoolean, checkInt, checkPort, IntRange } from "../../core/checks";
import { InputError } from "../../core/errors";
import { cidrContains, tryParseIp } from "../../core/net";

/**
 * HAProxy timings and limits, as overrides on top of the tuning profile: every field optional, unset
 * fields keep the profile's value ({@link HaproxyTuning} is the resolved form with every field set).
 */
export interface HaproxyTuningArgs {
  /**
   * `timeout connect`, ms. How long a connection to a control-plane node may take before HAProxy
   * gives up and retries it on another node (`retries` + `option redispatch 1`). This is the delay
   * a client pays when its connection lands on a node that vanished without a reset, until the
   * health checks mark that node down. It also caps the check connect time (HAProxy uses
   * min(`timeout connect`, `inter`) for checks when `timeout check` is set). Default 300.
   */
  connectTimeoutMs?: number;
  /** `timeout client`, ms: client inactivity before the tunnel is established. Default 30000. */
  clientTimeoutMs?: number;
  /** `timeout server`, ms: server inactivity before the tunnel is established. Default 30000. */
  serverTimeoutMs?: number;
  /**
   * `timeout tunnel`, ms: inactivity allowed on an established TCP connection (in TCP mode it
   * supersedes client/server timeouts once connected). Kubernetes watches, `kubectl exec/logs -f`
   * and `talosctl logs -f` stay idle for long periods, so the default is 1 h (3600000). Cost: a
   * client that vanishes silently holds a connection slot up to this long.
   */
  tunnelTimeoutMs?: number;
  /** Health-check interval `inter` while a node is fully UP, ms. Default 1000. */
  checkIntervalMs?: number;
  /**
   * `fastinter`, ms: check interval while a node is changing state (after its first failed or
   * first good check), so a dead node is marked down after about
   * `checkIntervalMs + (checkFall - 1) * checkFastIntervalMs` plus check timeouts. Default 250.
   */
  checkFastIntervalMs?: number;
  /** `downinter`, ms: check interval while a node is DOWN. Default 1000. */
  checkDownIntervalMs?: number;
  /**
   * `timeout check`, ms: read timeout of a check after its connection is established (the connect
   * part is bounded by min(`timeout connect`, `inter`)). Default 1000.
   */
  checkTimeoutMs?: number;
  /** `fall`: consecutive failed checks that mark a node DOWN. Default 2. */
  checkFall?: number;
  /** `rise`: consecutive good checks that mark a node UP again. Default 2. */
  checkRise?: number;
  /**
   * `retries`: connection attempts after the first failed one. With `option redispatch 1` each
   * retry goes to another node, without HAProxy's turn-around delay of min(`timeout connect`, 1 s)
   * that applies to retries on the same node. Default 3.
   */
  retries?: number;
  /** Global `maxconn`: concurrent connections over all frontends. Default 4096 (as the seed config). */
  maxConnections?: number;
  /**
   * `on-marked-down shutdown-sessions`: when a node is marked DOWN, close every connection HAProxy
   * has with it. Default false, because it breaks the goal "a node that vanishes costs no failed
   * request": the lab (fault a') shows that it also closes the new connections still waiting for
   * their TCP handshake with the vanished node at that instant (about request rate to that node ×
   * `connectTimeoutMs`; 1-2 per fault in the lab), which otherwise would be redispatched to a
   * healthy node. Established connections to a vanished node are instead ended by the server-side
   * TCP keepalive and user timeout below (within about 5-10 s; 7 s measured for an idle one).
   * Set true to cut them at the instant the check marks the node DOWN (also when a node is DOWN
   * because it stopped serving HTTP while its TCP stack still answers), accepting those failures.
   */
  shutdownSessionsOnMarkedDown?: boolean;
  /**
   * `option srvtcpka` with `srvtcpka-idle`, whole seconds: an idle connection to a node gets TCP
   * keepalive probes after this long, so a node that vanished is noticed on idle long-lived
   * connections (watches) too. Default 5. Measured: an idle connection through HAProxy to a node
   * whose link went down was closed 7 s later. Cost: one probe (and its ACK) per idle healthy
   * connection every 5 s.
   */
  serverKeepaliveIdleSec?: number;
  /** `srvtcpka-intvl`, whole seconds between keepalive probes. Default 1. */
  serverKeepaliveIntervalSec?: number;
  /** `srvtcpka-cnt`: unanswered probes before the kernel drops the connection. Default 3. */
  serverKeepaliveCount?: number;
  /**
   * `option clitcpka` with `clitcpka-idle`, whole seconds: an idle client connection gets TCP
   * keepalive probes after this long, then every `clientKeepaliveIntervalSec`. Two jobs:
   * (1) after the VIP moved away from a live host, its probes leave from the VIP (the frontends
   * are bound `transparent`), the client's answer reaches the new VIP holder, which has no such
   * connection and answers with a reset, so an idle Kubernetes watch or `talosctl logs -f` is
   * reset and reconnects instead of stalling (the keepalived notify step resets them at once;
   * this is the fallback where the kernel cannot destroy sockets); (2) connections of clients
   * that vanished are closed after idle + interval × count instead of lingering for
   * `tunnelTimeoutMs`. Default 1. Cost: one probe and its ACK per idle client connection per
   * second (about 130 bytes/s each). HAProxy 2.6 manual, "clitcpka-idle".
   */
  clientKeepaliveIdleSec?: number;
  /** `clitcpka-intvl`, whole seconds between client keepalive probes. Default 1. */
  clientKeepaliveIntervalSec?: number;
  /** `clitcpka-cnt`: unanswered client keepalive probes before the kernel drops the connection. Default 3. */
  clientKeepaliveCount?: number;
  /**
   * `tcp-ut` on every server, ms: the kernel aborts a connection to a node whose data (or keepalive
   * probes) stays unacknowledged this long (TCP_USER_TIMEOUT), and HAProxy closes the client side.
   * The HAProxy manual names this use: "force dead server connections to die when health checks are
   * too slow". Default 5000.
   */
  serverUserTimeoutMs?: number;
}

/**
 * Keepalived (VRRP) timings, as overrides on top of the tuning profile: every field optional, unset
 * fields keep the profile's value ({@link KeepalivedTuning} is the resolved form).
 */
export interface KeepalivedTuningArgs {
  /**
   * VRRP version, 2 or 3. Only VRRPv3 (RFC 5798) allows advertisement intervals below one second
   * (keepalived rounds a VRRPv2 `advert_int` to whole seconds with a warning), and only VRRPv2 has
   * the (cleartext, RFC 3768-deprecated) `authentication` block. Default 3.
   */
  vrrpVersion?: VrrpVersion;
  /**
   * `advert_int`, ms. VRRPv3: 10 to 40950 in steps of 10 (the field is centiseconds, RFC 5798
   * §5.2.7); VRRPv2: 1000 to 255000 in whole seconds. A BACKUP declares the MASTER dead after
   * 3 × advert_int + skew (skew = (256 − priority) / 256 × advert_int), which bounds the failover
   * after a silent MASTER death. Default 200 (master-down ≈ 0.61 s at priority 240).
   */
  advertIntervalMs?: number;
  /**
   * `vrrp_script` `interval`, whole seconds ≥ 1 (keepalived rejects fractions). The check script
   * polls HAProxy several times within one run (see `monitorPollMs`), so detection is faster than
   * this interval. Default 1.
   */
  scriptIntervalSec?: number;
  /** `vrrp_script` `fall`: failed runs that put the instance in FAULT. Default 1. */
  scriptFall?: number;
  /** `vrrp_script` `rise`: good runs that take the instance out of FAULT. Default 2. */
  scriptRise?: number;
  /**
   * Spacing of the HTTP probes of HAProxy's monitor URI inside one check-script run, ms, 50 to
   * 1000. The script exits 1 at the first failed probe. Default 250.
   */
  monitorPollMs?: number;
  /**
   * Time one probe may take to get HAProxy's status line, ms, 50 to 1000 and below
   * `scriptIntervalSec`. Default 300.
   */
  monitorTimeoutMs?: number;
  /**
   * true (default): no `nopreempt`. With the default equal priorities a BACKUP still never takes
   * the VIP from a MASTER of the same priority (RFC 5798 §6.4.2: an advert of greater or equal
   * priority resets its Master_Down_Timer), so a returning host does not move the VIP; but a
   * MASTER whose priority dropped because it sees no Kubernetes API node (the `chk_kubernetes_api`
   * weight) is replaced by a host that still sees one. With distinct `priority` values a
   * higher-priority host takes the VIP back when it returns, moving it a second time.
   * false: `nopreempt`: a BACKUP never takes the VIP from a live MASTER, whatever the priorities,
   * so the Kubernetes API weight cannot move the VIP either. keepalived.conf(5): nopreempt
   * requires the initial state BACKUP, so every host is rendered `state BACKUP`.
   */
  preempt?: boolean;
}

/** HAProxy timings and limits with every field set (a profile, or a profile plus overrides). */
export type HaproxyTuning = Required<HaproxyTuningArgs>;
/** Keepalived timings with every field set. */
export type KeepalivedTuning = Required<KeepalivedTuningArgs>;

/** Both halves of the tuning, every field set. */
export interface LoadBalancerTuning {
  haproxy: HaproxyTuning;
  keepalived: KeepalivedTuning;
}

/**
 * Overrides on top of the tuning profile ({@link DEFAULT_TUNING} unless a renderer says otherwise).
 * Every field is optional; unset fields keep the profile's value.
 */
export interface LoadBalancerTuningArgs {
  /** HAProxy timings and limits. */
  haproxy?: HaproxyTuningArgs;
  /** Keepalived (VRRP) timings. */
  keepalived?: KeepalivedTuningArgs;
}
/** The overrides (the name the renderers use). */
export type LoadBalancerTuningInput = LoadBalancerTuningArgs;
/** HAProxy overrides. */
export type HaproxyTuningInput = HaproxyTuningArgs;
/** Keepalived overrides. */
export type KeepalivedTuningInput = KeepalivedTuningArgs;

/** The default profile (see the field docs for each value and its cost). */
export const DEFAULT_TUNING: LoadBalancerTuning = Object.freeze({
  haproxy: Object.freeze({
    connectTimeoutMs: 300,
    clientTimeoutMs: 30_000,
    serverTimeoutMs: 30_000,
    tunnelTimeoutMs: 3_600_000,
    checkIntervalMs: 1000,
    checkFastIntervalMs: 250,
    checkDownIntervalMs: 1000,
    checkTimeoutMs: 1000,
    checkFall: 2,
    checkRise: 2,
    retries: 3,
    maxConnections: 4096,
    shutdownSessionsOnMarkedDown: false,
    serverKeepaliveIdleSec: 5,
    serverKeepaliveIntervalSec: 1,
    serverKeepaliveCount: 3,
    serverUserTimeoutMs: 5000,
    clientKeepaliveIdleSec: 1,
    clientKeepaliveIntervalSec: 1,
    clientKeepaliveCount: 3,
  }),
  keepalived: Object.freeze({
    vrrpVersion: 3 as const,
    advertIntervalMs: 200,
    scriptIntervalSec: 1,
    scriptFall: 1,
    scriptRise: 2,
    monitorPollMs: 250,
    monitorTimeoutMs: 300,
    preempt: true,
  }),
}) as LoadBalancerTuning;

/**
 * The fast profile: VRRPv3 adverts every 100 ms (a silent MASTER death is detected after
 * 3 × 0.1 s + skew ≈ 0.31 s) and HAProxy probed every 100 ms by the check script. HAProxy timings
 * are the defaults.
 *
 * Costs: (1) false failovers: a MASTER that cannot send an advert for ~0.3 s (CPU starvation, a
 * long GC-like stall of the VM, a congested or briefly flapping link) loses the VIP, and when it
 * recovers the VIP moves again, cutting established Kubernetes watches twice; a HAProxy that
 * answers its monitor URI more than 200 ms late triggers the same. (2) 10 VRRP packets per second
 * per host instead of 5 (still < 1 kB/s). (3) 10 local HTTP probes per second per host.
 */
export const FAST_TUNING: LoadBalancerTuning = Object.freeze({
  haproxy: DEFAULT_TUNING.haproxy,
  keepalived: Object.freeze({
    ...DEFAULT_TUNING.keepalived,
    advertIntervalMs: 100,
    monitorPollMs: 100,
    monitorTimeoutMs: 200,
  }),
}) as LoadBalancerTuning;

/**
 * Where HAProxy answers the Keepalived check: its `monitor-uri` frontend (`frontend
 * haproxy_monitor` in haproxy.cfg), which the check script probes over HTTP. Every field
 * optional; unset fields keep {@link DEFAULT_MONITOR} (`http://127.0.0.1:8404/healthz`).
 * haproxy.cfg and the check script always get the same values.
 */
export interface HaproxyMonitorArgs {
  /**
   * Bind address, an IPv4 loopback address (`127.0.0.0/8`) so nothing outside the host can reach
   * it. Default `127.0.0.1`. Errors: any other address, `::1` included.
   */
  address?: string;
  /**
   * TCP port, 1–65535, that must be free on every load-balancer host. Default 8404 (the HAProxy
   * manual's usual stats-page port; this package renders no stats page). Change it when another
   * service already listens there: HAProxy would otherwise fail to start with the new file.
   */
  port?: number;
  /**
   * The monitor URI (HAProxy `monitor-uri`): an absolute path of letters, digits and `. _ ~ / -`,
   * at most 201 characters. Default `/healthz`.
   */
  uri?: string;
}

/** {@link HaproxyMonitorArgs} with every field set. */
export type MonitorEndpoint = Required<HaproxyMonitorArgs>;

/** Default {@link MonitorEndpoint}: `http://127.0.0.1:8404/healthz`. */
export const DEFAULT_MONITOR: MonitorEndpoint = Object.freeze({ address: "127.0.0.1", port: 8404, uri: "/healthz" });

/** Bounds of the integer HAProxy settings, in check order (units as in the field names). */
const HAPROXY_LIMITS: Record<Exclude<keyof HaproxyTuning, "shutdownSessionsOnMarkedDown">, IntRange> = {
  connectTimeoutMs: { min: 10, max: 60_000, unit: "ms" },
  clientTimeoutMs: { min: 1000, max: 86_400_000, unit: "ms" },
  serverTimeoutMs: { min: 1000, max: 86_400_000, unit: "ms" },
  tunnelTimeoutMs: { min: 1000, max: 86_400_000, unit: "ms" },
  checkIntervalMs: { min: 100, max: 60_000, unit: "ms" },
  checkFastIntervalMs: { min: 50, max: 60_000, unit: "ms" },
  checkDownIntervalMs: { min: 100, max: 60_000, unit: "ms" },
  checkTimeoutMs: { min: 50, max: 60_000, unit: "ms" },
  checkFall: { min: 1, max: 100 },
  checkRise: { min: 1, max: 100 },
  retries: { min: 0, max: 100 },
  maxConnections: { min: 1, max: 1_000_000 },
  serverKeepaliveIdleSec: { min: 1, max: 7200, unit: "s" },
  serverKeepaliveIntervalSec: { min: 1, max: 600, unit: "s" },
  serverKeepaliveCount: { min: 1, max: 100 },
  serverUserTimeoutMs: { min: 100, max: 3_600_000, unit: "ms" },
  clientKeepaliveIdleSec: { min: 1, max: 7200, unit: "s" },
  clientKeepaliveIntervalSec: { min: 1, max: 600, unit: "s" },
  clientKeepaliveCount: { min: 1, max: 100 },
};

function checkHaproxyTuning(t: HaproxyTuning, field: string): HaproxyTuning {
  for (const [name, range] of Object.entries(HAPROXY_LIMITS)) checkInt(`${field}.${name}`, t[name as keyof HaproxyTuning], range);
  checkBoolean(`${field}.shutdownSessionsOnMarkedDown`, t.shutdownSessionsOnMarkedDown);
  return t;
}

function checkAdvertInterval(field: string, version: 2 | 3, value: unknown): number {
  if (version === 2) {
    const ms = checkInt(field, value, { min: 1000, max: 255_000, unit: "ms" });
    if (ms % 1000 !== 0)
      throw new InputError(
        field,
        value,
        "must be whole seconds with VRRPv2 (keepalived rounds it); use vrrpVersion 3 for sub-second adverts",
      );
    return ms;
  }
  const ms = checkInt(field, value, { min: 10, max: 40_950, unit: "ms" });
  if (ms % 10 !== 0)
    throw new InputError(field, value, "must be a multiple of 10 ms: VRRPv3 carries the interval in centiseconds (RFC 5798 §5.2.7)");
  return ms;
}

function checkKeepalivedTuning(t: KeepalivedTuning, field: string): KeepalivedTuning {
  if (t.vrrpVersion !== 2 && t.vrrpVersion !== 3) throw new InputError(`${field}.vrrpVersion`, t.vrrpVersion, "must be 2 or 3");
  checkAdvertInterval(`${field}.advertIntervalMs`, t.vrrpVersion, t.advertIntervalMs);
  const int = (name: keyof KeepalivedTuning, range: IntRange) => checkInt(`${field}.${name}`, t[name], range);
  int("scriptIntervalSec", { min: 1, max: 3600, unit: "s (keepalived accepts whole seconds only)" });
  int("scriptFall", { min: 1, max: 100 });
  int("scriptRise", { min: 1, max: 100 });
  int("monitorPollMs", { min: 50, max: 1000, unit: "ms" });
  const timeout = int("monitorTimeoutMs", { min: 50, max: 1000, unit: "ms" });
  if (timeout >= t.scriptIntervalSec * 1000) {
    throw new InputError(`${field}.monitorTimeoutMs`, timeout, `must be shorter than scriptIntervalSec (${t.scriptIntervalSec} s)`);
  }
  checkBoolean(`${field}.preempt`, t.preempt);
  return t;
}

function checkKnownKeys(field: string, value: object | undefined, known: object): void {
  if (value === undefined) return;
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw new InputError(field, value, "must be an object");
  for (const key of Object.keys(value)) {
    if (!(key in known))
      throw new InputError(
        `${field}.${key}`,
        (value as Record<string, unknown>)[key],
        `is not a known setting (known: ${Object.keys(known).join(", ")})`,
      );
  }
}

/**
 * Merges overrides onto a profile and checks every value.
 *
 * @param input overrides; unknown keys are rejected so a typo is not silently ignored.
 * @param base the profile to start from, {@link DEFAULT_TUNING} by default (or {@link FAST_TUNING}).
 * @param field the input field the overrides came from, used as the prefix of error fields
 *   (`tuning.haproxy.connectTimeoutMs`).
 * @throws InputError naming the exact field for an out-of-range or unknown value.
 */
export function resolveTuning(
  input: LoadBalancerTuningInput | undefined,
  base: LoadBalancerTuning = DEFAULT_TUNING,
  field = "tuning",
): LoadBalancerTuning {
  checkKnownKeys(field, input, { haproxy: 1, keepalived: 1 });
  checkKnownKeys(`${field}.haproxy`, input?.haproxy, base.haproxy);
  checkKnownKeys(`${field}.keepalived`, input?.keepalived, base.keepalived);
  return {
    haproxy: checkHaproxyTuning({ ...base.haproxy, ...input?.haproxy }, `${field}.haproxy`),
    keepalived: checkKeepalivedTuning({ ...base.keepalived, ...input?.keepalived }, `${field}.keepalived`),
  };
}

/**
 * Merges a partial monitor endpoint onto {@link DEFAULT_MONITOR} and checks it: an IPv4 loopback
 * address (the check runs on the same host; `127.0.0.0/8`), a port 1-65535, a URI that is an
 * absolute path of URL-safe characters.
 * @throws InputError naming `monitor.address`, `monitor.port` or `monitor.uri`.
 */
export function resolveMonitor(input: HaproxyMonitorArgs | undefined, field = "monitor"): MonitorEndpoint {
  checkKnownKeys(field, input, DEFAULT_MONITOR);
  // A field given as undefined (an unset config value passed through) keeps its default.
  const given = Object.entries(input ?? {}).filter(([, v]) => v !== undefined);
  const m: MonitorEndpoint = { ...DEFAULT_MONITOR, ...Object.fromEntries(given) };
  const loopback = tryParseIp(m.address);
  if (!loopback || !cidrContains("127.0.0.0/8", loopback.ip)) {
    throw new InputError(
      `${field}.address`,
      m.address,
      "must be an IPv4 loopback address (127.x.y.z): only the local Keepalived check uses it",
    );
  }
  m.address = loopback.ip;
  checkPort(`${field}.port`, m.port);
  if (typeof m.uri !== "string" || !/^\/[A-Za-z0-9._~/-]{0,200}$/.test(m.uri)) {
    throw new InputError(`${field}.uri`, m.uri, "must be an absolute path of letters, digits and . _ ~ / - (e.g. /healthz)");
  }
  return m;
}

/** A duration in HAProxy syntax in the largest exact unit: `1h`, `30s`, `250ms` (HAProxy manual, "2.5. Time format"). */
export function haproxyDuration(ms: number): string {
  const units: Array<[string, number]> = [
    ["h", 3_600_000],
    ["m", 60_000],
    ["s", 1000],
  ];
  const exact = units.find(([, size]) => ms % size === 0);
  return exact ? `${ms / exact[1]}${exact[0]}` : `${ms}ms`;
}

/** A duration as keepalived's decimal seconds, e.g. 200 → `0.2`, 1000 → `1`. */
export function keepalivedSeconds(ms: number): string {
  return (ms / 1000).toFixed(3).replace(/\.?0+$/, "");
}
