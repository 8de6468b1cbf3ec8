/**
 * NlbEndpoint: an AWS Network Load Balancer as the control-plane endpoint. A thin component: the
 * limits (with their AWS sources), the input checks and the plan of every child are in
 * src/render/nlb (pure); this class checks each input once and creates the resources the plan
 * lists.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import {
  checkNlbTarget,
  NlbInstanceLayout,
  NlbInstanceRole,
  NlbRuleSecurityGroup,
  NlbTarget,
  NlbTargetGroupKey,
  nlbEndpointValues,
  planNlbLayout,
  planNlbSettings,
  planNlbTargets,
} from "../render/nlb";
import { componentToken, ControlPlaneEndpoint } from "./contract";
import { isPlain } from "./inputs";

/** A control-plane EC2 instance behind the NLB. */
export interface NlbControlPlaneInstanceArgs {
  /**
   * Short name, a DNS label (`cp-01`: lower-case letters, digits and `-`, 1-63 characters). Plain
   * string, not an Input: the attachments are named after it (`<component>-cp-<name>-6443`,
   * `<component>-cp-<name>-50000`), and names must be known when the program runs. Unique across
   * control planes and workers. InputError otherwise, always before any resource.
   */
  name: string;
  /**
   * EC2 instance ID (`i-0123...`), registered as an `instance` target on 6443 and 50000. May be an
   * Output. Non-empty, no surrounding spaces, not used by another instance; InputError otherwise.
   */
  instanceId: pulumi.Input<string>;
  /**
   * The instance's private IPv4 address (`10.0.1.10`), no prefix. Published in
   * `talosApiEndpoints` (the endpoint contract: talosconfig endpoints are node addresses); from
   * outside the VPC use `talosApiEndpoint` (the NLB on 50000) instead. May be an Output. Unique;
   * InputError for anything but an IPv4 dotted quad, or an address used twice.
   */
  privateIp: pulumi.Input<string>;
}

/** A worker EC2 instance whose Talos API is published on listener 50001. */
export interface NlbWorkerInstanceArgs {
  /**
   * Short name, a DNS label (`wk-01`). Plain string: the attachment is named
   * `<component>-wk-<name>-50000`. Unique across control planes and workers. InputError otherwise,
   * always before any resource.
   */
  name: string;
  /**
   * EC2 instance ID, registered as an `instance` target on 50000 in the worker target group. May
   * be an Output. Non-empty, not used by another instance; InputError otherwise.
   */
  instanceId: pulumi.Input<string>;
}

