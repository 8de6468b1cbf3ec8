/**
 * The plan of an `NlbEndpoint`: the checks of its inputs and every resource it creates, as plain
 * data. Pure: no Pulumi imports.
 *
 * The plan has four parts, because the component's inputs arrive at different times (some may be
 * Outputs) and each child resource must wait only for what it uses:
 * 1. {@link planNlbLayout}, from the plain-typed inputs (the component name, the instance names,
 *    `allowedAdminCidrs`): every child's resource name and every value known when the program
 *    runs. Resource names must never wait for an Output.
 * 2. {@link planNlbSettings}, from the load-balancer inputs: AWS names, subnets, attributes,
 *    health checks, warnings.
 * 3. {@link checkNlbTarget}, per instance: its instance ID and (control planes) private IP.
 * 4. {@link planNlbTargets}, across the instances: no instance ID or private IP twice; the
 *    `talosApiEndpoints`.
 *
 * {@link planNlbEndpoint} runs the four in this order on resolved arguments. The component runs
 * each part exactly once, as soon as its inputs are plain. Every field check (all in `checks.ts`)
 * is called from exactly one place here, so each input value is checked exactly once.
 */
import { InputError } from "../../core/errors";
import { kubernetesApiUrl } from "../talos/patch";
import {
  checkAwsId,
  checkEnvironment,
  checkFlag,
  checkInstanceName,
  checkIntInRange,
  checkPrivateIpv4,
  NlbCidr,
  parseCidr,
} from "./checks";
import {
  EC2_LIMITS,
  ELBV2_LIMITS,
  KUBERNETES_API_PORT,
  NLB_ENDPOINT_DEFAULTS,
  NLB_NAME_SUFFIXES,
  TALOS_API_PORT,
  WORKER_TALOS_API_LISTENER_PORT,
} from "./limits";

/** The three target groups: Kubernetes API (6443), control-plane Talos API (50000), worker Talos API (50000 behind listener 50001). */
export type NlbTargetGroupKey = "kubernetesApi" | "talosApi" | "workerTalosApi";
/** The two kinds of instance behind the NLB. */
export type NlbInstanceRole = "controlPlane" | "worker";
/** Direction of a security group rule. */
export type NlbRuleDirection = "ingress" | "egress";
/** The security group a rule belongs to: the NLB's own, or `instanceSecurityGroupId`. */
export type NlbRuleSecurityGroup = "nlb" | "instances";
/** Where a rule's CIDR comes from: `vpcCidr` or one of `allowedAdminCidrs`. */
export type NlbRulePeer = "vpc" | "admin";
/** An ELBv2 attribute value for a boolean (`preserve_client_ip.enabled` is a string attribute). */
export type NlbBooleanAttribute = "true" | "false";

/** Fixed values of the NLB resources, spelled as the AWS provider takes them. */
export const NLB_FIXED_VALUES = {
  /** `aws.lb.LoadBalancer.loadBalancerType`. */
  loadBalancerType: "network",
  /** `aws.lb.LoadBalancer.ipAddressType`: the NLB is IPv4-only. */
  ipAddressType: "ipv4",
  /** Target group, listener and health-check protocol. */
  protocol: "TCP",
  /** Security group rule protocol. */
  ipProtocol: "tcp",
  /** Targets are registered by EC2 instance ID. */
  targetType: "instance",
  /** Health checks go to the port traffic goes to. */
  healthCheckPort: "traffic-port",
  /** Listener default action. */
  listenerAction: "forward",
  /** Description of the NLB security group. */
  securityGroupDescription: "Talos control-plane NLB: 6443, 50000, 50001 from admin CIDRs and the VPC",
} as const;

/** What each port carries, as rule descriptions name it. */
const SERVICES: Record<number, string> = {
  [KUBERNETES_API_PORT]: "Kubernetes API",
  [TALOS_API_PORT]: "Talos API",
  [WORKER_TALOS_API_LISTENER_PORT]: "worker Talos API",
};

