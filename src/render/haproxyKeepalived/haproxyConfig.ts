/**
 * The haproxy.cfg of the HAProxy + Keepalived endpoint. Pure: no Pulumi imports.
 *
 * Layout (HAProxy 2.6 syntax; every keyword is from the HAProxy 2.6 configuration manual):
 * - `frontend kubernetes_api` on `*:6443` and `frontend talos_api` on `*:50000`, TCP mode (TLS is
 *   passed through to the nodes). `*` rather than the VIP: the BACKUP host does not hold the VIP,
 *   and binding an address the host does not have fails unless `net.ipv4.ip_nonlocal_bind=1`.
 * - `frontend haproxy_monitor`: an HTTP frontend on a loopback port whose `monitor-uri` answers
 *   200 while HAProxy serves (503 when no Kubernetes API node is UP, see
 *   {@link HaproxyConfigSpec.failWhenNoKubernetesBackend}). Keepalived's check script probes it,
 *   so a dead or hung HAProxy (not only a missing process) releases the VIP.
 * - `backend kubernetes_api`: layer-7 check over TLS (`option httpchk GET /readyz`,
 *   `check check-ssl verify none`, `http-check expect status <401|200>`).
 * - `backend talos_api`: layer-4 (TCP connect) check; apid requires client certificates.
 * - Fast failure handling: short `timeout connect`, `retries` with `option redispatch 1` (every
 *   retry on another node, without the turn-around delay of retries on the same node),
 *   `fastinter` while a node changes state, and server-side TCP keepalive plus `tcp-ut` so
 *   established connections to a node that vanished are closed within seconds.
 *   `on-marked-down shutdown-sessions` is available but off by default; see
 *   `HaproxyTuning.shutdownSessionsOnMarkedDown` for the measured reason.
 */
import { checkBoolean, checkDnsLabel, checkInt, checkOneOf } from "../../core/checks";
import { InputError } from "../../core/errors";
import { parseIp } from "../../core/net";
import { KUBERNETES_API_PORT, TALOS_API_PORT } from "../talos/patch";
import { MIN_TALOS_MINOR } from "../talos/version";
import {
  haproxyDuration,
  HaproxyTuning,
  LoadBalancerTuningInput,
  HaproxyMonitorArgs,
  MonitorEndpoint,
  resolveMonitor,
  resolveTuning,
} from "./tuning";

/** A control-plane node behind HAProxy. */
export interface HaproxyBackendNode {
  /** Node name, a DNS label (`cp-01`); the HAProxy server name. */
  name: string;
  /** The node's address without prefix (`192.168.30.31`), IPv4 or IPv6. */
  ip: string;
}

/** Load-balancing algorithms offered (HAProxy manual, "balance"). */
export const BALANCE_ALGORITHMS = ["roundrobin", "leastconn"] as const;
/** One of {@link BALANCE_ALGORITHMS}. */
export type BalanceAlgorithm = (typeof BALANCE_ALGORITHMS)[number];

/** Input of {@link renderHaproxyConfig}. */
export interface HaproxyConfigSpec {
  /**
   * Talos minor version of the control plane (`11` for Talos 1.11), 9 or later. Decides the HTTP
   * status the Kubernetes API check expects, see {@link kubernetesApiCheckStatus}.
   */
  talosMinor: number;
  /** The control-plane nodes: at least one, unique names and addresses. */
  controlPlanes: readonly HaproxyBackendNode[];
  /** Timing overrides on top of {@link DEFAULT_TUNING} (pass {@link FAST_TUNING} for the fast profile). Only `haproxy` is used here. */
  tuning?: LoadBalancerTuningInput;
  /** Monitor endpoint, default `127.0.0.1:8404` `/healthz`; must match the Keepalived config's. */
  monitor?: HaproxyMonitorArgs;
  /**
   * true (default): the monitor URI answers 503 when no Kubernetes API node is UP from this host
   * (`monitor fail if { nbsrv(kubernetes_api) lt 1 }`), so a host cut off from every control-plane
   * node hands the VIP to its peer. Cost: when every node is down for both hosts (cluster down,
   * or before the first node serves), no host holds the VIP and clients time out instead of
   * being refused.
   */
  failWhenNoKubernetesBackend?: boolean;
  /**
   * `balance` of both backends, default `roundrobin` (as the seed config). `leastconn` spreads
   * long-lived watches more evenly (HAProxy manual: "recommended where very long sessions are
   * expected").
   */
  balance?: BalanceAlgorithm;
  /**
   * Also listen on every IPv6 address (`bind :::6443 v6only`, same for 50000), for an IPv6 VIP or
   * host address. Default false: `bind *:port` covers IPv4 only, and an IPv6 bind fails on hosts
   * with IPv6 disabled.
   */
  listenIpv6?: boolean;
  /** Override of the expected `/readyz` status (100-599); default from {@link kubernetesApiCheckStatus}. */
  kubernetesApiCheckStatus?: number;
}