/** Arguments of {@link NlbEndpoint}. Every limit is in `ELBV2_LIMITS` / `EC2_LIMITS` (src/render/nlb/limits.ts), with its AWS source. */
export interface NlbEndpointArgs {
  /**
   * Environment name used in the AWS names: `<environment>-talos-api-nlb`, `-talos-api-tg`,
   * `-talos-apid-tg`, `-talos-wk-apid-tg`, `-talos-api-nlb-sg`. Required. Letters, digits and
   * hyphens, not starting or ending with a hyphen, at most 15 characters (AWS allows 32 for load
   * balancer and target group names, `CreateLoadBalancer` / `CreateTargetGroup`; the longest
   * suffix, `-talos-wk-apid-tg`, takes 17), and not such that the load balancer name begins with
   * `internal-` (reserved by ELBv2) or the security group name with `sg-` (reserved by EC2,
   * `CreateSecurityGroup`). InputError otherwise.
   */
  environment: pulumi.Input<string>;
  /** VPC of the load balancer, target groups and security group (`vpc-...`). Required; InputError when empty. */
  vpcId: pulumi.Input<string>;
  /**
   * The VPC's IPv4 CIDR (`10.0.0.0/16`, a /16 to /28 network address: the VPC sizes AWS allows,
   * `CreateVpc`). Required. Allowed in on 6443, 50000 and 50001 (workers and nodes reach the
   * endpoint from inside the VPC; the NLB's own health checks come from its private addresses in
   * the VPC), and the only destination the NLB may send to. InputError when malformed, IPv6,
   * outside /16-/28 or with host bits set.
   */
  vpcCidr: pulumi.Input<string>;
  /**
   * Subnets of the load balancer, at least one, at most one per Availability Zone (public subnets
   * for an internet-facing NLB). Adding subnets later is an in-place change; removing one
   * replaces the NLB. InputError for an empty list, an empty ID or a duplicate.
   */
  subnetIds: pulumi.Input<pulumi.Input<string>[]>;
  /**
   * `true` (default): internal NLB, reachable from the VPC and connected networks (VPN, bastion):
   * the design notes' recommendation for production. `false`: internet-facing; then
   * `allowedAdminCidrs` must list the networks allowed in (InputError otherwise).
   */
  internal?: pulumi.Input<boolean>;
  /**
   * IPv4 networks allowed to reach 6443, 50000 and 50001, besides `vpcCidr` (e.g.
   * `["198.51.100.7/32"]`). Default none. Each one gets its own rules on the NLB security group
   * and on `instanceSecurityGroupId` (client IPs are preserved, so the instances see these
   * addresses). Network addresses only (`10.0.0.1/16` is rejected: host bits set), no duplicates,
   * not `vpcCidr` itself, no IPv6 (the NLB is IPv4-only and instance targets would see IPv6 clients
   * as the NLB's address). `0.0.0.0/0` is rejected unless `allowPublicAccess` is `true`. Required
   * (non-empty) when `internal` is `false`. InputError naming `allowedAdminCidrs[i]` otherwise.
   *
   * Plain strings, not Inputs: every CIDR names its rule resources
   * (`<component>-nlb-sg-in-6443-198-51-100-7-32`), so removing a CIDR deletes only its rules and
   * never rewrites the others (rewriting could collide with AWS's duplicate-rule check). Format,
   * host bits and duplicates are therefore always checked before any resource.
   */
  allowedAdminCidrs?: string[];
  /**
   * Explicit opt-in to `0.0.0.0/0` in `allowedAdminCidrs`, i.e. the Kubernetes and Talos APIs
   * open to the whole internet (both are authenticated, but exposed to scanning and to any future
   * pre-authentication bug). Default `false`.
   */
  allowPublicAccess?: pulumi.Input<boolean>;
  /**
   * The security group of the control-plane (and worker) instances (`sg-...`). Required. Gets
   * ingress rules for 6443 and 50000 from `vpcCidr` and each admin CIDR, one rule per CIDR and
   * port. It must not already hold identical rules (EC2 rejects duplicates). InputError when empty.
   */
  instanceSecurityGroupId: pulumi.Input<string>;
  /**
   * Control-plane instances, at least one (InputError otherwise, always before any resource).
   * Registered in the 6443 and 50000 target groups.
   */
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
   * "loopback-timeout",
   * https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-troubleshooting.html#loopback-timeout):
   * with it, an internal NLB cannot hairpin, so a node connecting to the endpoint times out when
   * the NLB picks that same node. Talos components use KubePrism (localhost) instead of the
   * endpoint, but set `false` if anything on the nodes must use it.
   */
  preserveClientIp?: pulumi.Input<boolean>;
  /**
   * Seconds a deregistered target keeps its connections (draining), an integer 0-3600
   * (`deregistration_delay.timeout_seconds`, `TargetGroupAttribute`). Default `30` (the design
   * notes' value; AWS's is 300). InputError outside the range.
   */
  deregistrationDelay?: pulumi.Input<number>;
  /**
   * Seconds between TCP health checks of a target, an integer 5-300 (`HealthCheckIntervalSeconds`,
   * `CreateTargetGroup`). Default `5` (the AWS minimum). NLB health checks are distributed, so
   * targets receive more checks than this suggests (AWS guide). InputError outside the range.
   */
  healthCheckInterval?: pulumi.Input<number>;
  /**
   * Seconds without a TCP connect before a check fails, an integer 2-120
   * (`HealthCheckTimeoutSeconds`, `CreateTargetGroup`) and not above the interval (as the AWS CDK
   * enforces, aws/aws-cdk#26031). Default `3`. InputError otherwise.
   */
  healthCheckTimeout?: pulumi.Input<number>;
  /** Consecutive successful checks before a target is put in service, an integer 2-10 (`HealthyThresholdCount`). Default `2`. InputError outside the range. */
  healthyThreshold?: pulumi.Input<number>;
  /**
   * Consecutive failed checks before a target is taken out of service, an integer 2-10
   * (`UnhealthyThresholdCount`). Default `2`. Time to drop a dead control plane ≈ interval ×
   * unhealthyThreshold + timeout: 13 s with the defaults. InputError outside the range.
   */
  unhealthyThreshold?: pulumi.Input<number>;
}

/**
 * Runs `check` on `input` exactly once: now when `input` holds no Output or Promise (so a bad
 * value throws before any resource is registered), otherwise once the values resolve (before any
 * resource that uses the result is created). Returns the plain result in the first case.
 */
function checkOnce<T, R>(input: T, check: (resolved: pulumi.Unwrap<T>) => R): pulumi.Input<R> {
  return isPlain(input) ? check(input as pulumi.Unwrap<T>) : pulumi.output(input).apply(check);
}

