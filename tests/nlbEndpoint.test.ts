/**
 * NlbEndpoint under Pulumi's mocks: the exact children, their inputs, the outputs, and every
 * validation error (thrown before any resource is registered).
 */
import * as pulumi from "@pulumi/pulumi";
import { NlbEndpoint, NlbEndpointArgs } from "../src/components/NlbEndpoint";
import { InputError } from "../src/core/errors";
import * as checks from "../src/render/nlb/checks";
import { checkEnvironment, MAX_ENVIRONMENT_LENGTH, NlbEndpointSpec, parseCidr, planNlbEndpoint } from "../src/render/nlb";
import { installMocks, RecordedResource } from "../examples/stack/mockRuntime";
import { nlbSpecFixture } from "./helpers/stacks";
import { inputErrorOf } from "./helpers/errors";

// Every field check of the NLB plan (src/render/nlb/checks.ts, the only ones it calls), wrapped in
// a counting pass-through with the same behaviour, so the tests at the end can prove that each
// input value is checked exactly once.
jest.mock("../src/render/nlb/checks", () => {
  const actual = jest.requireActual("../src/render/nlb/checks");
  return Object.fromEntries(Object.entries(actual).map(([k, v]) => [k, typeof v === "function" ? jest.fn(v as any) : v]));
});

const T = {
  component: "talos-endpoints:index:NlbEndpoint",
  sg: "aws:ec2/securityGroup:SecurityGroup",
  ingress: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
  egress: "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
  lb: "aws:lb/loadBalancer:LoadBalancer",
  tg: "aws:lb/targetGroup:TargetGroup",
  listener: "aws:lb/listener:Listener",
  attachment: "aws:lb/targetGroupAttachment:TargetGroupAttachment",
};

const tgArn = (awsName: string) => `arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/${awsName}/0123456789abcdef`;
const LB_ARN = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/net/prod-talos-api-nlb/0123456789abcdef";
const DNS = "prod-talos-api-nlb-0123456789abcdef.elb.us-east-1.amazonaws.com";

/** The NLB tests' base inputs (tests/helpers/stacks.ts) with a third control plane and a second worker. */
function baseArgs(): NlbEndpointArgs {
  const base = nlbSpecFixture();
  return {
    ...base,
    subnetIds: [...base.subnetIds],
    allowedAdminCidrs: [...(base.allowedAdminCidrs ?? [])],
    controlPlaneInstances: [...base.controlPlaneInstances, { name: "cp-03", instanceId: "i-cp03", privateIp: "10.0.3.10" }],
    workerInstances: [...(base.workerInstances ?? []), { name: "wk-02", instanceId: "i-wk02" }],
  };
}

function resolve<T>(out: pulumi.Output<T>): Promise<T> {
  return new Promise((r) => out.apply(r));
}

async function build(args: NlbEndpointArgs = baseArgs()): Promise<{ nlb: NlbEndpoint; resources: RecordedResource[] }> {
  const rec = await installMocks("talos-endpoints", "test");
  const nlb = new NlbEndpoint("api", args);
  await resolve(nlb.endpoint);
  await resolve(nlb.talosApiEndpoints);
  const resources = await rec.settle();
  return { nlb, resources };
}

function byName(resources: RecordedResource[], name: string): RecordedResource {
  const found = resources.filter((r) => r.name === name);
  expect(found).toHaveLength(1);
  return found[0];
}

function sorted<T>(xs: T[]): T[] {
  return [...xs].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
}