/** Newest Talos minor accepted by {@link kubernetesApiCheckStatus} (a sanity bound, not a support claim). */
const MAX_TALOS_MINOR_FOR_CHECK = 99;
/** First Talos minor whose kube-apiserver answers anonymous `/readyz` with 200. */
export const ANONYMOUS_READYZ_TALOS_MINOR = 14;

/**
 * The HTTP status an unauthenticated `GET /readyz` gets from a serving kube-apiserver on Talos
 * 1.<talosMinor>: 401 up to 1.13, 200 from 1.14.
 *
 * - ≤ 1.13: Talos runs kube-apiserver with `--anonymous-auth=false` since Talos 1.1
 *   (siderolabs/talos PR #5713 "feat(apiserver): disallow anonymous requests by default"; Talos
 *   1.1.0 release notes, "Kubernetes API Server Anonymous Auth"), so an anonymous request is
 *   rejected by the authentication filter with 401 before `/readyz` runs. A 401 still proves that
 *   the node accepts TCP, completes a TLS handshake and serves HTTP from kube-apiserver, which a
 *   TCP check does not; it does not prove etcd readiness.
 * - ≥ 1.14: anonymous access is allowed for the health endpoints only (structured
 *   AuthenticationConfiguration `anonymous.conditions`, KEP-4633, GA in Kubernetes 1.34), so
 *   `/readyz` answers 200 when ready and 500 when not. This threshold comes from the project's
 *   design notes (issue 3); the Talos 1.14 release notes were not available to confirm it, so
 *   {@link HaproxyConfigSpec.kubernetesApiCheckStatus} can override it.
 *
 * @throws InputError naming `field` when the minor is not an integer from 9 to 99.
 */
export function kubernetesApiCheckStatus(talosMinor: number, field = "talosMinor"): 401 | 200 {
  checkInt(field, talosMinor, { min: MIN_TALOS_MINOR, max: MAX_TALOS_MINOR_FOR_CHECK });
  return talosMinor >= ANONYMOUS_READYZ_TALOS_MINOR ? 200 : 401;
}

function checkBackends(field: string, nodes: unknown): HaproxyBackendNode[] {
  if (!Array.isArray(nodes) || nodes.length === 0) throw new InputError(field, nodes, "must list at least one control-plane node");
  const names = new Set<string>();
  const ips = new Set<string>();
  return nodes.map((node: HaproxyBackendNode, i) => {
    const name = checkDnsLabel(`${field}[${i}].name`, node?.name);
    const { ip } = parseIp(`${field}[${i}].ip`, node?.ip);
    if (names.has(name)) throw new InputError(`${field}[${i}].name`, name, "is used by another node");
    if (ips.has(ip)) throw new InputError(`${field}[${i}].ip`, node.ip, "is used by another node");
    names.add(name);
    ips.add(ip);
    return { name, ip };
  });
}

function serverAddress(ip: string, port: number): string {
  return ip.includes(":") ? `[${ip}]:${port}` : `${ip}:${port}`;
}

function globalAndDefaults(t: HaproxyTuning): string[] {
  return [
    "global",
    "    log /dev/log local0",
    // As Debian's own haproxy.cfg: the workers drop root and live in an empty chroot (the
    // haproxy package creates the user, the group and /var/lib/haproxy).
    "    user haproxy",
    "    group haproxy",
    "    chroot /var/lib/haproxy",
    `    maxconn ${t.maxConnections}`,
    "",
    "defaults",
    "    mode tcp",
    "    log global",
    "    option dontlognull",
    `    timeout connect ${haproxyDuration(t.connectTimeoutMs)}`,
    `    timeout client ${haproxyDuration(t.clientTimeoutMs)}`,
    `    timeout server ${haproxyDuration(t.serverTimeoutMs)}`,
    `    timeout tunnel ${haproxyDuration(t.tunnelTimeoutMs)}`,
    `    timeout check ${haproxyDuration(t.checkTimeoutMs)}`,
    `    retries ${t.retries}`,
    "    option redispatch 1",
    "    option srvtcpka",
    `    srvtcpka-idle ${t.serverKeepaliveIdleSec}s`,
    `    srvtcpka-intvl ${t.serverKeepaliveIntervalSec}s`,
    `    srvtcpka-cnt ${t.serverKeepaliveCount}`,
    `    default-server inter ${haproxyDuration(t.checkIntervalMs)} fastinter ${haproxyDuration(t.checkFastIntervalMs)} ` +
      `downinter ${haproxyDuration(t.checkDownIntervalMs)} fall ${t.checkFall} rise ${t.checkRise} tcp-ut ${haproxyDuration(t.serverUserTimeoutMs)}` +
      (t.shutdownSessionsOnMarkedDown ? " on-marked-down shutdown-sessions" : ""),
  ];
}

