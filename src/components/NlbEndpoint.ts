/**
 * NlbEndpoint: an AWS Network Load Balancer as the control-plane endpoint.
 *
 * Sources for every limit used here (checked against the current ELBv2 documentation):
 * - Health check settings (interval 5-300 s, timeout 2-120 s, healthy and unhealthy thresholds
 *   2-10, TCP health checks, `traffic-port`): "Health checks for Network Load Balancer target
 *   groups", https://docs.aws.amazon.com/elasticloadbalancing/latest/network/target-group-health-checks.html
 *   and `CreateTargetGroup`, https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateTargetGroup.html
 *   (`HealthCheckIntervalSeconds` "The range is 5-300", `HealthCheckTimeoutSeconds` "The range is
 *   2–120 seconds", `HealthyThresholdCount` / `UnhealthyThresholdCount` "The range is 2-10").
 *   NLB health checks became configurable in November 2022
 *   (https://aws.amazon.com/about-aws/whats-new/2022/11/elastic-load-balancing-capabilities-application-availability/);
 *   older copies of the guide (interval 10 or 30 only, fixed timeout, unhealthy = healthy
 *   threshold) are out of date.
 * - Timeout not above the interval: the AWS CDK enforces the same for NLB target groups
 *   (aws/aws-cdk#26031, "Ensure that HealthCheckTimeoutSeconds is not greater than
 *   HealthCheckIntervalSeconds").
 * - `deregistration_delay.timeout_seconds` "The range is 0-3600 seconds. The default value is 300
 *   seconds": `TargetGroupAttribute`, https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_TargetGroupAttribute.html
 * - Load balancer names "can have a maximum of 32 characters, must contain only alphanumeric
 *   characters or hyphens, must not begin or end with a hyphen, and must not begin with
 *   'internal-'": `CreateLoadBalancer`, https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateLoadBalancer.html;
 *   target group names: the same without the `internal-` rule (`CreateTargetGroup`).
 * - Client IP preservation is on by default for instance targets, and internal NLBs do not
 *   support hairpinning with it ("Edit target group attributes",
 *   https://docs.aws.amazon.com/elasticloadbalancing/latest/network/edit-target-group-attributes.html;
 *   troubleshooting, https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-troubleshooting.html#loopback-timeout).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as ipaddr from "ipaddr.js";
import { checkBoolean, InputError } from "../core/errors";
import { checkName, parseIp } from "../core/net";
import { KUBERNETES_API_PORT, kubernetesApiUrl, TALOS_API_PORT } from "../render/talos/patch";
import { componentToken, ControlPlaneEndpoint } from "./contract";
import { validated } from "./inputs";

/** Listener port that forwards to the workers' Talos API (port 50000 on the workers). */
export const WORKER_TALOS_API_LISTENER_PORT = 50001;

/** ELBv2 limits this component checks its inputs against (sources in the module comment). */
export const ELBV2_LIMITS = {
  /** `HealthCheckIntervalSeconds`, seconds. */
  healthCheckIntervalSeconds: { min: 5, max: 300 },
  /** `HealthCheckTimeoutSeconds`, seconds (and not above the interval). */
  healthCheckTimeoutSeconds: { min: 2, max: 120 },
  /** `HealthyThresholdCount`, consecutive checks. */
  healthyThresholdCount: { min: 2, max: 10 },
  /** `UnhealthyThresholdCount`, consecutive checks. */
  unhealthyThresholdCount: { min: 2, max: 10 },
  /** `deregistration_delay.timeout_seconds`, seconds. */
  deregistrationDelaySeconds: { min: 0, max: 3600 },
  /** Load balancer and target group names, characters. */
  nameMaxLength: 32,
} as const;

/**
 * Defaults, chosen for fast failover within the limits above. With them a control plane that
 * stops answering is out of service after at most interval × unhealthyThreshold + timeout =
 * 5 × 2 + 3 = 13 s (at least 5 + 3 = 8 s; 10 s when the node refuses connections instead of timing
 * out), against 10 × 2 + 5 = 25 s with the design notes' 10 s / 5 s / 2 / 2. A recovered one is back
 * after healthyThreshold × interval = 10 s. AWS's passive health checks can drop a target sooner;
 * AWS publishes no figure for the time the NLB then takes to stop routing to it.
 */
export const NLB_ENDPOINT_DEFAULTS = {
  internal: true,
  allowPublicAccess: false,
  enableDeletionProtection: false,
  enableCrossZoneLoadBalancing: true,
  preserveClientIp: true,
  deregistrationDelay: 30,
  healthCheckInterval: 5,
  healthCheckTimeout: 3,
  healthyThreshold: 2,
  unhealthyThreshold: 2,
} as const;

/** AWS name suffixes appended to `environment`; the longest decides the maximum length. */
export const NLB_NAME_SUFFIXES = {
  loadBalancer: "-talos-api-nlb",
  kubernetesApiTargetGroup: "-talos-api-tg",
  talosApiTargetGroup: "-talos-apid-tg",
  workerTalosApiTargetGroup: "-talos-wk-apid-tg",
  securityGroup: "-talos-api-nlb-sg",
} as const;