describe("NlbEndpoint children", () => {
  test("registers exactly the expected children, all parented to the component", async () => {
    const { resources } = await build();
    const expected: Array<[string, string]> = [
      [T.component, "api"],
      [T.sg, "api-nlb-sg"],
      ...["6443", "50000", "50001"].flatMap((p) =>
        ["vpc", "198-51-100-7-32", "203-0-113-0-24"].map((s): [string, string] => [T.ingress, `api-nlb-sg-in-${p}-${s}`]),
      ),
      [T.egress, "api-nlb-sg-out-6443-vpc"],
      [T.egress, "api-nlb-sg-out-50000-vpc"],
      ...["6443", "50000"].flatMap((p) =>
        ["vpc", "198-51-100-7-32", "203-0-113-0-24"].map((s): [string, string] => [T.ingress, `api-instance-sg-in-${p}-${s}`]),
      ),
      [T.lb, "api-nlb"],
      [T.tg, "api-api-tg"],
      [T.tg, "api-apid-tg"],
      [T.tg, "api-wk-apid-tg"],
      [T.listener, "api-listener-6443"],
      [T.listener, "api-listener-50000"],
      [T.listener, "api-listener-50001"],
      [T.attachment, "api-cp-cp-01-6443"],
      [T.attachment, "api-cp-cp-01-50000"],
      [T.attachment, "api-cp-cp-02-6443"],
      [T.attachment, "api-cp-cp-02-50000"],
      [T.attachment, "api-cp-cp-03-6443"],
      [T.attachment, "api-cp-cp-03-50000"],
      [T.attachment, "api-wk-wk-01-50000"],
      [T.attachment, "api-wk-wk-02-50000"],
    ];
    expect(resources).toHaveLength(1 + 1 + 9 + 2 + 6 + 1 + 3 + 3 + 8);
    expect(sorted(resources.map((r) => [r.type, r.name]))).toEqual(sorted(expected));
    for (const r of resources) {
      expect([r.name, r.parent]).toEqual([r.name, r.type === T.component ? null : "api"]);
    }
  });

  test("load balancer: network, named after the environment, in the subnets, with the NLB security group", async () => {
    const { resources } = await build();
    expect(byName(resources, "api-nlb").inputs).toEqual({
      name: "prod-talos-api-nlb",
      loadBalancerType: "network",
      internal: false,
      ipAddressType: "ipv4",
      subnets: ["subnet-a", "subnet-b", "subnet-c"],
      securityGroups: ["api-nlb-sg-id"],
      enableDeletionProtection: false,
      enableCrossZoneLoadBalancing: true,
    });
    expect(byName(resources, "api-nlb-sg").inputs).toEqual({
      name: "prod-talos-api-nlb-sg",
      description: "Talos control-plane NLB: 6443, 50000, 50001 from admin CIDRs and the VPC",
      vpcId: "vpc-0abc",
    });
  });

  test("target groups: TCP, instance targets, TCP health checks on traffic-port with the fast defaults", async () => {
    const { resources } = await build();
    const healthCheck = {
      enabled: true,
      protocol: "TCP",
      port: "traffic-port",
      interval: 5,
      timeout: 3,
      healthyThreshold: 2,
      unhealthyThreshold: 2,
    };
    const common = {
      protocol: "TCP",
      targetType: "instance",
      vpcId: "vpc-0abc",
      preserveClientIp: "true",
      deregistrationDelay: 30,
      healthCheck,
    };
    expect(byName(resources, "api-api-tg").inputs).toEqual({ ...common, name: "prod-talos-api-tg", port: 6443 });
    expect(byName(resources, "api-apid-tg").inputs).toEqual({ ...common, name: "prod-talos-apid-tg", port: 50000 });
    expect(byName(resources, "api-wk-apid-tg").inputs).toEqual({ ...common, name: "prod-talos-wk-apid-tg", port: 50000 });
  });

  test("listeners: TCP 6443, 50000 and 50001 forwarding to their target groups", async () => {
    const { resources } = await build();
    const listener = (port: number, tg: string) => ({
      loadBalancerArn: LB_ARN,
      port,
      protocol: "TCP",
      defaultActions: [{ type: "forward", targetGroupArn: tgArn(tg) }],
    });
    expect(byName(resources, "api-listener-6443").inputs).toEqual(listener(6443, "prod-talos-api-tg"));
    expect(byName(resources, "api-listener-50000").inputs).toEqual(listener(50000, "prod-talos-apid-tg"));
    expect(byName(resources, "api-listener-50001").inputs).toEqual(listener(50000 + 1, "prod-talos-wk-apid-tg"));
  });

  test("one attachment per instance and port, with the right target group and port", async () => {
    const { resources } = await build();
    const attachments = resources.filter((r) => r.type === T.attachment).map((r) => [r.name, r.inputs]);
    expect(sorted(attachments)).toEqual(
      sorted([
        ["api-cp-cp-01-6443", { targetGroupArn: tgArn("prod-talos-api-tg"), targetId: "i-cp01", port: 6443 }],
        ["api-cp-cp-01-50000", { targetGroupArn: tgArn("prod-talos-apid-tg"), targetId: "i-cp01", port: 50000 }],
        ["api-cp-cp-02-6443", { targetGroupArn: tgArn("prod-talos-api-tg"), targetId: "i-cp02", port: 6443 }],
        ["api-cp-cp-02-50000", { targetGroupArn: tgArn("prod-talos-apid-tg"), targetId: "i-cp02", port: 50000 }],
        ["api-cp-cp-03-6443", { targetGroupArn: tgArn("prod-talos-api-tg"), targetId: "i-cp03", port: 6443 }],
        ["api-cp-cp-03-50000", { targetGroupArn: tgArn("prod-talos-apid-tg"), targetId: "i-cp03", port: 50000 }],
        ["api-wk-wk-01-50000", { targetGroupArn: tgArn("prod-talos-wk-apid-tg"), targetId: "i-wk01", port: 50000 }],
        ["api-wk-wk-02-50000", { targetGroupArn: tgArn("prod-talos-wk-apid-tg"), targetId: "i-wk02", port: 50000 }],
      ]),
    );
  });

  test("security group rules: exactly CIDR x port on the NLB side and on the instances' side, one CIDR per rule", async () => {
    const { resources } = await build();
    const rules = resources
      .filter((r) => r.type === T.ingress || r.type === T.egress)
      .map((r) => {
        expect(r.inputs.ipProtocol).toBe("tcp");
        expect(r.inputs.fromPort).toBe(r.inputs.toPort);
        expect(r.inputs.cidrIpv6).toBeUndefined();
        expect(typeof r.inputs.description).toBe("string");
        return [r.type === T.ingress ? "in" : "out", r.inputs.securityGroupId, r.inputs.fromPort, r.inputs.cidrIpv4].join(" ");
      });
    const cidrs = ["10.0.0.0/16", "198.51.100.7/32", "203.0.113.0/24"];
    const expected = [
      ...[6443, 50000, 50001].flatMap((p) => cidrs.map((c) => `in api-nlb-sg-id ${p} ${c}`)),
      "out api-nlb-sg-id 6443 10.0.0.0/16",
      "out api-nlb-sg-id 50000 10.0.0.0/16",
      ...[6443, 50000].flatMap((p) => cidrs.map((c) => `in sg-nodes ${p} ${c}`)),
    ];
    expect(rules.sort()).toEqual(expected.sort());
  });

  test("an internal NLB without admin CIDRs allows only the VPC", async () => {
    const args = { ...baseArgs(), internal: true, allowedAdminCidrs: undefined };
    const { resources } = await build(args);
    expect(byName(resources, "api-nlb").inputs.internal).toBe(true);
    const rules = resources.filter((r) => r.type === T.ingress || r.type === T.egress);
    expect(rules.map((r) => r.name).sort()).toEqual(
      [
        "api-nlb-sg-in-6443-vpc",
        "api-nlb-sg-in-50000-vpc",
        "api-nlb-sg-in-50001-vpc",
        "api-nlb-sg-out-6443-vpc",
        "api-nlb-sg-out-50000-vpc",
        "api-instance-sg-in-6443-vpc",
        "api-instance-sg-in-50000-vpc",
      ].sort(),
    );
    expect(new Set(rules.map((r) => r.inputs.cidrIpv4))).toEqual(new Set(["10.0.0.0/16"]));
  });

  test("defaults: internal, no workers; the worker target group and listener still exist", async () => {
    const { controlPlaneInstances, vpcId, vpcCidr, subnetIds, instanceSecurityGroupId } = baseArgs();
    const { resources } = await build({ environment: "dev", controlPlaneInstances, vpcId, vpcCidr, subnetIds, instanceSecurityGroupId });
    expect(byName(resources, "api-nlb").inputs.internal).toBe(true);
    expect(byName(resources, "api-wk-apid-tg").inputs.name).toBe("dev-talos-wk-apid-tg");
    byName(resources, "api-listener-50001");
    expect(
      resources
        .filter((r) => r.type === T.attachment)
        .map((r) => r.name)
        .sort(),
    ).toEqual(
      [
        "api-cp-cp-01-6443",
        "api-cp-cp-01-50000",
        "api-cp-cp-02-6443",
        "api-cp-cp-02-50000",
        "api-cp-cp-03-6443",
        "api-cp-cp-03-50000",
      ].sort(),
    );
  });

  test("every tunable reaches the resources", async () => {
    const { resources } = await build({
      ...baseArgs(),
      enableDeletionProtection: true,
      enableCrossZoneLoadBalancing: false,
      preserveClientIp: false,
      deregistrationDelay: 0,
      healthCheckInterval: 300,
      healthCheckTimeout: 120,
      healthyThreshold: 10,
      unhealthyThreshold: 7,
    });
    const lb = byName(resources, "api-nlb").inputs;
    expect([lb.enableDeletionProtection, lb.enableCrossZoneLoadBalancing]).toEqual([true, false]);
    for (const name of ["api-api-tg", "api-apid-tg", "api-wk-apid-tg"]) {
      const tg = byName(resources, name).inputs;
      expect([tg.preserveClientIp, tg.deregistrationDelay]).toEqual(["false", 0]);
      expect(tg.healthCheck).toEqual({
        enabled: true,
        protocol: "TCP",
        port: "traffic-port",
        interval: 300,
        timeout: 120,
        healthyThreshold: 10,
        unhealthyThreshold: 7,
      });
    }
  });

  test("the upper deregistration delay and the lowest health-check values are accepted", async () => {
    const { resources } = await build({
      ...baseArgs(),
      deregistrationDelay: 3600,
      healthCheckInterval: 5,
      healthCheckTimeout: 2,
      healthyThreshold: 2,
      unhealthyThreshold: 2,
    });
    const tg = byName(resources, "api-api-tg").inputs;
    expect(tg.deregistrationDelay).toBe(3600);
    expect(tg.healthCheck).toMatchObject({ interval: 5, timeout: 2, healthyThreshold: 2, unhealthyThreshold: 2 });
  });

  test("Output-valued inputs give the same resources; attachments take each instance's own ID", async () => {
    const args = baseArgs();
    args.vpcId = pulumi.output("vpc-0abc");
    args.subnetIds = pulumi.output(["subnet-a", "subnet-b", "subnet-c"]);
    args.controlPlaneInstances = args.controlPlaneInstances.map((c) => ({
      ...c,
      instanceId: pulumi.output(c.instanceId),
      privateIp: Promise.resolve(c.privateIp as string),
    }));
    const { nlb, resources } = await build(args);
    expect(resources).toHaveLength(34);
    expect(byName(resources, "api-cp-cp-02-50000").inputs).toEqual({
      targetGroupArn: tgArn("prod-talos-apid-tg"),
      targetId: "i-cp02",
      port: 50000,
    });
    expect(byName(resources, "api-nlb").inputs.subnets).toEqual(["subnet-a", "subnet-b", "subnet-c"]);
    expect(byName(resources, "api-apid-tg").inputs.vpcId).toBe("vpc-0abc");
    expect(await resolve(nlb.talosApiEndpoints)).toEqual(["10.0.1.10", "10.0.2.10", "10.0.3.10"]);
  });
});

