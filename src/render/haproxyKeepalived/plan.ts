/**
 * The plan of a `HaproxyKeepalivedEndpoint`: validation of its (resolved, secret-free) args and
 * every file and push script it renders. Pure: no Pulumi imports.
 */
import * as crypto from "crypto";
import { ControlPlaneNodeSpec, validateControlPlanes } from "../talos/controlPlanes";
import { checkDnsLabel, checkInt, checkOneOf } from "../../core/checks";
import { InputError, withFieldNames } from "../../core/errors";
import { parseInterfaceAddress, parseIp, tryParseIp } from "../../core/net";
import { checkEndpoint } from "../talos/patch";
import { parseTalosVersion } from "../talos/version";
import { HaproxyConfigSpec, renderHaproxyConfig } from "./haproxyConfig";
import { DEFAULT_HOST_PRIORITY, renderCheckScript, renderKeepalivedConfig } from "./keepalivedConfig";
import {
  checkKubernetesApiCheckCertificates,
  kubernetesApiCheckFiles,
  KubernetesApiCheckCertificates,
  kubernetesApiCheckWarnings,
} from "./checkTls";
import { installedFiles, PushStepsSpec, renderPushSteps } from "./pushScript";
import { DEFAULT_TUNING, FAST_TUNING, HaproxyMonitorArgs, LoadBalancerTuning, LoadBalancerTuningInput } from "./tuning";

/**
 * Modes of `HaproxyKeepalivedEndpoint`:
 * - `ha-pair`: HAProxy on every load-balancer host, Keepalived moving the VIP between them; the
 *   VIP is the endpoint (design notes, bare metal "Option 1").
 * - `single-haproxy`: HAProxy on one host, no Keepalived; that host's address is the endpoint
 *   (no failover of the load balancer itself; "Option 2").
 * - `dns-round-robin`: no load balancer; a DNS name with one A/AAAA record per control plane is the
 *   endpoint, with no health checking ("Option 3").
 */
export const LOAD_BALANCER_MODES = ["ha-pair", "single-haproxy", "dns-round-robin"] as const;
/** One of {@link LOAD_BALANCER_MODES}. */
export type LoadBalancerMode = (typeof LOAD_BALANCER_MODES)[number];
/** Timing profiles: `default` ({@link DEFAULT_TUNING}) and `fast` ({@link FAST_TUNING}, sub-second VRRPv3 adverts). */
export const TUNING_PROFILES = ["default", "fast"] as const;
/** Default `virtual_router_id`, as in the design notes' keepalived.conf. */
export const DEFAULT_VIRTUAL_ROUTER_ID = 51;
/** Default TTL of the round-robin records, seconds: short, since a dead node stays in answers until it expires. */
export const DEFAULT_DNS_TTL = 30;

/**
 * The Keepalived renderer's field names, as the component (`HaproxyKeepalivedEndpoint`) names them:
 * `hosts[i]` → `loadBalancers[i]` (same order), `interface` → `vrrpInterface`, `authPass` →
 * `vrrpAuthPass`. Other names (`vip`, `virtualRouterId`, `tuning.…`) are the same in both.
 */
