/**
 * The haproxy.cfg of the HAProxy + Keepalived endpoint. Pure: no Pulumi imports.
 *
 * Layout (HAProxy 2.6 syntax; every keyword is from the HAProxy 2.6 configuration manual):
 * - `frontend kubernetes_api` on `*:6443` and `frontend talos_api` on `*:50000`, TCP mode (TLS is
 *   passed through to the nodes). `*` rather than the VIP: the BACKUP host does not hold the VIP,
 *   and binding an address the host does not have fails unless `net.ipv4.ip_nonlocal_bind=1`.
 *   Both are bound `transparent` (IP_TRANSPARENT, inherited by accepted connections): once the VIP
 *   has moved away, this host can still send from it, so the resets of the Keepalived notify step
 *   and the client keepalive probes reach the clients of connections that now lead nowhere, and
 *   their streams reset instead of stalling (measured in the namespace lab, tests/lab).
 *   HAProxy binds as root before it drops privileges, so no capability has to be granted.
 * - `frontend haproxy_monitor`: an HTTP frontend on a loopback port. Its `monitor-uri` answers
 *   200 while HAProxy serves at least one Talos API or Kubernetes API node (503 when it serves
 *   none, or, with {@link HaproxyConfigSpec.failWhenNoKubernetesBackend}, no Kubernetes API node);
 *   `<monitor-uri>/kubernetes-api` answers 200 while a Kubernetes API node is UP and 503 otherwise.
 *   Keepalived's check script probes both: the first releases the VIP at once (FAULT), the second
 *   lowers the host's VRRP priority, so a dead or hung HAProxy releases the VIP, a host that sees
 *   no Kubernetes API node hands it to one that does, and when every kube-apiserver is down the
 *   VIP stays and the Talos API keeps answering through it.
 * - `backend kubernetes_api`: layer-7 check over TLS (`option httpchk GET /readyz`). Without a
 *   client certificate: `check check-ssl verify none`, `http-check expect status <401|200>` (a
 *   401 proves a serving kube-apiserver, not a ready one). With one
 *   ({@link HaproxyConfigSpec.kubernetesApiCheckTls}): `check-ssl verify required ca-file <CA>
 *   crt <client cert>` and `expect status 200`, which sees readiness (503/500 while not ready).
 * - `backend talos_api`: layer-4 (TCP connect) check; apid requires client certificates.
 * - Fast failure handling: short `timeout connect`, `retries` with `option redispatch 1` (every
 *   retry on another node, without the turn-around delay of retries on the same node),
 *   `fastinter` while a node changes state, and server-side TCP keepalive plus `tcp-ut` so
 *   established connections to a node that vanished are closed within seconds.
 *   `on-marked-down shutdown-sessions` is available but off by default; see
 *   `HaproxyTuning.shutdownSessionsOnMarkedDown` for the measured reason.
 */
import { checkBoolean, checkDnsLabel, checkInt, checkOneOf, checkPattern } from "../../core/checks";
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
   * false (default): the monitor URI answers 503 only when this host has no Talos API node and no
   * Kubernetes API node UP (`monitor fail if { nbsrv(kubernetes_api) lt 1 } { nbsrv(talos_api)
   * lt 1 }`), so when kube-apiserver is down on every node (etcd quorum lost) while apid runs, the
   * VIP stays and `talosctl` through it keeps working, which is when it is needed to repair the
   * cluster; the Kubernetes API check's VRRP weight still moves the VIP to a host that sees a
   * Kubernetes API node. true: 503 as soon as no Kubernetes API node is UP
   * (`monitor fail if { nbsrv(kubernetes_api) lt 1 }`): the VIP is released, and no host holds it
   * while no kube-apiserver serves.
   */
  failWhenNoKubernetesBackend?: boolean;
  /**
   * Files on the load-balancer host for an authenticated Kubernetes API check: `caFile`, the
   * cluster's Kubernetes CA (PEM) that signed the kube-apiserver serving certificates, and
   * `certFile`, a client certificate signed by that CA followed by its private key (PEM, one file,
   * as HAProxy's `crt` takes it). Any authenticated identity may read `/readyz`
   * (the `system:public-info-viewer` ClusterRole binds it to `system:authenticated`), so the check
   * expects 200 and a node that serves but is not ready (500) leaves the rotation. Default none:
   * the unauthenticated check (401 up to Talos 1.13), which cannot see readiness.
   */
  kubernetesApiCheckTls?: KubernetesApiCheckTls;
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

/** Where the authenticated Kubernetes API check finds its certificates (see {@link HaproxyConfigSpec.kubernetesApiCheckTls}). */
export interface KubernetesApiCheckTls {
  /** Absolute path of the Kubernetes CA certificate (PEM). */
  caFile: string;
  /** Absolute path of the client certificate and its key (PEM, mode 0600). */
  certFile: string;
}