describe("NlbEndpoint outputs", () => {
  test("the notes' outputs and the endpoint contract", async () => {
    const { nlb } = await build();
    const outputs = {
      endpoint: await resolve(nlb.endpoint),
      kubernetesApiUrl: await resolve(nlb.kubernetesApiUrl),
      talosApiEndpoints: await resolve(nlb.talosApiEndpoints),
      loadBalancerDnsName: await resolve(nlb.loadBalancerDnsName),
      loadBalancerArn: await resolve(nlb.loadBalancerArn),
      kubernetesApiEndpoint: await resolve(nlb.kubernetesApiEndpoint),
      talosApiEndpoint: await resolve(nlb.talosApiEndpoint),
      kubernetesApiTargetGroupArn: await resolve(nlb.kubernetesApiTargetGroupArn),
      talosApiTargetGroupArn: await resolve(nlb.talosApiTargetGroupArn),
      workerTalosApiTargetGroupArn: await resolve(nlb.workerTalosApiTargetGroupArn),
      securityGroupId: await resolve(nlb.securityGroupId),
    };
    expect(outputs).toEqual({
      endpoint: DNS,
      kubernetesApiUrl: `https://${DNS}:6443`,
      talosApiEndpoints: ["10.0.1.10", "10.0.2.10", "10.0.3.10"],
      loadBalancerDnsName: DNS,
      loadBalancerArn: LB_ARN,
      kubernetesApiEndpoint: `https://${DNS}:6443`,
      talosApiEndpoint: `${DNS}:50000`,
      kubernetesApiTargetGroupArn: tgArn("prod-talos-api-tg"),
      talosApiTargetGroupArn: tgArn("prod-talos-apid-tg"),
      workerTalosApiTargetGroupArn: tgArn("prod-talos-wk-apid-tg"),
      securityGroupId: "api-nlb-sg-id",
    });
  });

  test("a consumer of endpoint waits for every listener and attachment", async () => {
    const rec = await installMocks("talos-endpoints", "test");
    const nlb = new NlbEndpoint("api", baseArgs());
    class Consumer extends pulumi.CustomResource {
      constructor(name: string, props: pulumi.Inputs) {
        super("test:index:Consumer", name, props);
      }
    }
    new Consumer("consumer", { endpoint: nlb.endpoint });
    const resources = await rec.settle();
    const consumer = byName(resources, "consumer");
    expect(consumer.inputs.endpoint).toBe(DNS);
    const waitedFor = new Set(consumer.dependsOn);
    const mustWaitFor = resources.filter((r) => r.type === T.listener || r.type === T.attachment || r.type === T.lb).map((r) => r.name);
    expect(mustWaitFor).toHaveLength(1 + 3 + 8);
    for (const name of mustWaitFor) expect([name, waitedFor.has(name)]).toEqual([name, true]);
  });
});