/** Longest `environment` that keeps every load balancer and target group name within 32 characters (15). */
export const MAX_ENVIRONMENT_LENGTH =
  ELBV2_LIMITS.nameMaxLength -
  Math.max(
    NLB_NAME_SUFFIXES.loadBalancer.length,
    NLB_NAME_SUFFIXES.kubernetesApiTargetGroup.length,
    NLB_NAME_SUFFIXES.talosApiTargetGroup.length,
    NLB_NAME_SUFFIXES.workerTalosApiTargetGroup.length,
  );

/** A control-plane EC2 instance behind the NLB. */
export interface NlbControlPlaneInstanceArgs {
  /**
   * Short name, a DNS label (`cp-01`). Plain string, not an Input: the attachments are named after
   * it (`<component>-cp-<name>-6443`, `<component>-cp-<name>-50000`), and names must be known when
   * the program runs. Unique across control planes and workers.
   */
  name: string;
  /** EC2 instance ID (`i-0123...`), registered as an `instance` target on 6443 and 50000. May be an Output. */
  instanceId: pulumi.Input<string>;
  /**
   * The instance's private IPv4 address (`10.0.1.10`), no prefix. Published in
   * `talosApiEndpoints` (the endpoint contract: talosconfig endpoints are node addresses); from
   * outside the VPC use `talosApiEndpoint` (the NLB on 50000) instead. Unique.
   */
  privateIp: pulumi.Input<string>;
}

/** A worker EC2 instance whose Talos API is published on listener 50001. */
export interface NlbWorkerInstanceArgs {
  /**
   * Short name, a DNS label (`wk-01`). Plain string: the attachment is named
   * `<component>-wk-<name>-50000`. Unique across control planes and workers.
   */
  name: string;
  /** EC2 instance ID, registered as an `instance` target on 50000 in the worker target group. May be an Output. */
  instanceId: pulumi.Input<string>;
}

/** Arguments of {@link NlbEndpoint}. */
export interface NlbEndpointArgs {
  /**
   * Environment name used in the AWS names: `<environment>-talos-api-nlb`, `-talos-api-tg`,
   * `-talos-apid-tg`, `-talos-wk-apid-tg`, `-talos-api-nlb-sg`. Letters, digits and hyphens, not
   * starting or ending with a hyphen, at most 15 characters (AWS allows 32 for load balancer and
   * target group names; the longest suffix, `-talos-wk-apid-tg`, takes 17), and not such that the
   * load balancer name begins with `internal-` (reserved by AWS) or the security group name with
   * `sg-` (reserved by EC2).
   */
  environment: pulumi.Input<string>;
  /** VPC of the load balancer, target groups and security group (`vpc-...`). */
  vpcId: pulumi.Input<string>;
  /**
   * The VPC's IPv4 CIDR (`10.0.0.0/16`, a /16 to /28 network address). Allowed in on 6443, 50000
   * and 50001 (workers and nodes reach the endpoint from inside the VPC; the NLB's own health
   * checks come from its private addresses in the VPC), and the only destination the NLB may send
   * to. Must not have host bits set.
   */
  vpcCidr: pulumi.Input<string>;
  /**
   * Subnets of the load balancer, at least one, at most one per Availability Zone (public subnets
   * for an internet-facing NLB). Adding subnets later is an in-place change; removing one
   * replaces the NLB.
   */
  subnetIds: pulumi.Input<pulumi.Input<string>[]>;
  /**
   * `true` (default): internal NLB, reachable from the VPC and connected networks (VPN, bastion):
   * the design notes' recommendation for production. `false`: internet-facing; then
   * `allowedAdminCidrs` must list the networks allowed in.
   */
  internal?: pulumi.Input<boolean>;
  /**
   * IPv4 networks allowed to reach 6443, 50000 and 50001, besides `vpcCidr` (e.g.
   * `["198.51.100.7/32"]`). Default none. Each one gets its own rules on the NLB security group
   * and on `instanceSecurityGroupId` (client IPs are preserved, so the instances see these
   * addresses). Network addresses only (`10.0.0.1/16` is rejected: host bits set), no duplicates,
   * not `vpcCidr` itself, no IPv6 (the NLB is IPv4-only and instance targets would see IPv6 clients
   * as the NLB's address). `0.0.0.0/0` is rejected unless `allowPublicAccess` is `true`. Required
   * (non-empty) when `internal` is `false`.
   *
   * Plain strings, not Inputs: every CIDR names its rule resources
   * (`<component>-nlb-sg-in-6443-198-51-100-7-32`), so removing a CIDR deletes only its rules and
   * never rewrites the others (rewriting could collide with AWS's duplicate-rule check).
   */
  allowedAdminCidrs?: string[];
  /**
   * Explicit opt-in to `0.0.0.0/0` in `allowedAdminCidrs`, i.e. the Kubernetes and Talos APIs
   * open to the whole internet (both are authenticated, but exposed to scanning and to any future
   * pre-authentication bug). Default `false`.
   */
  allowPublicAccess?: pulumi.Input<boolean>;
  /**
   * The security group of the control-plane (and worker) instances. Gets ingress rules for 6443
   * and 50000 from `vpcCidr` and each admin CIDR, one rule per CIDR and port. It must not already
   * hold identical rules (EC2 rejects duplicates).
   */
  instanceSecurityGroupId: pulumi.Input<string>;
  /** Control-plane instances, at least one. Registered in the 6443 and 50000 target groups. */
  controlPlaneInstances: NlbControlPlaneInstanceArgs[];
  /** Worker instances, registered in the worker Talos API target group (listener 50001). Default none. */
  workerInstances?: NlbWorkerInstanceArgs[];
  /** AWS deletion protection on the load balancer. Default `false` (as in the design notes); set `true` in production. */
  enableDeletionProtection?: pulumi.Input<boolean>;
  /**
   * Cross-zone load balancing. Default `true`: every NLB node can send to a healthy control plane
   * in any zone, so losing the only control plane in a zone does not wait for DNS (AWS removes a
   * zone's address from DNS when it has no healthy target, and clients keep the cached address
   * until the TTL runs out). Costs inter-AZ data transfer; the notes' `false` suits one AZ.
   */
  enableCrossZoneLoadBalancing?: pulumi.Input<boolean>;
  /**
   * Target group attribute `preserve_client_ip.enabled`. Default `true` (the design notes' value
   * and the AWS default for instance targets): the instances see the client's address, which is
   * why `instanceSecurityGroupId` gets rules for the admin CIDRs. Caveat (AWS troubleshooting,
   * "loopback-timeout"): with it, an internal NLB cannot hairpin, so a node connecting to the
   * endpoint times out when the NLB picks that same node. Talos components use KubePrism
   * (localhost) instead of the endpoint, but set `false` if anything on the nodes must use it.
   */
  preserveClientIp?: pulumi.Input<boolean>;
  /**
   * Seconds a deregistered target keeps its connections (draining), 0-3600
   * (`deregistration_delay.timeout_seconds`). Default `30` (the design notes' value; AWS's is 300).
   */
  deregistrationDelay?: pulumi.Input<number>;
  /**
   * Seconds between TCP health checks of a target, 5-300. Default `5` (the AWS minimum). NLB health
   * checks are distributed, so targets receive more checks than this suggests (AWS guide).
   */
  healthCheckInterval?: pulumi.Input<number>;
  /** Seconds without a TCP connect before a check fails, 2-120 and not above the interval. Default `3`. */
  healthCheckTimeout?: pulumi.Input<number>;
  /** Consecutive successful checks before a target is put in service, 2-10. Default `2`. */
  healthyThreshold?: pulumi.Input<number>;
  /**
   * Consecutive failed checks before a target is taken out of service, 2-10. Default `2`. Time to
   * drop a dead control plane ≈ interval × unhealthyThreshold + timeout: 13 s with the defaults.
   */
  unhealthyThreshold?: pulumi.Input<number>;
}