/** Suffix of the monitor URI that answers whether a Kubernetes API node is UP (`/healthz/kubernetes-api`). */
export const KUBERNETES_API_MONITOR_SUFFIX = "/kubernetes-api";

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

function checkCheckTls(field: string, value: KubernetesApiCheckTls | undefined): KubernetesApiCheckTls | undefined {
  if (value === undefined) return undefined;
  const path = (name: keyof KubernetesApiCheckTls) =>
    checkPattern(`${field}.${name}`, value?.[name], /^(\/[A-Za-z0-9._-]+)+$/, "must be an absolute file path of letters, digits and . _ -");
  return { caFile: path("caFile"), certFile: path("certFile") };
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
    "    option clitcpka",
    `    clitcpka-idle ${t.clientKeepaliveIdleSec}s`,
    `    clitcpka-intvl ${t.clientKeepaliveIntervalSec}s`,
    `    clitcpka-cnt ${t.clientKeepaliveCount}`,
    `    default-server inter ${haproxyDuration(t.checkIntervalMs)} fastinter ${haproxyDuration(t.checkFastIntervalMs)} ` +
      `downinter ${haproxyDuration(t.checkDownIntervalMs)} fall ${t.checkFall} rise ${t.checkRise} tcp-ut ${haproxyDuration(t.serverUserTimeoutMs)}` +
      (t.shutdownSessionsOnMarkedDown ? " on-marked-down shutdown-sessions" : ""),
  ];
}

/** The monitor URI that answers whether a Kubernetes API node is UP, for a monitor URI `uri`. */
export function kubernetesApiMonitorUri(uri: string): string {
  return `${uri.replace(/\/+$/, "")}${KUBERNETES_API_MONITOR_SUFFIX}`;
}

function monitorFrontend(monitor: MonitorEndpoint, failWhenNoKubernetesBackend: boolean): string[] {
  const k8sUri = kubernetesApiMonitorUri(monitor.uri);
  return [
    "frontend haproxy_monitor",
    "    mode http",
    `    bind ${monitor.address}:${monitor.port}`,
    `    monitor-uri ${monitor.uri}`,
    failWhenNoKubernetesBackend
      ? "    monitor fail if { nbsrv(kubernetes_api) lt 1 }"
      : "    monitor fail if { nbsrv(kubernetes_api) lt 1 } { nbsrv(talos_api) lt 1 }",
    `    http-request return status 200 if { path ${k8sUri} } { nbsrv(kubernetes_api) ge 1 }`,
    `    http-request return status 503 if { path ${k8sUri} }`,
    "    http-request deny",
  ];
}

function tcpFrontend(name: string, port: number, ipv6: boolean): string[] {
  // `*` is every IPv4 address only; `:::port v6only` adds every IPv6 address without depending on
  // the host's bindv6only setting (HAProxy manual, "bind" and "v6only").
  return [
    `frontend ${name}`,
    `    bind *:${port} transparent`,
    ...(ipv6 ? [`    bind :::${port} v6only transparent`] : []),
    `    default_backend ${name}`,
  ];
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
 *   `monitor.port`/`monitor.uri`; unknown `balance`; `kubernetesApiCheckStatus` outside 100-599, or
 *   other than 200 with `kubernetesApiCheckTls`; a `kubernetesApiCheckTls` path that is not a plain
 *   absolute path.
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
  const failWhenNoBackend = checkBoolean("failWhenNoKubernetesBackend", spec.failWhenNoKubernetesBackend ?? false);
  const ipv6 = checkBoolean("listenIpv6", spec.listenIpv6 ?? false);
  const tls = checkCheckTls("kubernetesApiCheckTls", spec.kubernetesApiCheckTls);
  if (tls && spec.kubernetesApiCheckStatus !== undefined && status !== 200)
    throw new InputError(
      "kubernetesApiCheckStatus",
      status,
      "must be 200 (or unset) with kubernetesApiCheckTls: an authenticated /readyz answers 200 when ready",
    );
  const k8sCheck = ["    option httpchk GET /readyz", `    http-check expect status ${tls ? 200 : status}`];
  const k8sServer = tls ? `check check-ssl verify required ca-file ${tls.caFile} crt ${tls.certFile}` : "check check-ssl verify none";
  const sections = [
    ["# Rendered by talos-endpoints (HAProxy 2.6 syntax). Changes made on the host are overwritten by the next push."],
    globalAndDefaults(tuning),
    monitorFrontend(monitor, failWhenNoBackend),
    tcpFrontend("kubernetes_api", KUBERNETES_API_PORT, ipv6),
    backend("kubernetes_api", balance, k8sCheck, nodes, KUBERNETES_API_PORT, k8sServer),
    tcpFrontend("talos_api", TALOS_API_PORT, ipv6),
    backend("talos_api", balance, [], nodes, TALOS_API_PORT, "check"),
  ];
  return sections.map((lines) => lines.join("\n")).join("\n\n") + "\n";
}