/**
 * An AWS Network Load Balancer in front of the control planes: the design notes' Terraform module
 * (terraform/modules/aws/loadbalancer plus the root module's attachments and worker listener),
 * with its hard-coded values as inputs and its security advice enforced.
 *
 * Children (all `{ parent: this }`; `<n>` is this component's name; the list is `planNlbLayout`):
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
 *   touching the NLB. Each depends only on its own instance's inputs (and its target group).
 *
 * Failover with the defaults: a dead control plane is out of service within
 * interval × unhealthyThreshold + timeout = 5 × 2 + 3 = 13 s (AWS passive health checks can be
 * faster); the NLB then resets the connections it still had to it.
 *
 * `endpoint`, `kubernetesApiUrl`, `kubernetesApiEndpoint` and `talosApiEndpoint` resolve only
 * once every listener and attachment exists, so a consumer (e.g. `TalosConfigPush`) never uses an
 * endpoint that does not forward yet.
 *
 * Errors (InputError naming the field, e.g. `controlPlaneInstances[1].privateIp`, and the value;
 * every check in src/render/nlb/plan.ts): thrown in the constructor before any resource is
 * registered when the values are plain (instance names and admin CIDR strings always are);
 * otherwise when they resolve, before the resources that use them are created. Each value is
 * checked exactly once.
 */
export class NlbEndpoint extends pulumi.ComponentResource implements ControlPlaneEndpoint {
  /** The NLB DNS name (`<lb-name>-<id>.elb.<region>.amazonaws.com`): what clients use. Resolves once the NLB forwards. */
  public readonly endpoint!: pulumi.Output<string>;
  /** `https://<dns>:6443`. Resolves once the NLB forwards. */
  public readonly kubernetesApiUrl!: pulumi.Output<string>;
  /** The control-plane private IPv4 addresses in input order (no prefix), for `talosctl config endpoint` from inside the VPC. */
  public readonly talosApiEndpoints!: pulumi.Output<string[]>;
  /** The NLB DNS name (as created, without waiting for listeners). */
  public readonly loadBalancerDnsName!: pulumi.Output<string>;
  /** The NLB ARN, for further listeners. */
  public readonly loadBalancerArn!: pulumi.Output<string>;
  /** `https://<dns>:6443` (same as `kubernetesApiUrl`; the design notes' name). */
  public readonly kubernetesApiEndpoint!: pulumi.Output<string>;
  /** `<dns>:50000`: the Talos API through the NLB (control planes). Resolves once the NLB forwards. */
  public readonly talosApiEndpoint!: pulumi.Output<string>;
  /** ARN of `<environment>-talos-api-tg` (6443). */
  public readonly kubernetesApiTargetGroupArn!: pulumi.Output<string>;
  /** ARN of `<environment>-talos-apid-tg` (50000, control planes). */
  public readonly talosApiTargetGroupArn!: pulumi.Output<string>;
  /** ARN of `<environment>-talos-wk-apid-tg` (50000 on workers, listener 50001). */
  public readonly workerTalosApiTargetGroupArn!: pulumi.Output<string>;
  /** ID of the NLB's security group (`sg-...`). */
  public readonly securityGroupId!: pulumi.Output<string>;