/** The load-balancer side of {@link NlbEndpointArgs}, validated: what the NLB resources are built from. */
export interface NlbConfig {
  loadBalancerName: string;
  kubernetesApiTargetGroupName: string;
  talosApiTargetGroupName: string;
  workerTalosApiTargetGroupName: string;
  securityGroupName: string;
  vpcId: string;
  vpcCidr: string;
  subnetIds: string[];
  internal: boolean;
  allowedAdminCidrs: string[];
  instanceSecurityGroupId: string;
  enableDeletionProtection: boolean;
  enableCrossZoneLoadBalancing: boolean;
  preserveClientIp: boolean;
  deregistrationDelay: number;
  healthCheck: { interval: number; timeout: number; healthyThreshold: number; unhealthyThreshold: number };
}

/** A validated instance. */
export interface NlbInstance {
  name: string;
  instanceId: string;
  /** Control planes only. */
  privateIp?: string;
}

/** Everything {@link checkNlbEndpointArgs} returns. */
export interface CheckedNlbEndpointArgs {
  config: NlbConfig;
  controlPlanes: NlbInstance[];
  workers: NlbInstance[];
  /** Control-plane private IPs, in input order. */
  controlPlaneIps: string[];
}

type NlbConfigArgs = Omit<NlbEndpointArgs, "controlPlaneInstances" | "workerInstances">;

/**
 * Parses a CIDR block (`10.0.0.0/16`), IPv4 dotted quad or IPv6.
 * @throws InputError naming `field` when malformed or when host bits are set.
 */
export function parseCidr(field: string, value: unknown): { cidr: string; family: "ipv4" | "ipv6"; prefix: number } {
  const malformed = () =>
    new InputError(field, value, "is not a CIDR block (expected a network address with prefix length, e.g. 10.0.0.0/16)");
  if (typeof value !== "string") throw malformed();
  const parts = value.split("/");
  if (parts.length !== 2 || !/^\d{1,3}$/.test(parts[1])) throw malformed();
  const [ipText, prefixText] = parts;
  const prefix = Number(prefixText);
  let family: "ipv4" | "ipv6";
  if (ipaddr.IPv4.isValidFourPartDecimal(ipText) && prefix <= 32) family = "ipv4";
  else if (ipText.includes(":") && ipaddr.IPv6.isValid(ipText) && prefix <= 128) family = "ipv6";
  else throw malformed();
  const addr = ipaddr.parse(ipText);
  const network = (family === "ipv4" ? ipaddr.IPv4 : ipaddr.IPv6).networkAddressFromCIDR(`${ipText}/${prefix}`).toString();
  if (network !== addr.toString()) {
    throw new InputError(field, value, `has host bits set: the network address is ${network}/${prefix}; AWS expects the network address`);
  }
  return { cidr: `${network}/${prefix}`, family, prefix };
}