/** The plain-typed inputs: all the layout needs (see `NlbEndpointArgs` for each field). */
export interface NlbLayoutSpec {
  controlPlaneInstances: readonly { name: string }[];
  workerInstances?: readonly { name: string }[];
  allowedAdminCidrs?: readonly string[];
}

/** The resolved load-balancer inputs (see `NlbEndpointArgs` for each field, its unit and default). */
export interface NlbSettingsSpec {
  environment: string;
  vpcId: string;
  vpcCidr: string;
  subnetIds: readonly string[];
  internal?: boolean;
  allowPublicAccess?: boolean;
  instanceSecurityGroupId: string;
  enableDeletionProtection?: boolean;
  enableCrossZoneLoadBalancing?: boolean;
  preserveClientIp?: boolean;
  deregistrationDelay?: number;
  healthCheckInterval?: number;
  healthCheckTimeout?: number;
  healthyThreshold?: number;
  unhealthyThreshold?: number;
}

/** One resolved instance: its EC2 instance ID and, for control planes, its private IPv4 address. */
export interface NlbTargetSpec {
  instanceId: string;
  privateIp?: string;
}

/** All resolved `NlbEndpointArgs`. */
export interface NlbEndpointSpec extends NlbSettingsSpec {
  controlPlaneInstances: readonly { name: string; instanceId: string; privateIp: string }[];
  workerInstances?: readonly { name: string; instanceId: string }[];
  allowedAdminCidrs?: readonly string[];
}

/** An instance as the layout knows it: by name and position. */
export interface NlbInstanceLayout {
  role: NlbInstanceRole;
  /** Position in `controlPlaneInstances` or `workerInstances`. */
  index: number;
  /** The input field, e.g. `controlPlaneInstances[1]`. */
  field: string;
  /** The instance's name, a DNS label. */
  name: string;
}

/** One entry of `allowedAdminCidrs`, checked. */
export interface NlbAdminCidr extends NlbCidr {
  /** The input field, e.g. `allowedAdminCidrs[0]`. */
  field: string;
  /** The value as given. */
  value: string;
}

/** One security group rule (`aws.vpc.SecurityGroupIngressRule` or `...EgressRule`): one port, one CIDR. */
export interface NlbSecurityGroupRulePlan {
  resourceName: string;
  direction: NlbRuleDirection;
  securityGroup: NlbRuleSecurityGroup;
  ipProtocol: (typeof NLB_FIXED_VALUES)["ipProtocol"];
  /** `fromPort` and `toPort`. */
  port: number;
  peer: NlbRulePeer;
  /** The admin CIDR when `peer` is `admin`; for `vpc` the CIDR is `NlbSettings.vpcCidr`. */
  cidr?: string;
  description: string;
}

/** One target group (`aws.lb.TargetGroup`); its AWS name is in `NlbSettings.targetGroupNames`. */
export interface NlbTargetGroupPlan {
  key: NlbTargetGroupKey;
  resourceName: string;
  port: number;
  protocol: (typeof NLB_FIXED_VALUES)["protocol"];
  targetType: (typeof NLB_FIXED_VALUES)["targetType"];
  /** The fixed part of the health check; the timings are in `NlbSettings.healthCheck`. */
  healthCheck: {
    enabled: true;
    protocol: (typeof NLB_FIXED_VALUES)["protocol"];
    port: (typeof NLB_FIXED_VALUES)["healthCheckPort"];
  };
}

/** One listener (`aws.lb.Listener`), forwarding to one target group. */
export interface NlbListenerPlan {
  resourceName: string;
  port: number;
  protocol: (typeof NLB_FIXED_VALUES)["protocol"];
  actionType: (typeof NLB_FIXED_VALUES)["listenerAction"];
  targetGroup: NlbTargetGroupKey;
}

/** One target registration (`aws.lb.TargetGroupAttachment`): one instance on one port. */
export interface NlbAttachmentPlan {
  resourceName: string;
  targetGroup: NlbTargetGroupKey;
  port: number;
  role: NlbInstanceRole;
  /** Position of the instance in its list. */
  index: number;
}