  constructor(name: string, args: NlbEndpointArgs, opts?: pulumi.ComponentResourceOptions) {
    // Each input is checked exactly once, before super() registers anything when it is plain.
    // The plain-typed inputs always are: every child's name derives from them.
    const { controlPlaneInstances, workerInstances, allowedAdminCidrs, ...settingsArgs } = args;
    const layout = planNlbLayout(name, { controlPlaneInstances, workerInstances, allowedAdminCidrs });
    const settingsInput = checkOnce(settingsArgs, (s) => planNlbSettings(layout, s));
    const target = (inst: NlbInstanceLayout, spec: { instanceId: pulumi.Input<string>; privateIp?: pulumi.Input<string> }) =>
      checkOnce(spec, (s) => checkNlbTarget(inst, s));
    const targetInputs: Record<NlbInstanceRole, pulumi.Input<NlbTarget>[]> = {
      controlPlane: layout.controlPlaneInstances.map((inst) => {
        const { instanceId, privateIp } = controlPlaneInstances[inst.index];
        return target(inst, { instanceId, privateIp });
      }),
      worker: layout.workerInstances.map((inst) => target(inst, { instanceId: workerInstances![inst.index].instanceId })),
    };
    const targetsInput = checkOnce({ controlPlanes: targetInputs.controlPlane, workers: targetInputs.worker }, (t) =>
      planNlbTargets(t.controlPlanes, t.workers),
    );
    super(componentToken("NlbEndpoint"), name, {}, opts);
    const parent = { parent: this };
    const settings = pulumi.output(settingsInput);

    // Security group of the NLB; rules are separate resources, one per CIDR and port.
    const sg = new aws.ec2.SecurityGroup(
      layout.securityGroup.resourceName,
      { name: settings.securityGroupName, description: layout.securityGroup.description, vpcId: settings.vpcId },
      parent,
    );
    const securityGroupIds: Record<NlbRuleSecurityGroup, pulumi.Output<string>> = {
      nlb: sg.id,
      instances: settings.instanceSecurityGroupId,
    };
    for (const r of layout.securityGroupRules) {
      const ruleArgs = {
        securityGroupId: securityGroupIds[r.securityGroup],
        ipProtocol: r.ipProtocol,
        fromPort: r.port,
        toPort: r.port,
        // Admin CIDRs are plain, but their rules too wait for the settings to pass their checks.
        cidrIpv4: r.peer === "vpc" ? settings.vpcCidr : settings.apply(() => r.cidr!),
        description: r.description,
      };
      if (r.direction === "ingress") new aws.vpc.SecurityGroupIngressRule(r.resourceName, ruleArgs, parent);
      else new aws.vpc.SecurityGroupEgressRule(r.resourceName, ruleArgs, parent);
    }

    const lb = new aws.lb.LoadBalancer(
      layout.loadBalancer.resourceName,
      {
        name: settings.loadBalancerName,
        loadBalancerType: layout.loadBalancer.loadBalancerType,
        internal: settings.internal,
        ipAddressType: layout.loadBalancer.ipAddressType,
        subnets: settings.subnetIds,
        securityGroups: [sg.id],
        enableDeletionProtection: settings.enableDeletionProtection,
        enableCrossZoneLoadBalancing: settings.enableCrossZoneLoadBalancing,
      },
      parent,
    );

    const targetGroups = {} as Record<NlbTargetGroupKey, aws.lb.TargetGroup>;
    for (const tg of layout.targetGroups) {
      targetGroups[tg.key] = new aws.lb.TargetGroup(
        tg.resourceName,
        {
          name: settings.targetGroupNames[tg.key],
          port: tg.port,
          protocol: tg.protocol,
          targetType: tg.targetType,
          vpcId: settings.vpcId,
          preserveClientIp: settings.preserveClientIp,
          deregistrationDelay: settings.deregistrationDelay,
          healthCheck: {
            ...tg.healthCheck,
            interval: settings.healthCheck.interval,
            timeout: settings.healthCheck.timeout,
            healthyThreshold: settings.healthCheck.healthyThreshold,
            unhealthyThreshold: settings.healthCheck.unhealthyThreshold,
          },
        },
        parent,
      );
    }

    const listeners = layout.listeners.map(
      (l) =>
        new aws.lb.Listener(
          l.resourceName,
          {
            loadBalancerArn: lb.arn,
            port: l.port,
            protocol: l.protocol,
            defaultActions: [{ type: l.actionType, targetGroupArn: targetGroups[l.targetGroup].arn }],
          },
          parent,
        ),
    );

    // Each attachment waits only for its own instance's check.
    const attachments = layout.attachments.map(
      (a) =>
        new aws.lb.TargetGroupAttachment(
          a.resourceName,
          {
            targetGroupArn: targetGroups[a.targetGroup].arn,
            targetId: pulumi.output(targetInputs[a.role][a.index]).instanceId,
            port: a.port,
          },
          parent,
        ),
    );

    // The DNS name, resolved only once the NLB forwards: every listener and attachment exists.
    const ready = pulumi.all([lb.dnsName, ...listeners.map((l) => l.arn), ...attachments.map((a) => a.id)]).apply(([dns]) => dns as string);
    const endpoints = ready.apply(nlbEndpointValues);

    this.loadBalancerDnsName = lb.dnsName;
    this.loadBalancerArn = lb.arn;
    this.endpoint = endpoints.endpoint;
    this.kubernetesApiUrl = endpoints.kubernetesApiUrl;
    this.kubernetesApiEndpoint = this.kubernetesApiUrl;
    this.talosApiEndpoint = endpoints.talosApiEndpoint;
    // Published only once every input has passed its checks.
    this.talosApiEndpoints = pulumi.all([settings, targetsInput]).apply(([, t]) => t.talosApiEndpoints);
    this.kubernetesApiTargetGroupArn = targetGroups.kubernetesApi.arn;
    this.talosApiTargetGroupArn = targetGroups.talosApi.arn;
    this.workerTalosApiTargetGroupArn = targetGroups.workerTalosApi.arn;
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