function checkInt(
  field: string,
  value: unknown,
  fallback: number,
  limits: { min: number; max: number },
  unit: string,
  source: string,
): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isInteger(value) || value < limits.min || value > limits.max) {
    throw new InputError(field, value, `must be an integer from ${limits.min} to ${limits.max} ${unit} (${source})`);
  }
  return value;
}

function checkId(field: string, value: unknown): string {
  if (typeof value !== "string" || value.trim() === "" || value.trim() !== value) {
    throw new InputError(field, value, "must be a non-empty AWS resource ID without spaces");
  }
  return value;
}

/**
 * Checks `environment` against the AWS naming rules of every name derived from it.
 * @throws InputError naming `environment`.
 */
export function checkEnvironment(value: unknown): string {
  const field = "environment";
  if (typeof value !== "string" || !/^[A-Za-z0-9-]+$/.test(value)) {
    throw new InputError(
      field,
      value,
      "must be letters, digits and hyphens only (AWS load balancer and target group names allow nothing else)",
    );
  }
  if (value.startsWith("-") || value.endsWith("-")) {
    throw new InputError(field, value, "must not start or end with a hyphen");
  }
  if (value.length > MAX_ENVIRONMENT_LENGTH) {
    const longest = `${value}${NLB_NAME_SUFFIXES.workerTalosApiTargetGroup}`;
    throw new InputError(
      field,
      value,
      `is ${value.length} characters: the target group name ${longest} would be ${longest.length}, and AWS allows at most ` +
        `${ELBV2_LIMITS.nameMaxLength}; use at most ${MAX_ENVIRONMENT_LENGTH} characters`,
    );
  }
  const lbName = `${value}${NLB_NAME_SUFFIXES.loadBalancer}`;
  if (lbName.toLowerCase().startsWith("internal-")) {
    throw new InputError(field, value, `makes the load balancer name ${lbName}, and AWS rejects names beginning with "internal-"`);
  }
  if (value.toLowerCase().startsWith("sg-")) {
    throw new InputError(
      field,
      value,
      `makes the security group name ${value}${NLB_NAME_SUFFIXES.securityGroup}, and EC2 rejects names beginning with "sg-"`,
    );
  }
  return value;
}

/**
 * The checks that need only plain-typed inputs (instance names, the CIDR strings): run
 * synchronously in the constructor whatever else is an Output, because child names derive from them.
 * @returns the admin CIDRs in canonical form.
 * @throws InputError for an empty control-plane list, a malformed or duplicate instance name, or a
 *   malformed CIDR in `allowedAdminCidrs`.
 */
export function checkStaticNlbArgs(args: {
  controlPlaneInstances?: readonly { name: string }[];
  workerInstances?: readonly { name: string }[];
  allowedAdminCidrs?: readonly string[];
}): { allowedAdminCidrs: string[] } {
  const cps = args.controlPlaneInstances;
  if (!Array.isArray(cps) || cps.length === 0) {
    throw new InputError("controlPlaneInstances", cps, "must list at least one control-plane instance");
  }
  const workers = args.workerInstances ?? [];
  if (!Array.isArray(workers)) throw new InputError("workerInstances", workers, "must be a list of instances");
  const seen = new Map<string, string>();
  const lists: Array<[string, readonly { name: string }[]]> = [
    ["controlPlaneInstances", cps],
    ["workerInstances", workers],
  ];
  for (const [listField, list] of lists) {
    list.forEach((inst, i) => {
      const field = `${listField}[${i}].name`;
      const name = checkName(field, inst?.name);
      if (seen.has(name)) throw new InputError(field, name, `is also the name of ${seen.get(name)}; instance names must be unique`);
      seen.set(name, `${listField}[${i}]`);
    });
  }
  return { allowedAdminCidrs: parseAdminCidrs(args.allowedAdminCidrs).map((c) => c.cidr) };
}

/** Parses `allowedAdminCidrs` (format, host bits, duplicates); policy checks are in {@link checkNlbConfig}. */
function parseAdminCidrs(raw: unknown): Array<{ field: string; value: string; cidr: string; family: "ipv4" | "ipv6"; prefix: number }> {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) throw new InputError("allowedAdminCidrs", raw, "must be a list of CIDR blocks");
  const byCidr = new Map<string, string>();
  return raw.map((value, i) => {
    const field = `allowedAdminCidrs[${i}]`;
    const parsed = parseCidr(field, value);
    if (byCidr.has(parsed.cidr)) throw new InputError(field, value, `duplicates ${byCidr.get(parsed.cidr)}`);
    byCidr.set(parsed.cidr, field);
    return { field, value: value as string, ...parsed };
  });
}