function monitorFrontend(monitor: MonitorEndpoint, failWhenNoBackend: boolean): string[] {
  return [
    "frontend haproxy_monitor",
    "    mode http",
    `    bind ${monitor.address}:${monitor.port}`,
    `    monitor-uri ${monitor.uri}`,
    ...(failWhenNoBackend ? ["    monitor fail if { nbsrv(kubernetes_api) lt 1 }"] : []),
    "    http-request deny",
  ];
}

function tcpFrontend(name: string, port: number, ipv6: boolean): string[] {
  // `*` is every IPv4 address only; `:::port v6only` adds every IPv6 address without depending on
  // the host's bindv6only setting (HAProxy manual, "bind" and "v6only").
  return [`frontend ${name}`, `    bind *:${port}`, ...(ipv6 ? [`    bind :::${port} v6only`] : []), `    default_backend ${name}`];
}

function backend(
  name: string,
  balance: BalanceAlgorithm,
  checkLines: string[],
  nodes: HaproxyBackendNode[],
  port: number,
  serverCheck: string,
): string[] {
  return [
    `backend ${name}`,
    `    balance ${balance}`,
    ...checkLines,
    ...nodes.map((n) => `    server ${n.name} ${serverAddress(n.ip, port)} ${serverCheck}`),
  ];
}

/**
 * Renders haproxy.cfg for every load-balancer host (the file is the same on all of them).
 *
 * @returns the file content, ending with a newline; `haproxy -dW -c -f` accepts it without
 *   warnings (tested in tests/haproxyKeepalivedRender.test.ts).
 * @throws InputError naming the field: `talosMinor` outside 9-99; an empty or malformed
 *   `controlPlanes` list (names must be DNS labels, addresses plain IPs, both unique); any
 *   `tuning.haproxy.*` out of range or unknown; a non-loopback `monitor.address`, bad
 *   `monitor.port`/`monitor.uri`; unknown `balance`; `kubernetesApiCheckStatus` outside 100-599.
 */
export function renderHaproxyConfig(spec: HaproxyConfigSpec): string {
  const versionStatus = kubernetesApiCheckStatus(spec.talosMinor);
  const status =
    spec.kubernetesApiCheckStatus === undefined
      ? versionStatus
      : checkInt("kubernetesApiCheckStatus", spec.kubernetesApiCheckStatus, { min: 100, max: 599 });
  const nodes = checkBackends("controlPlanes", spec.controlPlanes);
  const tuning = resolveTuning(spec.tuning).haproxy;
  const monitor = resolveMonitor(spec.monitor);
  const balance = checkOneOf("balance", spec.balance ?? "roundrobin", BALANCE_ALGORITHMS, { quote: false });
  const failWhenNoBackend = checkBoolean("failWhenNoKubernetesBackend", spec.failWhenNoKubernetesBackend ?? true);
  const ipv6 = checkBoolean("listenIpv6", spec.listenIpv6 ?? false);
  const k8sCheck = ["    option httpchk GET /readyz", `    http-check expect status ${status}`];
  const sections = [
    ["# Rendered by talos-endpoints (HAProxy 2.6 syntax). Changes made on the host are overwritten by the next push."],
    globalAndDefaults(tuning),
    monitorFrontend(monitor, failWhenNoBackend),
    tcpFrontend("kubernetes_api", KUBERNETES_API_PORT, ipv6),
    backend("kubernetes_api", balance, k8sCheck, nodes, KUBERNETES_API_PORT, "check check-ssl verify none"),
    tcpFrontend("talos_api", TALOS_API_PORT, ipv6),
    backend("talos_api", balance, [], nodes, TALOS_API_PORT, "check"),
  ];
  return sections.map((lines) => lines.join("\n")).join("\n\n") + "\n";
}