describe("NlbEndpoint validation (before any resource)", () => {
  type Case = [title: string, change: (a: NlbEndpointArgs) => void, field: string, valueText: string, phrase: string];
  const cases: Case[] = [
    ["internet-facing without admin CIDRs", (a) => (a.allowedAdminCidrs = undefined), "allowedAdminCidrs", "(not set)", "internet-facing"],
    ["internet-facing with an empty admin list", (a) => (a.allowedAdminCidrs = []), "allowedAdminCidrs", "[]", "internet-facing"],
    ["0.0.0.0/0 without opt-in", (a) => (a.allowedAdminCidrs = ["0.0.0.0/0"]), "allowedAdminCidrs[0]", '"0.0.0.0/0"', "allowPublicAccess"],
    [
      "0.0.0.0/0 on an internal NLB without opt-in",
      (a) => ((a.internal = true), (a.allowedAdminCidrs = ["198.51.100.7/32", "0.0.0.0/0"])),
      "allowedAdminCidrs[1]",
      '"0.0.0.0/0"',
      "whole internet",
    ],
    ["::/0 without opt-in", (a) => (a.allowedAdminCidrs = ["::/0"]), "allowedAdminCidrs[0]", '"::/0"', "allowPublicAccess"],
    [
      "::/0 with opt-in (IPv6 on an IPv4 NLB)",
      (a) => ((a.allowPublicAccess = true), (a.allowedAdminCidrs = ["::/0"])),
      "allowedAdminCidrs[0]",
      '"::/0"',
      "IPv6",
    ],
    ["an IPv6 admin range", (a) => (a.allowedAdminCidrs = ["2001:db8::/32"]), "allowedAdminCidrs[0]", '"2001:db8::/32"', "IPv6"],
    [
      "admin CIDR with host bits set",
      (a) => (a.allowedAdminCidrs = ["10.0.0.1/16"]),
      "allowedAdminCidrs[0]",
      '"10.0.0.1/16"',
      "host bits set: the network address is 10.0.0.0/16",
    ],
    [
      "admin CIDR without prefix",
      (a) => (a.allowedAdminCidrs = ["198.51.100.7"]),
      "allowedAdminCidrs[0]",
      '"198.51.100.7"',
      "not a CIDR block",
    ],
    [
      "admin CIDR with prefix 33",
      (a) => (a.allowedAdminCidrs = ["198.51.100.7/33"]),
      "allowedAdminCidrs[0]",
      '"198.51.100.7/33"',
      "not a CIDR block",
    ],
    [
      "admin CIDR that is not an address",
      (a) => (a.allowedAdminCidrs = ["office/24"]),
      "allowedAdminCidrs[0]",
      '"office/24"',
      "not a CIDR block",
    ],
    [
      "duplicate admin CIDR",
      (a) => (a.allowedAdminCidrs = ["203.0.113.0/24", "198.51.100.7/32", "203.0.113.0/24"]),
      "allowedAdminCidrs[2]",
      '"203.0.113.0/24"',
      "duplicates allowedAdminCidrs[0]",
    ],
    [
      "admin CIDR equal to the VPC CIDR",
      (a) => (a.allowedAdminCidrs = ["10.0.0.0/16"]),
      "allowedAdminCidrs[0]",
      '"10.0.0.0/16"',
      "is vpcCidr",
    ],
    ["VPC CIDR with host bits set", (a) => (a.vpcCidr = "10.0.0.1/16"), "vpcCidr", '"10.0.0.1/16"', "host bits set"],
    ["malformed VPC CIDR", (a) => (a.vpcCidr = "10.0.0/16"), "vpcCidr", '"10.0.0/16"', "not a CIDR block"],
    ["VPC CIDR larger than /16", (a) => (a.vpcCidr = "10.0.0.0/8"), "vpcCidr", '"10.0.0.0/8"', "/16 to /28"],
    ["empty subnet list", (a) => (a.subnetIds = []), "subnetIds", "[]", "at least one subnet"],
    ["empty subnet ID", (a) => (a.subnetIds = ["subnet-a", ""]), "subnetIds[1]", '""', "non-empty"],
    [
      "duplicate subnet",
      (a) => (a.subnetIds = ["subnet-a", "subnet-b", "subnet-a"]),
      "subnetIds[2]",
      '"subnet-a"',
      "duplicates subnetIds[0]",
    ],
    [
      "zero control-plane instances",
      (a) => (a.controlPlaneInstances = []),
      "controlPlaneInstances",
      "[]",
      "at least one control-plane instance",
    ],
    [
      "duplicate control-plane names",
      (a) => (a.controlPlaneInstances[2].name = "cp-01"),
      "controlPlaneInstances[2].name",
      '"cp-01"',
      "is also the name of controlPlaneInstances[0]",
    ],
    [
      "a worker named like a control plane",
      (a) => (a.workerInstances![1].name = "cp-02"),
      "workerInstances[1].name",
      '"cp-02"',
      "is also the name of controlPlaneInstances[1]",
    ],
    [
      "duplicate worker names",
      (a) => (a.workerInstances![1].name = "wk-01"),
      "workerInstances[1].name",
      '"wk-01"',
      "is also the name of workerInstances[0]",
    ],
    [
      "an instance name that is not a DNS label",
      (a) => (a.controlPlaneInstances[0].name = "CP_01"),
      "controlPlaneInstances[0].name",
      '"CP_01"',
      "DNS label",
    ],
    [
      "duplicate instance ID",
      (a) => (a.workerInstances![0].instanceId = "i-cp03"),
      "workerInstances[0].instanceId",
      '"i-cp03"',
      "controlPlaneInstances[2]",
    ],
    [
      "duplicate private IP",
      (a) => (a.controlPlaneInstances[1].privateIp = "10.0.1.10"),
      "controlPlaneInstances[1].privateIp",
      '"10.0.1.10"',
      "controlPlaneInstances[0]",
    ],
    [
      "malformed private IP",
      (a) => (a.controlPlaneInstances[0].privateIp = "10.0.1.10/24"),
      "controlPlaneInstances[0].privateIp",
      '"10.0.1.10/24"',
      "not a valid IP",
    ],
    ["health-check interval below 5", (a) => (a.healthCheckInterval = 4), "healthCheckInterval", "4", "from 5 to 300 seconds"],
    ["health-check interval above 300", (a) => (a.healthCheckInterval = 301), "healthCheckInterval", "301", "from 5 to 300 seconds"],
    ["fractional health-check interval", (a) => (a.healthCheckInterval = 7.5), "healthCheckInterval", "7.5", "integer"],
    ["health-check timeout below 2", (a) => (a.healthCheckTimeout = 1), "healthCheckTimeout", "1", "from 2 to 120 seconds"],
    [
      "health-check timeout above 120",
      (a) => ((a.healthCheckInterval = 300), (a.healthCheckTimeout = 121)),
      "healthCheckTimeout",
      "121",
      "from 2 to 120 seconds",
    ],
    [
      "health-check timeout above the interval",
      (a) => ((a.healthCheckInterval = 10), (a.healthCheckTimeout = 11)),
      "healthCheckTimeout",
      "11",
      "must not exceed healthCheckInterval (10 s)",
    ],
    ["healthy threshold below 2", (a) => (a.healthyThreshold = 1), "healthyThreshold", "1", "from 2 to 10 checks"],
    ["healthy threshold above 10", (a) => (a.healthyThreshold = 11), "healthyThreshold", "11", "from 2 to 10 checks"],
    ["unhealthy threshold below 2", (a) => (a.unhealthyThreshold = 1), "unhealthyThreshold", "1", "from 2 to 10 checks"],
    ["unhealthy threshold above 10", (a) => (a.unhealthyThreshold = 11), "unhealthyThreshold", "11", "from 2 to 10 checks"],
    ["negative deregistration delay", (a) => (a.deregistrationDelay = -1), "deregistrationDelay", "-1", "from 0 to 3600 seconds"],
    ["deregistration delay above 3600", (a) => (a.deregistrationDelay = 3601), "deregistrationDelay", "3601", "from 0 to 3600 seconds"],
    [
      "environment too long for the target group names",
      (a) => (a.environment = "production-euw12"),
      "environment",
      '"production-euw12"',
      "production-euw12-talos-wk-apid-tg would be 33",
    ],
    ["environment with an underscore", (a) => (a.environment = "prod_eu"), "environment", '"prod_eu"', "letters, digits and hyphens"],
    ["empty environment", (a) => (a.environment = ""), "environment", '""', "letters, digits and hyphens"],
    ["environment starting with a hyphen", (a) => (a.environment = "-prod"), "environment", '"-prod"', "start or end with a hyphen"],
    ["environment ending with a hyphen", (a) => (a.environment = "prod-"), "environment", '"prod-"', "start or end with a hyphen"],
    [
      "environment making an internal- load balancer name",
      (a) => (a.environment = "internal"),
      "environment",
      '"internal"',
      'beginning with "internal-"',
    ],
    [
      "environment beginning with internal-",
      (a) => (a.environment = "Internal-eu"),
      "environment",
      '"Internal-eu"',
      'beginning with "internal-"',
    ],
    [
      "environment making an sg- security group name",
      (a) => (a.environment = "sg-prod"),
      "environment",
      '"sg-prod"',
      'beginning with "sg-"',
    ],
    ["non-boolean internal", (a) => (a.internal = "false" as unknown as boolean), "internal", '"false"', "true or false"],
    ["empty VPC ID", (a) => (a.vpcId = ""), "vpcId", '""', "non-empty"],
    ["empty instance security group", (a) => (a.instanceSecurityGroupId = " "), "instanceSecurityGroupId", '" "', "non-empty"],
  ];

  test.each(cases)("%s", async (_title, change, field, valueText, phrase) => {
    const rec = await installMocks("talos-endpoints", "test");
    const args = baseArgs();
    change(args);
    const err = inputErrorOf(() => new NlbEndpoint("api", args));
    expect(err.field).toBe(field);
    expect(err.message.startsWith(`${field}: ${valueText} `)).toBe(true);
    expect(err.message).toContain(phrase);
    await rec.settle();
    expect(rec.resources).toEqual([]);
  });

  test.each([
    ["a duplicate instance name", (a: NlbEndpointArgs) => (a.workerInstances![0].name = "cp-03"), "workerInstances[0].name"],
    [
      "a malformed admin CIDR",
      (a: NlbEndpointArgs) => (a.allowedAdminCidrs = ["198.51.100.7/32", "203.0.113.9/24"]),
      "allowedAdminCidrs[1]",
    ],
  ])("%s throws before any resource even when other inputs are Outputs (child names derive from it)", async (_t, change, field) => {
    const rec = await installMocks("talos-endpoints", "test");
    const args = baseArgs();
    args.vpcId = pulumi.output("vpc-0abc");
    args.controlPlaneInstances = args.controlPlaneInstances.map((c) => ({ ...c, instanceId: pulumi.output(c.instanceId) }));
    change(args);
    expect(() => new NlbEndpoint("api", args)).toThrow(expect.objectContaining({ name: "InputError", field }));
    await rec.settle();
    expect(rec.resources).toEqual([]);
  });

  test("0.0.0.0/0 is accepted with allowPublicAccess and then opens both sides", async () => {
    const { resources } = await build({ ...baseArgs(), allowPublicAccess: true, allowedAdminCidrs: ["0.0.0.0/0"] });
    const world = resources.filter((r) => r.inputs.cidrIpv4 === "0.0.0.0/0").map((r) => r.name);
    expect(world.sort()).toEqual(
      [
        "api-nlb-sg-in-6443-0-0-0-0-0",
        "api-nlb-sg-in-50000-0-0-0-0-0",
        "api-nlb-sg-in-50001-0-0-0-0-0",
        "api-instance-sg-in-6443-0-0-0-0-0",
        "api-instance-sg-in-50000-0-0-0-0-0",
      ].sort(),
    );
  });

  test("values that arrive later are validated before any NLB resource is registered", async () => {
    // An invalid late value is rejected by the same check when it resolves ...
    expect(() => planNlbEndpoint("api", { ...baseArgs(), healthCheckInterval: 1 } as NlbEndpointSpec)).toThrow(
      "healthCheckInterval: 1 must be an integer from 5 to 300 seconds",
    );
    // ... and nothing of the NLB is registered until the late value has resolved (and passed).
    const rec = await installMocks("talos-endpoints", "test");
    let release: (v: number) => void = () => undefined;
    const interval = new Promise<number>((r) => (release = r));
    const nlb = new NlbEndpoint("api", { ...baseArgs(), healthCheckInterval: interval });
    await new Promise((r) => setTimeout(r, 300));
    expect(rec.resources.map((r) => r.type)).toEqual([T.component]);
    release(10);
    await resolve(nlb.endpoint);
    const resources = await rec.settle();
    expect(resources).toHaveLength(34);
    expect(byName(resources, "api-api-tg").inputs.healthCheck).toMatchObject({ interval: 10, timeout: 3 });
  });
});