/**
 * Checks the load-balancer side of the arguments (resolved values) and applies the defaults.
 * @throws InputError for: a bad `environment`; an empty or malformed subnet list; a malformed
 *   `vpcCidr`; internet-facing without `allowedAdminCidrs`; `0.0.0.0/0` (or `::/0`) without
 *   `allowPublicAccess`; an IPv6 admin CIDR or one equal to `vpcCidr`; health-check values,
 *   thresholds or deregistration delay outside the ELBv2 limits, or a timeout above the interval.
 */
export function checkNlbConfig(args: pulumi.Unwrap<NlbConfigArgs>): NlbConfig {
  const d = NLB_ENDPOINT_DEFAULTS;
  const environment = checkEnvironment(args.environment);
  const vpcId = checkId("vpcId", args.vpcId);
  const vpc = parseCidr("vpcCidr", args.vpcCidr);
  if (vpc.family !== "ipv4" || vpc.prefix < 16 || vpc.prefix > 28) {
    throw new InputError("vpcCidr", args.vpcCidr, "must be the VPC's IPv4 CIDR block, /16 to /28 (the sizes AWS allows for a VPC)");
  }
  if (!Array.isArray(args.subnetIds) || args.subnetIds.length === 0) {
    throw new InputError("subnetIds", args.subnetIds, "must list at least one subnet (one per Availability Zone the NLB serves)");
  }
  const subnetIds = args.subnetIds.map((s, i) => checkId(`subnetIds[${i}]`, s));
  const dup = subnetIds.findIndex((s, i) => subnetIds.indexOf(s) !== i);
  if (dup >= 0) throw new InputError(`subnetIds[${dup}]`, subnetIds[dup], `duplicates subnetIds[${subnetIds.indexOf(subnetIds[dup])}]`);
  const instanceSecurityGroupId = checkId("instanceSecurityGroupId", args.instanceSecurityGroupId);

  const internal = checkBoolean("internal", args.internal, d.internal);
  const allowPublicAccess = checkBoolean("allowPublicAccess", args.allowPublicAccess, d.allowPublicAccess);
  const admin = parseAdminCidrs(args.allowedAdminCidrs);
  for (const { field, value, cidr, family, prefix } of admin) {
    if (prefix === 0 && !allowPublicAccess) {
      throw new InputError(
        field,
        value,
        "opens the Kubernetes and Talos APIs to the whole internet; list your admin networks instead, or set allowPublicAccess: true to accept that",
      );
    }
    if (family === "ipv6") {
      throw new InputError(
        field,
        value,
        "is an IPv6 range; the NLB is IPv4-only and instance targets would see IPv6 clients as the NLB's own address",
      );
    }
    if (cidr === vpc.cidr) throw new InputError(field, value, "is vpcCidr, which is always allowed; remove it");
  }
  const allowedAdminCidrs = admin.map((c) => c.cidr);
  if (!internal && allowedAdminCidrs.length === 0) {
    throw new InputError(
      "allowedAdminCidrs",
      args.allowedAdminCidrs,
      "must list the networks allowed to reach an internet-facing NLB (internal: false); without any only the VPC could reach it, so use internal: true instead",
    );
  }

  const L = ELBV2_LIMITS;
  const hcSource = "ELBv2 limit, AWS 'Health checks for Network Load Balancer target groups'";
  const interval = checkInt(
    "healthCheckInterval",
    args.healthCheckInterval,
    d.healthCheckInterval,
    L.healthCheckIntervalSeconds,
    "seconds",
    hcSource,
  );
  const timeout = checkInt(
    "healthCheckTimeout",
    args.healthCheckTimeout,
    d.healthCheckTimeout,
    L.healthCheckTimeoutSeconds,
    "seconds",
    hcSource,
  );
  if (timeout > interval) {
    throw new InputError(
      "healthCheckTimeout",
      timeout,
      `must not exceed healthCheckInterval (${interval} s): a check must finish before the next one starts`,
    );
  }
  const healthyThreshold = checkInt(
    "healthyThreshold",
    args.healthyThreshold,
    d.healthyThreshold,
    L.healthyThresholdCount,
    "checks",
    hcSource,
  );
  const unhealthyThreshold = checkInt(
    "unhealthyThreshold",
    args.unhealthyThreshold,
    d.unhealthyThreshold,
    L.unhealthyThresholdCount,
    "checks",
    hcSource,
  );
  const deregistrationDelay = checkInt(
    "deregistrationDelay",
    args.deregistrationDelay,
    d.deregistrationDelay,
    L.deregistrationDelaySeconds,
    "seconds",
    "ELBv2 limit of deregistration_delay.timeout_seconds",
  );

  return {
    loadBalancerName: `${environment}${NLB_NAME_SUFFIXES.loadBalancer}`,
    kubernetesApiTargetGroupName: `${environment}${NLB_NAME_SUFFIXES.kubernetesApiTargetGroup}`,
    talosApiTargetGroupName: `${environment}${NLB_NAME_SUFFIXES.talosApiTargetGroup}`,
    workerTalosApiTargetGroupName: `${environment}${NLB_NAME_SUFFIXES.workerTalosApiTargetGroup}`,
    securityGroupName: `${environment}${NLB_NAME_SUFFIXES.securityGroup}`,
    vpcId,
    vpcCidr: vpc.cidr,
    subnetIds,
    internal,
    allowedAdminCidrs,
    instanceSecurityGroupId,
    enableDeletionProtection: checkBoolean("enableDeletionProtection", args.enableDeletionProtection, d.enableDeletionProtection),
    enableCrossZoneLoadBalancing: checkBoolean(
      "enableCrossZoneLoadBalancing",
      args.enableCrossZoneLoadBalancing,
      d.enableCrossZoneLoadBalancing,
    ),
    preserveClientIp: checkBoolean("preserveClientIp", args.preserveClientIp, d.preserveClientIp),
    deregistrationDelay,
    healthCheck: { interval, timeout, healthyThreshold, unhealthyThreshold },
  };
}