/** Part 1 of the plan: the children and everything about them known when the program runs. */
export interface NlbLayout {
  /** The component's resource name, the prefix of every child's name. */
  componentName: string;
  securityGroup: { resourceName: string; description: string };
  /** In creation order. */
  securityGroupRules: NlbSecurityGroupRulePlan[];
  loadBalancer: {
    resourceName: string;
    loadBalancerType: (typeof NLB_FIXED_VALUES)["loadBalancerType"];
    ipAddressType: (typeof NLB_FIXED_VALUES)["ipAddressType"];
  };
  /** Kubernetes API, Talos API, worker Talos API, in this order. */
  targetGroups: NlbTargetGroupPlan[];
  /** 6443, 50000, 50001, in this order. */
  listeners: NlbListenerPlan[];
  /** Per control plane 6443 then 50000, then per worker 50000. */
  attachments: NlbAttachmentPlan[];
  controlPlaneInstances: NlbInstanceLayout[];
  workerInstances: NlbInstanceLayout[];
  allowedAdminCidrs: NlbAdminCidr[];
  /** `allowedAdminCidrs` as given (for error messages: unset and empty read differently). */
  allowedAdminCidrsInput: readonly string[] | undefined;
}

/** Part 2 of the plan: the load-balancer settings, defaults applied. */
export interface NlbSettings {
  /** `<environment>-talos-api-nlb`. */
  loadBalancerName: string;
  /** `<environment>-talos-api-nlb-sg`. */
  securityGroupName: string;
  /** `<environment>-talos-api-tg`, `-talos-apid-tg`, `-talos-wk-apid-tg`. */
  targetGroupNames: Record<NlbTargetGroupKey, string>;
  vpcId: string;
  /** Canonical. */
  vpcCidr: string;
  subnetIds: string[];
  internal: boolean;
  allowPublicAccess: boolean;
  instanceSecurityGroupId: string;
  /** Canonical, in input order. */
  allowedAdminCidrs: string[];
  enableDeletionProtection: boolean;
  enableCrossZoneLoadBalancing: boolean;
  /** The target groups' `preserveClientIp` (attribute `preserve_client_ip.enabled`). */
  preserveClientIp: NlbBooleanAttribute;
  /** Seconds. */
  deregistrationDelay: number;
  /** Seconds, seconds, checks, checks. */
  healthCheck: { interval: number; timeout: number; healthyThreshold: number; unhealthyThreshold: number };
  /** Accepted but risky choices, one sentence each naming the field. */
  warnings: string[];
}

/** Part 3 of the plan: one instance, checked. */
export interface NlbTarget extends NlbInstanceLayout {
  instanceId: string;
  /** Control planes only: the private IPv4 address, canonical. */
  privateIp?: string;
}

/** Part 4 of the plan: every instance, checked together. */
export interface NlbTargets {
  controlPlanes: NlbTarget[];
  workers: NlbTarget[];
  /** The control planes' private IPs in input order: the component's `talosApiEndpoints`. */
  talosApiEndpoints: string[];
}

/** The whole plan of {@link planNlbEndpoint}. */
export interface NlbPlan {
  layout: NlbLayout;
  settings: NlbSettings;
  targets: NlbTargets;
  /** Same as `settings.warnings`. */
  warnings: string[];
}

/** The endpoint outputs, given the NLB's DNS name. */
export interface NlbEndpointValues {
  /** The DNS name itself. */
  endpoint: string;
  /** `https://<dns>:6443`. */
  kubernetesApiUrl: string;
  /** `<dns>:50000`. */
  talosApiEndpoint: string;
}

/** `198.51.100.7/32` -> `198-51-100-7-32`: a CIDR as a resource-name part. */
function cidrSlug(cidr: string): string {
  return cidr.replace(/[./:]/g, "-");
}