describe("NlbEndpoint pure checks", () => {
  test("environment length limit is 32 minus the longest suffix", () => {
    expect(MAX_ENVIRONMENT_LENGTH).toBe(32 - "-talos-wk-apid-tg".length);
    expect(checkEnvironment("a".repeat(15))).toBe("a".repeat(15));
    expect(() => checkEnvironment("a".repeat(16))).toThrow(InputError);
    expect(checkEnvironment("Prod-EU-1")).toBe("Prod-EU-1");
  });

  test("parseCidr returns the canonical network and rejects host bits", () => {
    expect(parseCidr("f", "10.0.0.0/16")).toEqual({ cidr: "10.0.0.0/16", family: "ipv4", prefix: 16 });
    expect(parseCidr("f", "2001:db8:0::/48")).toEqual({ cidr: "2001:db8::/48", family: "ipv6", prefix: 48 });
    expect(() => parseCidr("f", "192.168.1.1/24")).toThrow('f: "192.168.1.1/24" has host bits set: the network address is 192.168.1.0/24');
    expect(() => parseCidr("f", "010.0.0.0/8")).toThrow(InputError);
  });
});

describe("NlbEndpoint checks each input value exactly once", () => {
  /** Every field-check call since the last `jest.clearAllMocks()`, as `<check> <field>`, sorted. */
  function checkCalls(): string[] {
    const calls = (fn: unknown) => (fn as jest.Mock).mock.calls;
    return [
      ...calls(checks.checkEnvironment).map(() => "checkEnvironment environment"),
      ...calls(checks.parseCidr).map((c) => `parseCidr ${c[0]}`),
      ...calls(checks.checkAwsId).map((c) => `checkAwsId ${c[0]}`),
      ...calls(checks.checkIntInRange).map((c) => `checkIntInRange ${c[0]}`),
      ...calls(checks.checkInstanceName).map((c) => `checkInstanceName ${c[0]}`),
      ...calls(checks.checkPrivateIpv4).map((c) => `checkPrivateIpv4 ${c[0]}`),
      ...calls(checks.checkFlag).map((c) => `checkFlag ${c[0]}`),
    ].sort();
  }
  const cps = [0, 1, 2].map((i) => `controlPlaneInstances[${i}]`);
  const wks = [0, 1].map((i) => `workerInstances[${i}]`);
  /** The checks of the plain-typed inputs (instance names, admin CIDRs): always run in the constructor. */
  const STATIC = [
    ...[...cps, ...wks].map((f) => `checkInstanceName ${f}.name`),
    "parseCidr allowedAdminCidrs[0]",
    "parseCidr allowedAdminCidrs[1]",
  ];
  /** One call per input value of baseArgs(), defaults included. */
  const ALL = [
    ...STATIC,
    "checkEnvironment environment",
    "parseCidr vpcCidr",
    "checkAwsId vpcId",
    "checkAwsId subnetIds[0]",
    "checkAwsId subnetIds[1]",
    "checkAwsId subnetIds[2]",
    "checkAwsId instanceSecurityGroupId",
    ...[...cps, ...wks].map((f) => `checkAwsId ${f}.instanceId`),
    ...cps.map((f) => `checkPrivateIpv4 ${f}.privateIp`),
    ...["internal", "allowPublicAccess", "enableDeletionProtection", "enableCrossZoneLoadBalancing", "preserveClientIp"].map(
      (f) => `checkFlag ${f}`,
    ),
    ...["healthCheckInterval", "healthCheckTimeout", "healthyThreshold", "unhealthyThreshold", "deregistrationDelay"].map(
      (f) => `checkIntInRange ${f}`,
    ),
  ].sort();

  test("every function of checks.ts is counted", () => {
    const functions = Object.entries(checks)
      .filter(([, v]) => typeof v === "function")
      .map(([k]) => k)
      .sort();
    expect(functions).toEqual(
      ["checkAwsId", "checkEnvironment", "checkFlag", "checkInstanceName", "checkIntInRange", "checkPrivateIpv4", "parseCidr"].sort(),
    );
  });

  test("the expected list has one entry per value (so toEqual below means exactly once each)", () => {
    expect(new Set(ALL).size).toBe(ALL.length);
    expect(ALL).toHaveLength(5 + 2 + 1 + 1 + 5 + 5 + 3 + 5 + 5);
  });

  test("plain inputs: every check runs in the constructor, once, and never again when the resources are created", async () => {
    const rec = await installMocks("talos-endpoints", "test");
    jest.clearAllMocks();
    const nlb = new NlbEndpoint("api", baseArgs());
    expect(checkCalls()).toEqual(ALL);
    await resolve(nlb.endpoint);
    await resolve(nlb.talosApiEndpoints);
    expect(await rec.settle()).toHaveLength(34);
    expect(checkCalls()).toEqual(ALL);
  });

  test("Output inputs: the plain-typed ones are checked in the constructor, the rest once when they resolve", async () => {
    const rec = await installMocks("talos-endpoints", "test");
    const args = baseArgs();
    args.vpcId = pulumi.output("vpc-0abc");
    args.subnetIds = pulumi.output(["subnet-a", "subnet-b", "subnet-c"]);
    args.controlPlaneInstances = args.controlPlaneInstances.map((c) => ({
      ...c,
      instanceId: pulumi.output(c.instanceId),
      privateIp: Promise.resolve(c.privateIp as string),
    }));
    args.workerInstances = args.workerInstances!.map((w) => ({ ...w, instanceId: pulumi.output(w.instanceId) }));
    jest.clearAllMocks();
    const nlb = new NlbEndpoint("api", args);
    expect(checkCalls()).toEqual([...STATIC].sort());
    await resolve(nlb.endpoint);
    await resolve(nlb.talosApiEndpoints);
    expect(await rec.settle()).toHaveLength(34);
    expect(checkCalls()).toEqual(ALL);
  });

  test("the pure plan runs the same checks, once each", () => {
    jest.clearAllMocks();
    planNlbEndpoint("api", baseArgs() as NlbEndpointSpec);
    expect(checkCalls()).toEqual(ALL);
  });
});