/**
 * Checks one instance (resolved values).
 * @throws InputError for a malformed name or instance ID, or (control planes) a private IP that is
 *   not an IPv4 address.
 */
export function checkNlbInstance(
  field: string,
  inst: { name: string; instanceId: string; privateIp?: string },
  controlPlane: boolean,
): NlbInstance {
  const name = checkName(`${field}.name`, inst?.name);
  const instanceId = checkId(`${field}.instanceId`, inst?.instanceId);
  if (!controlPlane) return { name, instanceId };
  const ip = parseIp(`${field}.privateIp`, inst?.privateIp);
  if (ip.family !== "ipv4") throw new InputError(`${field}.privateIp`, inst.privateIp, "must be the instance's private IPv4 address");
  return { name, instanceId, privateIp: ip.ip };
}

/**
 * Checks all of {@link NlbEndpointArgs} (resolved values): {@link checkStaticNlbArgs},
 * {@link checkNlbConfig}, every instance, and that no instance ID or private IP is used twice.
 * @throws InputError naming the field and value.
 */
export function checkNlbEndpointArgs(args: pulumi.Unwrap<NlbEndpointArgs>): CheckedNlbEndpointArgs {
  checkStaticNlbArgs(args);
  const config = checkNlbConfig(args);
  const controlPlanes = args.controlPlaneInstances.map((inst, i) => checkNlbInstance(`controlPlaneInstances[${i}]`, inst, true));
  const workers = (args.workerInstances ?? []).map((inst, i) => checkNlbInstance(`workerInstances[${i}]`, inst, false));
  const byId = new Map<string, string>();
  const byIp = new Map<string, string>();
  const all: Array<[string, NlbInstance]> = [
    ...controlPlanes.map((c, i): [string, NlbInstance] => [`controlPlaneInstances[${i}]`, c]),
    ...workers.map((w, i): [string, NlbInstance] => [`workerInstances[${i}]`, w]),
  ];
  for (const [field, inst] of all) {
    if (byId.has(inst.instanceId))
      throw new InputError(`${field}.instanceId`, inst.instanceId, `is also the instance of ${byId.get(inst.instanceId)}`);
    byId.set(inst.instanceId, field);
    if (inst.privateIp !== undefined) {
      if (byIp.has(inst.privateIp))
        throw new InputError(`${field}.privateIp`, inst.privateIp, `is also the address of ${byIp.get(inst.privateIp)}`);
      byIp.set(inst.privateIp, field);
    }
  }
  return { config, controlPlanes, workers, controlPlaneIps: controlPlanes.map((c) => c.privateIp as string) };
}

/** `198.51.100.7/32` -> `198-51-100-7-32`: a CIDR as a resource-name part. */
function cidrSlug(cidr: string): string {
  return cidr.replace(/[./:]/g, "-");
}

/**
 * An AWS Network Load Balancer in front of the control planes: the design notes' Terraform module
 * (terraform/modules/aws/loadbalancer plus the root module's attachments and worker listener),
 * with its hard-coded values as inputs and its security advice enforced.
 *
 * Children (all `{ parent: this }`; `<n>` is this component's name):
 * - `<n>-nlb-sg` (aws.ec2.SecurityGroup `<environment>-talos-api-nlb-sg`, no inline rules) and its
 *   rules, one per CIDR and port: `<n>-nlb-sg-in-<port>-vpc` / `-<cidr>` for 6443, 50000, 50001
 *   from `vpcCidr` and each admin CIDR; `<n>-nlb-sg-out-<port>-vpc` for 6443 and 50000 to `vpcCidr`.
 * - `<n>-instance-sg-in-<port>-vpc` / `-<cidr>` on `instanceSecurityGroupId`, for 6443 and 50000.
 * - `<n>-nlb` (aws.lb.LoadBalancer `<environment>-talos-api-nlb`, type `network`, IPv4).
 * - `<n>-api-tg`, `<n>-apid-tg`, `<n>-wk-apid-tg` (aws.lb.TargetGroup, TCP 6443 / 50000 / 50000,
 *   `instance` targets, TCP health checks on `traffic-port`).
 * - `<n>-listener-6443`, `<n>-listener-50000`, `<n>-listener-50001` (aws.lb.Listener, TCP, forward).
 * - `<n>-cp-<instance>-6443`, `<n>-cp-<instance>-50000`, `<n>-wk-<instance>-50000`
 *   (aws.lb.TargetGroupAttachment): one per instance and port, so instances are replaced without
 *   touching the NLB. Each depends only on its own instance's inputs.
 *
 * Failover with the defaults: a dead control plane is out of service within
 * interval × unhealthyThreshold + timeout = 5 × 2 + 3 = 13 s (AWS passive health checks can be
 * faster); the NLB then resets the connections it still had to it.
 *
 * `endpoint`, `kubernetesApiUrl`, `kubernetesApiEndpoint` and `talosApiEndpoint` resolve only
 * once every listener and attachment exists, so a consumer (e.g. `TalosConfigPush`) never uses an
 * endpoint that does not forward yet.
 *
 * Errors (InputError naming field and value): thrown in the constructor before any resource is
 * registered when the values are plain (instance names and admin CIDR strings always are);
 * otherwise when they resolve, before the resources that use them are created. See
 * {@link checkNlbEndpointArgs}.
 */
