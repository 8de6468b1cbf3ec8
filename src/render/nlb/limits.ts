/**
 * The AWS limits the NLB plan checks its inputs against, its defaults, and the fixed ports and
 * name suffixes. Pure: no Pulumi imports. Every limit names its AWS source; all were checked
 * against the current ELBv2, EC2 and VPC documentation.
 *
 * NLB health checks became configurable in November 2022
 * (https://aws.amazon.com/about-aws/whats-new/2022/11/elastic-load-balancing-capabilities-application-availability/);
 * older copies of the guide (interval 10 or 30 only, fixed timeout, unhealthy = healthy threshold)
 * are out of date.
 *
 * Client IP preservation is on by default for instance targets, and internal NLBs do not support
 * hairpinning with it ("Edit target group attributes",
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/network/edit-target-group-attributes.html;
 * troubleshooting, https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-troubleshooting.html#loopback-timeout).
 */
import { KUBERNETES_API_PORT, TALOS_API_PORT } from "../talos/patch";

export { KUBERNETES_API_PORT, TALOS_API_PORT };

/** Listener port that forwards to the workers' Talos API (port 50000 on the workers). A choice of this package, not an AWS value. */
export const WORKER_TALOS_API_LISTENER_PORT = 50001;

/** An inclusive integer range. */
export interface NlbIntRange {
  readonly min: number;
  readonly max: number;
}

/** ELBv2 limits the NLB inputs are checked against. */
export const ELBV2_LIMITS = {
  /**
   * `HealthCheckIntervalSeconds`, seconds: "The range is 5-300" (`CreateTargetGroup`,
   * https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateTargetGroup.html;
   * "Health checks for Network Load Balancer target groups",
   * https://docs.aws.amazon.com/elasticloadbalancing/latest/network/target-group-health-checks.html).
   */
  healthCheckIntervalSeconds: { min: 5, max: 300 },
  /**
   * `HealthCheckTimeoutSeconds`, seconds: "The range is 2–120 seconds" (`CreateTargetGroup`, as
   * above). Also not above the interval: the AWS CDK enforces the same for NLB target groups
   * (aws/aws-cdk#26031, "Ensure that HealthCheckTimeoutSeconds is not greater than
   * HealthCheckIntervalSeconds").
   */
  healthCheckTimeoutSeconds: { min: 2, max: 120 },
  /** `HealthyThresholdCount`, consecutive checks: "The range is 2-10" (`CreateTargetGroup`, as above). */
  healthyThresholdCount: { min: 2, max: 10 },
  /** `UnhealthyThresholdCount`, consecutive checks: "The range is 2-10" (`CreateTargetGroup`, as above). */
  unhealthyThresholdCount: { min: 2, max: 10 },
  /**
   * `deregistration_delay.timeout_seconds`, seconds: "The range is 0-3600 seconds. The default
   * value is 300 seconds" (`TargetGroupAttribute`,
   * https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_TargetGroupAttribute.html).
   */
  deregistrationDelaySeconds: { min: 0, max: 3600 },
  /**
   * Load balancer and target group names, characters. Load balancer names "can have a maximum of
   * 32 characters, must contain only alphanumeric characters or hyphens, must not begin or end
   * with a hyphen, and must not begin with 'internal-'" (`CreateLoadBalancer`,
   * https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateLoadBalancer.html);
   * target group names: the same without the `internal-` rule (`CreateTargetGroup`).
   */
  nameMaxLength: 32,
  /** The prefix AWS rejects at the start of a load balancer name (`CreateLoadBalancer`, as above), compared case-insensitively. */
  reservedLoadBalancerNamePrefix: "internal-",
} as const;

/** EC2 and VPC limits the NLB inputs are checked against. */
export const EC2_LIMITS = {
  /**
   * Prefix length of a VPC's IPv4 CIDR block: "The smallest VPC you can create uses a /28 netmask
   * (16 IPv4 addresses), and the largest uses a /16 netmask (65,536 IPv4 addresses)"
   * (`CreateVpc`, https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateVpc.html).
   */
  vpcCidrPrefix: { min: 16, max: 28 },
  /**
   * The prefix EC2 rejects at the start of a security group name: "Constraints: Up to 255
   * characters in length. Cannot start with sg-" (`CreateSecurityGroup`,
   * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateSecurityGroup.html).
   * Compared case-insensitively.
   */
  reservedSecurityGroupNamePrefix: "sg-",
} as const;

/**
 * Defaults, chosen for fast failover within the limits above. With them a control plane that
 * stops answering is out of service after at most interval × unhealthyThreshold + timeout =
 * 5 × 2 + 3 = 13 s (at least 5 + 3 = 8 s; 10 s when the node refuses connections instead of timing
 * out), against 10 × 2 + 5 = 25 s with the design notes' 10 s / 5 s / 2 / 2. A recovered one is back
 * after healthyThreshold × interval = 10 s. AWS's passive health checks can drop a target sooner;
 * AWS publishes no figure for the time the NLB then takes to stop routing to it.
 * `deregistrationDelay` is seconds (the design notes' 30; AWS's default is 300).
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

/**
 * Longest `environment` that keeps every load balancer and target group name within
 * {@link ELBV2_LIMITS}.nameMaxLength (32) characters: 15, since `-talos-wk-apid-tg` takes 17.
 */
export const MAX_ENVIRONMENT_LENGTH =
  ELBV2_LIMITS.nameMaxLength -
  Math.max(
    NLB_NAME_SUFFIXES.loadBalancer.length,
    NLB_NAME_SUFFIXES.kubernetesApiTargetGroup.length,
    NLB_NAME_SUFFIXES.talosApiTargetGroup.length,
    NLB_NAME_SUFFIXES.workerTalosApiTargetGroup.length,
  );