/** `controlPlaneInstances` non-empty, `workerInstances` a list, every name a DNS label used once. */
function instanceLayouts(spec: NlbLayoutSpec): { controlPlanes: NlbInstanceLayout[]; workers: NlbInstanceLayout[] } {
  const cps = spec.controlPlaneInstances;
  if (!Array.isArray(cps) || cps.length === 0) {
    throw new InputError("controlPlaneInstances", cps, "must list at least one control-plane instance");
  }
  const workers = spec.workerInstances ?? [];
  if (!Array.isArray(workers)) throw new InputError("workerInstances", workers, "must be a list of instances");
  const seen = new Map<string, string>();
  const layouts = (role: NlbInstanceRole, listField: string, list: readonly { name: string }[]) =>
    list.map((inst, index): NlbInstanceLayout => {
      const field = `${listField}[${index}]`;
      const name = checkInstanceName(`${field}.name`, inst?.name);
      if (seen.has(name))
        throw new InputError(`${field}.name`, name, `is also the name of ${seen.get(name)}; instance names must be unique`);
      seen.set(name, field);
      return { role, index, field, name };
    });
  return { controlPlanes: layouts("controlPlane", "controlPlaneInstances", cps), workers: layouts("worker", "workerInstances", workers) };
}

/** `allowedAdminCidrs`: format, host bits, duplicates. The policy checks need other inputs: {@link planNlbSettings}. */
function adminCidrs(raw: unknown): NlbAdminCidr[] {
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
 * Part 1: checks the plain-typed inputs and lays out every child resource. The component runs it
 * synchronously whatever else is an Output, because every child's name derives from these values.
 * Child names (`<n>` = `componentName`): `<n>-nlb-sg`; `<n>-nlb-sg-in-<port>-vpc|<cidr>` for 6443,
 * 50000, 50001; `<n>-nlb-sg-out-<port>-vpc` and `<n>-instance-sg-in-<port>-vpc|<cidr>` for 6443
 * and 50000; `<n>-nlb`; `<n>-api-tg`, `<n>-apid-tg`, `<n>-wk-apid-tg`; `<n>-listener-<port>`;
 * `<n>-cp-<instance>-6443|50000`, `<n>-wk-<instance>-50000` (`<cidr>` with `.`, `/` as `-`).
 * @throws InputError for an empty control-plane list, a malformed or duplicate instance name, or a
 *   malformed, host-bits-set or duplicate CIDR in `allowedAdminCidrs`.
 */
export function planNlbLayout(componentName: string, spec: NlbLayoutSpec): NlbLayout {
  const n = componentName;
  const { controlPlanes, workers } = instanceLayouts(spec);
  const admin = adminCidrs(spec.allowedAdminCidrs);
  const F = NLB_FIXED_VALUES;

  const peers: Array<{ tag: string; label: string; peer: NlbRulePeer; cidr?: string }> = [
    { tag: "vpc", label: "VPC", peer: "vpc" },
    ...admin.map((c) => ({ tag: cidrSlug(c.cidr), label: `admin ${c.cidr}`, peer: "admin" as const, cidr: c.cidr })),
  ];
  const rule = (
    resourceName: string,
    direction: NlbRuleDirection,
    securityGroup: NlbRuleSecurityGroup,
    port: number,
    p: { peer: NlbRulePeer; cidr?: string },
    description: string,
  ): NlbSecurityGroupRulePlan => ({
    resourceName,
    direction,
    securityGroup,
    ipProtocol: F.ipProtocol,
    port,
    peer: p.peer,
    ...(p.cidr === undefined ? {} : { cidr: p.cidr }),
    description,
  });
  const rules: NlbSecurityGroupRulePlan[] = [];
  for (const port of [KUBERNETES_API_PORT, TALOS_API_PORT, WORKER_TALOS_API_LISTENER_PORT]) {
    for (const p of peers)
      rules.push(rule(`${n}-nlb-sg-in-${port}-${p.tag}`, "ingress", "nlb", port, p, `${SERVICES[port]} from ${p.label}`));
  }
  for (const port of [KUBERNETES_API_PORT, TALOS_API_PORT]) {
    rules.push(rule(`${n}-nlb-sg-out-${port}-vpc`, "egress", "nlb", port, peers[0], `${SERVICES[port]} to targets in the VPC`));
    // Client IPs are preserved, so the instances see the clients' (and health checks' VPC) addresses.
    for (const p of peers) {
      rules.push(
        rule(`${n}-instance-sg-in-${port}-${p.tag}`, "ingress", "instances", port, p, `${SERVICES[port]} via NLB from ${p.label}`),
      );
    }
  }

  const targetGroup = (key: NlbTargetGroupKey, suffix: string, port: number): NlbTargetGroupPlan => ({
    key,
    resourceName: `${n}-${suffix}`,
    port,
    protocol: F.protocol,
    targetType: F.targetType,
    healthCheck: { enabled: true, protocol: F.protocol, port: F.healthCheckPort },
  });
  const listener = (port: number, targetGroup: NlbTargetGroupKey): NlbListenerPlan => ({
    resourceName: `${n}-listener-${port}`,
    port,
    protocol: F.protocol,
    actionType: F.listenerAction,
    targetGroup,
  });
  const attachment = (prefix: string, inst: NlbInstanceLayout, targetGroup: NlbTargetGroupKey, port: number): NlbAttachmentPlan => ({
    resourceName: `${n}-${prefix}-${inst.name}-${port}`,
    targetGroup,
    port,
    role: inst.role,
    index: inst.index,
  });

  return {
    componentName,
    securityGroup: { resourceName: `${n}-nlb-sg`, description: F.securityGroupDescription },
    securityGroupRules: rules,
    loadBalancer: { resourceName: `${n}-nlb`, loadBalancerType: F.loadBalancerType, ipAddressType: F.ipAddressType },
    targetGroups: [
      targetGroup("kubernetesApi", "api-tg", KUBERNETES_API_PORT),
      targetGroup("talosApi", "apid-tg", TALOS_API_PORT),
      targetGroup("workerTalosApi", "wk-apid-tg", TALOS_API_PORT),
    ],
    listeners: [
      listener(KUBERNETES_API_PORT, "kubernetesApi"),
      listener(TALOS_API_PORT, "talosApi"),
      listener(WORKER_TALOS_API_LISTENER_PORT, "workerTalosApi"),
    ],
    attachments: [
      ...controlPlanes.flatMap((cp) => [
        attachment("cp", cp, "kubernetesApi", KUBERNETES_API_PORT),
        attachment("cp", cp, "talosApi", TALOS_API_PORT),
      ]),
      ...workers.map((wk) => attachment("wk", wk, "workerTalosApi", TALOS_API_PORT)),
    ],
    controlPlaneInstances: controlPlanes,
    workerInstances: workers,
    allowedAdminCidrs: admin,
    allowedAdminCidrsInput: spec.allowedAdminCidrs,
  };
}

/**
 * Part 2: checks the load-balancer inputs (resolved values) against the AWS limits in limits.ts,
 * together with the admin CIDRs of `layout`, and applies the defaults ({@link NLB_ENDPOINT_DEFAULTS}).
 * @throws InputError for: a bad `environment`; a malformed `vpcId` or `instanceSecurityGroupId`; a
 *   malformed `vpcCidr` or one outside /16-/28; an empty, malformed or duplicate subnet; a
 *   non-boolean flag; internet-facing without `allowedAdminCidrs`; `0.0.0.0/0` (or `::/0`) without
 *   `allowPublicAccess`; an IPv6 admin CIDR or one equal to `vpcCidr`; health-check values,
 *   thresholds or deregistration delay outside the ELBv2 limits, or a timeout above the interval.
 */
export function planNlbSettings(layout: NlbLayout, spec: NlbSettingsSpec): NlbSettings {
  const d = NLB_ENDPOINT_DEFAULTS;
  const environment = checkEnvironment(spec.environment);
  const vpcId = checkAwsId("vpcId", spec.vpcId);
  const vpc = parseCidr("vpcCidr", spec.vpcCidr);
  const vpcPrefix = EC2_LIMITS.vpcCidrPrefix;
  if (vpc.family !== "ipv4" || vpc.prefix < vpcPrefix.min || vpc.prefix > vpcPrefix.max) {
    throw new InputError(
      "vpcCidr",
      spec.vpcCidr,
      `must be the VPC's IPv4 CIDR block, /${vpcPrefix.min} to /${vpcPrefix.max} (the sizes AWS allows for a VPC)`,
    );
  }
  if (!Array.isArray(spec.subnetIds) || spec.subnetIds.length === 0) {
    throw new InputError("subnetIds", spec.subnetIds, "must list at least one subnet (one per Availability Zone the NLB serves)");
  }
  const subnetIds = spec.subnetIds.map((s, i) => checkAwsId(`subnetIds[${i}]`, s));
  const dup = subnetIds.findIndex((s, i) => subnetIds.indexOf(s) !== i);
  if (dup >= 0) throw new InputError(`subnetIds[${dup}]`, subnetIds[dup], `duplicates subnetIds[${subnetIds.indexOf(subnetIds[dup])}]`);
  const instanceSecurityGroupId = checkAwsId("instanceSecurityGroupId", spec.instanceSecurityGroupId);

  const internal = checkFlag("internal", spec.internal, d.internal);
  const allowPublicAccess = checkFlag("allowPublicAccess", spec.allowPublicAccess, d.allowPublicAccess);
  const warnings: string[] = [];
  for (const { field, value, cidr, family, prefix } of layout.allowedAdminCidrs) {
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
    if (prefix === 0) {
      warnings.push(
        `${field}: ${cidr} opens the Kubernetes API (6443) and the Talos API (50000, 50001) to the whole internet (allowPublicAccess: true)`,
      );
    }
  }
  const allowedAdminCidrs = layout.allowedAdminCidrs.map((c) => c.cidr);
  if (!internal && allowedAdminCidrs.length === 0) {
    throw new InputError(
      "allowedAdminCidrs",
      layout.allowedAdminCidrsInput,
      "must list the networks allowed to reach an internet-facing NLB (internal: false); without any only the VPC could reach it, so use internal: true instead",
    );
  }
  if (subnetIds.length === 1) {
    warnings.push("subnetIds: one subnet, so the NLB serves one Availability Zone; losing that zone loses the endpoint");
  }

  const L = ELBV2_LIMITS;
  const hcSource = "ELBv2 limit, AWS 'Health checks for Network Load Balancer target groups'";
  const interval = checkIntInRange(
    "healthCheckInterval",
    spec.healthCheckInterval,
    d.healthCheckInterval,
    L.healthCheckIntervalSeconds,
    "seconds",
    hcSource,
  );
  const timeout = checkIntInRange(
    "healthCheckTimeout",
    spec.healthCheckTimeout,
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
  const healthyThreshold = checkIntInRange(
    "healthyThreshold",
    spec.healthyThreshold,
    d.healthyThreshold,
    L.healthyThresholdCount,
    "checks",
    hcSource,
  );
  const unhealthyThreshold = checkIntInRange(
    "unhealthyThreshold",
    spec.unhealthyThreshold,
    d.unhealthyThreshold,
    L.unhealthyThresholdCount,
    "checks",
    hcSource,
  );
  const deregistrationDelay = checkIntInRange(
    "deregistrationDelay",
    spec.deregistrationDelay,
    d.deregistrationDelay,
    L.deregistrationDelaySeconds,
    "seconds",
    "ELBv2 limit of deregistration_delay.timeout_seconds",
  );
  const enableDeletionProtection = checkFlag("enableDeletionProtection", spec.enableDeletionProtection, d.enableDeletionProtection);
  const enableCrossZoneLoadBalancing = checkFlag(
    "enableCrossZoneLoadBalancing",
    spec.enableCrossZoneLoadBalancing,
    d.enableCrossZoneLoadBalancing,
  );
  const preserveClientIp = checkFlag("preserveClientIp", spec.preserveClientIp, d.preserveClientIp);

  const S = NLB_NAME_SUFFIXES;
  return {
    loadBalancerName: `${environment}${S.loadBalancer}`,
    securityGroupName: `${environment}${S.securityGroup}`,
    targetGroupNames: {
      kubernetesApi: `${environment}${S.kubernetesApiTargetGroup}`,
      talosApi: `${environment}${S.talosApiTargetGroup}`,
      workerTalosApi: `${environment}${S.workerTalosApiTargetGroup}`,
    },
    vpcId,
    vpcCidr: vpc.cidr,
    subnetIds,
    internal,
    allowPublicAccess,
    instanceSecurityGroupId,
    allowedAdminCidrs,
    enableDeletionProtection,
    enableCrossZoneLoadBalancing,
    preserveClientIp: preserveClientIp ? "true" : "false",
    deregistrationDelay,
    healthCheck: { interval, timeout, healthyThreshold, unhealthyThreshold },
    warnings,
  };
}

/**
 * Part 3: checks one instance (resolved values); its name was checked by {@link planNlbLayout}.
 * @throws InputError for a malformed instance ID or (control planes) a private IP that is not an
 *   IPv4 address, naming e.g. `controlPlaneInstances[1].privateIp`.
 */
export function checkNlbTarget(instance: NlbInstanceLayout, spec: NlbTargetSpec): NlbTarget {
  const instanceId = checkAwsId(`${instance.field}.instanceId`, spec?.instanceId);
  if (instance.role === "worker") return { ...instance, instanceId };
  return { ...instance, instanceId, privateIp: checkPrivateIpv4(`${instance.field}.privateIp`, spec?.privateIp) };
}

/**
 * Part 4: checks the instances together (values already checked by {@link checkNlbTarget}).
 * @throws InputError when an instance ID or a private IP is used twice, naming the later one.
 */
export function planNlbTargets(controlPlanes: readonly NlbTarget[], workers: readonly NlbTarget[]): NlbTargets {
  const byId = new Map<string, string>();
  const byIp = new Map<string, string>();
  for (const inst of [...controlPlanes, ...workers]) {
    if (byId.has(inst.instanceId)) {
      throw new InputError(`${inst.field}.instanceId`, inst.instanceId, `is also the instance of ${byId.get(inst.instanceId)}`);
    }
    byId.set(inst.instanceId, inst.field);
    if (inst.privateIp !== undefined) {
      if (byIp.has(inst.privateIp)) {
        throw new InputError(`${inst.field}.privateIp`, inst.privateIp, `is also the address of ${byIp.get(inst.privateIp)}`);
      }
      byIp.set(inst.privateIp, inst.field);
    }
  }
  return {
    controlPlanes: [...controlPlanes],
    workers: [...workers],
    talosApiEndpoints: controlPlanes.map((c) => c.privateIp as string),
  };
}

/** The endpoint outputs from the NLB's DNS name (`endpoint`, `kubernetesApiUrl`, `talosApiEndpoint`). */
export function nlbEndpointValues(dnsName: string): NlbEndpointValues {
  return { endpoint: dnsName, kubernetesApiUrl: kubernetesApiUrl(dnsName), talosApiEndpoint: `${dnsName}:${TALOS_API_PORT}` };
}

/**
 * The whole plan from resolved arguments: {@link planNlbLayout}, {@link planNlbSettings},
 * {@link checkNlbTarget} for each instance and {@link planNlbTargets}, in this order (the first
 * error wins).
 * @param componentName The component's resource name, the prefix of every child's name.
 * @throws InputError naming the field (e.g. `controlPlaneInstances[1].privateIp`) and the value.
 */
export function planNlbEndpoint(componentName: string, spec: NlbEndpointSpec): NlbPlan {
  const layout = planNlbLayout(componentName, spec);
  const settings = planNlbSettings(layout, spec);
  const controlPlanes = layout.controlPlaneInstances.map((inst) => checkNlbTarget(inst, spec.controlPlaneInstances[inst.index]));
  const workers = layout.workerInstances.map((inst) => checkNlbTarget(inst, spec.workerInstances![inst.index]));
  const targets = planNlbTargets(controlPlanes, workers);
  return { layout, settings, targets, warnings: settings.warnings };
}