export class NlbEndpoint extends pulumi.ComponentResource implements ControlPlaneEndpoint {
  /** The NLB DNS name: what clients use. */
  public readonly endpoint!: pulumi.Output<string>;
  /** `https://<dns>:6443`. */
  public readonly kubernetesApiUrl!: pulumi.Output<string>;
  /** The control-plane private IPs, for `talosctl config endpoint` from inside the VPC. */
  public readonly talosApiEndpoints!: pulumi.Output<string[]>;
  /** The NLB DNS name (as created, without waiting for listeners). */
  public readonly loadBalancerDnsName!: pulumi.Output<string>;
  /** The NLB ARN, for further listeners. */
  public readonly loadBalancerArn!: pulumi.Output<string>;
  /** `https://<dns>:6443` (same as `kubernetesApiUrl`; the design notes' name). */
  public readonly kubernetesApiEndpoint!: pulumi.Output<string>;
  /** `<dns>:50000`: the Talos API through the NLB (control planes). */
  public readonly talosApiEndpoint!: pulumi.Output<string>;
  /** ARN of `<environment>-talos-api-tg` (6443). */
  public readonly kubernetesApiTargetGroupArn!: pulumi.Output<string>;
  /** ARN of `<environment>-talos-apid-tg` (50000, control planes). */
  public readonly talosApiTargetGroupArn!: pulumi.Output<string>;
  /** ARN of `<environment>-talos-wk-apid-tg` (50000 on workers, listener 50001). */
  public readonly workerTalosApiTargetGroupArn!: pulumi.Output<string>;
  /** ID of the NLB's security group. */
  public readonly securityGroupId!: pulumi.Output<string>;