export function componentField(field: string): string {
  return field
    .replace(/^hosts(?=\[|$)/, "loadBalancers")
    .replace(/^interface(?=$|\.)/, "vrrpInterface")
    .replace(/^authPass(?=$|\.)/, "vrrpAuthPass");
}

/** The VRRP priority of the `index`-th host when none is given (as `renderKeepalivedConfig` assigns it): 200 for every host. */
export function defaultPriority(_index: number): number {
  return DEFAULT_HOST_PRIORITY;
}

/** A DNS record to create for `dns-round-robin` (this component does not talk to a DNS provider). */
export interface DnsRecord {
  /** The record name (the endpoint). */
  name: string;
  /** `A` or `AAAA`. */
  type: "A" | "AAAA";
  /** The control-plane address. */
  value: string;
  /** Seconds. */
  ttl: number;
}

/**
 * What the plan needs: the resolved `HaproxyKeepalivedEndpoint` args without the secrets (see
 * there for every field). The SSH connections are left out; the VRRP password is replaced by
 * whether one is set, and rendered as {@link MASKED_AUTH_PASS} in the public files and the
 * trigger hash.
 */
export interface HaproxyKeepalivedPlanSpec {
  mode?: string;
  talosVersion: string;
  controlPlanes: readonly ControlPlaneNodeSpec[];
  loadBalancers?: readonly { name: string; address: string; priority?: number }[];
  vip?: string;
  vrrpInterface?: string;
  virtualRouterId?: number;
  vrrpAuthPassSet?: boolean;
  tuningProfile?: string;
  tuning?: LoadBalancerTuningInput;
  balance?: string;
  failWhenNoKubernetesBackend?: boolean;
  kubernetesApiCheckStatus?: number;
  /** The authenticated check's certificates (the key is passed to {@link HostPlan.scriptWith}). */
  kubernetesApiCheck?: KubernetesApiCheckCertificates;
  monitor?: HaproxyMonitorArgs;
  dnsName?: string;
  dnsTtl?: number;
}

/** What the public keepalived.conf outputs show instead of the VRRP password. */
export const MASKED_AUTH_PASS = "********";
/** What the public `files` output shows instead of the check's client key. */
export const MASKED_CLIENT_KEY = "-----BEGIN PRIVATE KEY-----\n(secret: the kubernetesApiCheck.clientKey)\n-----END PRIVATE KEY-----";

/** Everything rendered for one load-balancer host. */
export interface HostPlan {
  haproxyConfig: string;
  /** keepalived.conf with the VRRP password masked. */
  keepalivedConfig?: string;
  /**
   * Every file the push script installs, by absolute path on the host, in install order
   * (`installedFiles` of the script's spec; keepalived.conf with the VRRP password masked).
   */
  files: Record<string, string>;
  /** The push script with the password masked: its hash is the trigger. */
  script: string;
  hash: string;
  /** Renders the real push script with the VRRP password and the check's client key (only ever called inside a secret). */
  scriptWith(authPass: string | undefined, clientKey?: string): string;
}

/** The validated, rendered result of the args. */
export interface HaproxyKeepalivedPlan {
  mode: LoadBalancerMode;
  endpoint: string;
  talosApiEndpoints: string[];
  /** By host name, in push order (lowest priority first). */
  hosts: Record<string, HostPlan>;
  dnsRecords: DnsRecord[];
  warnings: string[];
}

/**
 * Checks the mode; unset means `ha-pair`.
 * @throws InputError `must be one of ha-pair, single-haproxy, dns-round-robin`.
 */
export function checkMode(value: unknown): LoadBalancerMode {
  return checkOneOf("mode", value ?? "ha-pair", LOAD_BALANCER_MODES, { quote: false });
}

function profile(value: unknown): LoadBalancerTuning {
  const name = checkOneOf("tuningProfile", value === undefined ? "default" : value, TUNING_PROFILES, { quote: false });
  return name === "fast" ? FAST_TUNING : DEFAULT_TUNING;
}

/** Profile plus overrides, as the renderers take them. */
function tuningOf(args: HaproxyKeepalivedPlanSpec): LoadBalancerTuningInput {
  const base = profile(args.tuningProfile);
  const over = (args.tuning ?? {}) as LoadBalancerTuningInput;
  return { haproxy: { ...base.haproxy, ...over.haproxy }, keepalived: { ...base.keepalived, ...over.keepalived } };
}

/** The files of a push spec by path (see {@link HostPlan.files}). */
function filesOf(spec: PushStepsSpec): Record<string, string> {
  return Object.fromEntries(installedFiles(spec).map((f) => [f.path, f.content]));
}

function hash(text: string): string {
  return crypto.createHash("sha256").update(text).digest("hex");
}

function dnsPlan(args: HaproxyKeepalivedPlanSpec, nodeIps: string[]): Pick<HaproxyKeepalivedPlan, "endpoint" | "dnsRecords" | "warnings"> {
  if ((args.loadBalancers ?? []).length > 0) {
    throw new InputError(
      "loadBalancers",
      args.loadBalancers!.map((h) => h.name),
      "must be empty in dns-round-robin mode (there is no load balancer)",
    );
  }
  const name = checkEndpoint("dnsName", args.dnsName);
  if (tryParseIp(name)) throw new InputError("dnsName", args.dnsName, "must be a DNS name, not an IP address");
  const ttl = checkInt("dnsTtl", args.dnsTtl ?? DEFAULT_DNS_TTL, { min: 1, max: 86400, what: "whole seconds" });
  return {
    endpoint: name,
    dnsRecords: nodeIps.map((ip) => ({ name, type: ip.includes(":") ? "AAAA" : "A", value: ip, ttl })),
    warnings: [
      `dns-round-robin: ${name} has no health checking: clients keep being sent to a control plane that is down until its ` +
        `record is removed and the TTL (${ttl} s) has passed (design notes, bare metal "Option 3"). Use it for development only.`,
    ],
  };
}

/**
 * Validates the args and renders every host's files and push script.
 * @throws InputError naming the field and value (see {@link HaproxyKeepalivedEndpoint}).
 */
export function planHaproxyKeepalived(args: HaproxyKeepalivedPlanSpec): HaproxyKeepalivedPlan {
  const mode = checkMode(args.mode);
  const talos = parseTalosVersion(args.talosVersion);
  const { nodes, warnings } = validateControlPlanes("controlPlanes", args.controlPlanes);
  const nodeIps = nodes.map((n) => n.address.ip);
  if (mode === "dns-round-robin") {
    const dns = dnsPlan(args, nodeIps);
    return {
      mode,
      endpoint: dns.endpoint,
      talosApiEndpoints: nodeIps,
      hosts: {},
      dnsRecords: dns.dnsRecords,
      warnings: [...warnings, ...dns.warnings],
    };
  }

  const lbs = args.loadBalancers ?? [];
  if (mode === "ha-pair" && lbs.length < 2)
    throw new InputError(
      "loadBalancers",
      lbs.map((h) => h.name),
      "must list at least 2 hosts in ha-pair mode (Keepalived moves the VIP between them)",
    );
  if (mode === "single-haproxy" && lbs.length !== 1)
    throw new InputError(
      "loadBalancers",
      lbs.map((h) => h.name),
      "must list exactly 1 host in single-haproxy mode",
    );
  const hosts = lbs.map((lb, i) => {
    checkDnsLabel(`loadBalancers[${i}].name`, lb.name);
    const address = parseInterfaceAddress(`loadBalancers[${i}].address`, lb.address);
    nodes.forEach((n, j) => {
      if (n.address.ip === address.ip)
        throw new InputError(`loadBalancers[${i}].address`, lb.address, `equals the address of controlPlanes[${j}] (${n.name})`);
    });
    return { ...lb, address };
  });
  const tuning = tuningOf(args);
  const checkCerts =
    args.kubernetesApiCheck === undefined ? undefined : checkKubernetesApiCheckCertificates("kubernetesApiCheck", args.kubernetesApiCheck);
  const checkFiles = checkCerts && kubernetesApiCheckFiles(checkCerts);
  const haproxyFiles = (key: string | undefined) => (checkFiles ? checkFiles.files(key ?? MASKED_CLIENT_KEY) : []);
  if (checkCerts) warnings.push(...kubernetesApiCheckWarnings(checkCerts));
  if (!checkFiles)
    warnings.push(
      "HAProxy's Kubernetes API check is unauthenticated: kube-apiserver answers 401 to an anonymous /readyz whether it is ready " +
        "or not (Talos up to 1.13), so a node whose kube-apiserver serves but is not ready (etcd lagging) stays in rotation. " +
        "Set kubernetesApiCheck (the cluster's Kubernetes CA and a client certificate signed by it) for a check that sees readiness.",
    );
  const listenIpv6 = hosts.some((h) => h.address.family === "ipv6") || String(args.vip ?? "").includes(":");
  const haproxyConfig = renderHaproxyConfig({
    talosMinor: talos.minor,
    controlPlanes: nodes.map((n) => ({ name: n.name, ip: n.address.ip })),
    tuning,
    listenIpv6,
    monitor: args.monitor,
    balance: args.balance as HaproxyConfigSpec["balance"],
    failWhenNoKubernetesBackend: args.failWhenNoKubernetesBackend,
    kubernetesApiCheckStatus: args.kubernetesApiCheckStatus,
    kubernetesApiCheckTls: checkFiles?.tls,
  });

  let endpoint: string;
  const plans: Record<string, HostPlan> = {};
  if (mode === "single-haproxy") {
    endpoint = hosts[0].address.ip;
    const pushWith = (key: string | undefined) => ({ haproxyConfig, haproxyFiles: haproxyFiles(key) });
    const script = renderPushSteps(pushWith(undefined));
    plans[hosts[0].name] = {
      haproxyConfig,
      files: filesOf(pushWith(undefined)),
      script,
      hash: hash(script),
      scriptWith: (_pass, key) => renderPushSteps(pushWith(key)),
    };
  } else {
    if (args.vip === undefined) throw new InputError("vip", args.vip, "must be set in ha-pair mode");
    if (args.vrrpInterface === undefined) throw new InputError("vrrpInterface", args.vrrpInterface, "must be set in ha-pair mode");
    const vipIp = parseIp("vip", String(args.vip).split("/")[0]).ip;
    nodes.forEach((n, j) => {
      if (n.address.ip === vipIp) throw new InputError("vip", args.vip, `equals the address of controlPlanes[${j}] (${n.name})`);
    });
    endpoint = vipIp;
    const hostSpecs = hosts.map((h) => ({ name: h.name, address: h.address.cidr, priority: h.priority }));
    const priorities = new Set(hosts.map((h, i) => h.priority ?? defaultPriority(i)));
    if (priorities.size > 1 && (tuning.keepalived?.preempt ?? true))
      warnings.push(
        `loadBalancers: the VRRP priorities differ (${[...priorities].join(", ")}): the highest host takes the VIP back whenever it ` +
          "returns, a second move that resets every long-lived stream again. Leave priority unset (200 for every host) unless that is wanted.",
      );
    const checkScript = renderCheckScript({ tuning, monitor: args.monitor, vip: vipIp });
    // Push order: lowest priority first (with the default equal priorities, the order given). The
    // VIP holder is whichever host took it, so this is a stable order, not a guarantee that the
    // holder goes last; hosts change one at a time and reload without dropping the VIP.
    const ordered = hosts.map((h, i) => ({ h, priority: h.priority ?? defaultPriority(i) })).sort((a, b) => a.priority - b.priority);
    for (const { h } of ordered) {
      const keepalivedWith = (authPass: string | undefined) =>
        withFieldNames(componentField, () =>
          renderKeepalivedConfig({
            hosts: hostSpecs,
            host: h.name,
            vip: String(args.vip),
            interface: args.vrrpInterface as string,
            virtualRouterId: args.virtualRouterId ?? DEFAULT_VIRTUAL_ROUTER_ID,
            authPass,
            tuning,
            // the same monitor as the check script, so keepalived.conf names the script's path
            monitor: args.monitor,
          }),
        );
      const keepalivedConfig = keepalivedWith(args.vrrpAuthPassSet ? MASKED_AUTH_PASS : undefined);
      const push = { haproxyConfig, keepalivedConfig, checkScript, haproxyFiles: haproxyFiles(undefined) };
      const script = renderPushSteps(push);
      const scriptWith = (authPass: string | undefined, key?: string) =>
        renderPushSteps({ haproxyConfig, keepalivedConfig: keepalivedWith(authPass), checkScript, haproxyFiles: haproxyFiles(key) });
      plans[h.name] = { haproxyConfig, keepalivedConfig, files: filesOf(push), script, hash: hash(script), scriptWith };
    }
  }
  return { mode, endpoint, talosApiEndpoints: nodeIps, hosts: plans, dnsRecords: [], warnings };
}