  constructor(name: string, args: NlbEndpointArgs, opts?: pulumi.ComponentResourceOptions) {
    const statics = checkStaticNlbArgs(args);
    const { controlPlaneInstances, workerInstances, ...configArgs } = args;
    const config = validated(configArgs, checkNlbConfig);
    const cps = controlPlaneInstances.map((inst, i) => ({
      name: inst.name,
      checked: validated(inst, (r) => checkNlbInstance(`controlPlaneInstances[${i}]`, r, true)),
    }));
    const wks = (workerInstances ?? []).map((inst, i) => ({
      name: inst.name,
      checked: validated(inst, (r) => checkNlbInstance(`workerInstances[${i}]`, r, false)),
    }));
    const checked = validated(args, checkNlbEndpointArgs);
    super(componentToken("NlbEndpoint"), name, {}, opts);
    const parent = { parent: this };

    // Security group of the NLB; rules are separate resources, one per CIDR and port.
    const sg = new aws.ec2.SecurityGroup(
      `${name}-nlb-sg`,
      {
        name: config.securityGroupName,
        description: "Talos control-plane NLB: 6443, 50000, 50001 from admin CIDRs and the VPC",
        vpcId: config.vpcId,
      },
      parent,
    );
    const sources: Array<{ tag: string; label: string; cidr: pulumi.Output<string> }> = [
      { tag: "vpc", label: "VPC", cidr: config.vpcCidr },
      ...statics.allowedAdminCidrs.map((c) => ({ tag: cidrSlug(c), label: `admin ${c}`, cidr: config.apply(() => c) })),
    ];
    const services: Record<number, string> = {
      [KUBERNETES_API_PORT]: "Kubernetes API",
      [TALOS_API_PORT]: "Talos API",
      [WORKER_TALOS_API_LISTENER_PORT]: "worker Talos API",
    };
    const rule = (port: number, cidr: pulumi.Input<string>, description: string) => ({
      ipProtocol: "tcp",
      fromPort: port,
      toPort: port,
      cidrIpv4: cidr,
      description,
    });
    for (const port of [KUBERNETES_API_PORT, TALOS_API_PORT, WORKER_TALOS_API_LISTENER_PORT]) {
      for (const src of sources) {
        new aws.vpc.SecurityGroupIngressRule(
          `${name}-nlb-sg-in-${port}-${src.tag}`,
          { securityGroupId: sg.id, ...rule(port, src.cidr, `${services[port]} from ${src.label}`) },
          parent,
        );
      }
    }
    for (const port of [KUBERNETES_API_PORT, TALOS_API_PORT]) {
      new aws.vpc.SecurityGroupEgressRule(
        `${name}-nlb-sg-out-${port}-vpc`,
        { securityGroupId: sg.id, ...rule(port, config.vpcCidr, `${services[port]} to targets in the VPC`) },
        parent,
      );
      // Client IPs are preserved, so the instances see the clients' (and health checks' VPC) addresses.
      for (const src of sources) {
        new aws.vpc.SecurityGroupIngressRule(
          `${name}-instance-sg-in-${port}-${src.tag}`,
          { securityGroupId: config.instanceSecurityGroupId, ...rule(port, src.cidr, `${services[port]} via NLB from ${src.label}`) },
          parent,
        );
      }
    }

    const lb = new aws.lb.LoadBalancer(
      `${name}-nlb`,
      {
        name: config.loadBalancerName,
        loadBalancerType: "network",
        internal: config.internal,
        ipAddressType: "ipv4",
        subnets: config.subnetIds,
        securityGroups: [sg.id],
        enableDeletionProtection: config.enableDeletionProtection,
        enableCrossZoneLoadBalancing: config.enableCrossZoneLoadBalancing,
      },
      parent,
    );

    const targetGroup = (suffix: string, tgName: pulumi.Output<string>, port: number) =>
      new aws.lb.TargetGroup(
        `${name}-${suffix}`,
        {
          name: tgName,
          port,
          protocol: "TCP",
          targetType: "instance",
          vpcId: config.vpcId,
          preserveClientIp: config.preserveClientIp.apply((b) => String(b)),
          deregistrationDelay: config.deregistrationDelay,
          healthCheck: {
            enabled: true,
            protocol: "TCP",
            port: "traffic-port",
            interval: config.healthCheck.interval,
            timeout: config.healthCheck.timeout,
            healthyThreshold: config.healthCheck.healthyThreshold,
            unhealthyThreshold: config.healthCheck.unhealthyThreshold,
          },
        },
        parent,
      );
    const apiTg = targetGroup("api-tg", config.kubernetesApiTargetGroupName, KUBERNETES_API_PORT);
    const apidTg = targetGroup("apid-tg", config.talosApiTargetGroupName, TALOS_API_PORT);
    const wkApidTg = targetGroup("wk-apid-tg", config.workerTalosApiTargetGroupName, TALOS_API_PORT);

    const listeners = (
      [
        [KUBERNETES_API_PORT, apiTg],
        [TALOS_API_PORT, apidTg],
        [WORKER_TALOS_API_LISTENER_PORT, wkApidTg],
      ] as Array<[number, aws.lb.TargetGroup]>
    ).map(
      ([port, tg]) =>
        new aws.lb.Listener(
          `${name}-listener-${port}`,
          { loadBalancerArn: lb.arn, port, protocol: "TCP", defaultActions: [{ type: "forward", targetGroupArn: tg.arn }] },
          parent,
        ),
    );

    const attachments: aws.lb.TargetGroupAttachment[] = [];
    const attach = (resName: string, tg: aws.lb.TargetGroup, instanceId: pulumi.Output<string>, port: number) =>
      attachments.push(new aws.lb.TargetGroupAttachment(resName, { targetGroupArn: tg.arn, targetId: instanceId, port }, parent));
    for (const cp of cps) {
      attach(`${name}-cp-${cp.name}-${KUBERNETES_API_PORT}`, apiTg, cp.checked.instanceId, KUBERNETES_API_PORT);
      attach(`${name}-cp-${cp.name}-${TALOS_API_PORT}`, apidTg, cp.checked.instanceId, TALOS_API_PORT);
    }
    for (const wk of wks) {
      attach(`${name}-wk-${wk.name}-${TALOS_API_PORT}`, wkApidTg, wk.checked.instanceId, TALOS_API_PORT);
    }

    // The DNS name, resolved only once the NLB forwards: every listener and attachment exists.
    const ready = pulumi.all([lb.dnsName, ...listeners.map((l) => l.arn), ...attachments.map((a) => a.id)]).apply(([dns]) => dns as string);

    this.loadBalancerDnsName = lb.dnsName;
    this.loadBalancerArn = lb.arn;
    this.endpoint = ready;
    this.kubernetesApiUrl = ready.apply(kubernetesApiUrl);
    this.kubernetesApiEndpoint = this.kubernetesApiUrl;
    this.talosApiEndpoint = ready.apply((dns) => `${dns}:${TALOS_API_PORT}`);
    this.talosApiEndpoints = checked.controlPlaneIps;
    this.kubernetesApiTargetGroupArn = apiTg.arn;
    this.talosApiTargetGroupArn = apidTg.arn;
    this.workerTalosApiTargetGroupArn = wkApidTg.arn;
    this.securityGroupId = sg.id;
    this.registerOutputs({
      endpoint: this.endpoint,
      kubernetesApiUrl: this.kubernetesApiUrl,
      talosApiEndpoints: this.talosApiEndpoints,
      loadBalancerDnsName: this.loadBalancerDnsName,
      loadBalancerArn: this.loadBalancerArn,
      kubernetesApiEndpoint: this.kubernetesApiEndpoint,
      talosApiEndpoint: this.talosApiEndpoint,
      kubernetesApiTargetGroupArn: this.kubernetesApiTargetGroupArn,
      talosApiTargetGroupArn: this.talosApiTargetGroupArn,
      workerTalosApiTargetGroupArn: this.workerTalosApiTargetGroupArn,
      securityGroupId: this.securityGroupId,
    });
  }
}
