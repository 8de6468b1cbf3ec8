/**
 * The pure NLB plan (src/render/nlb), called directly: layout, settings, targets, warnings,
 * limits and the order of its checks. tests/nlbEndpoint.test.ts covers the component built on it.
 */
import {
  checkNlbTarget,
  NLB_ENDPOINT_DEFAULTS,
  NlbEndpointSpec,
  nlbEndpointValues,
  planNlbEndpoint,
  planNlbLayout,
  planNlbSettings,
  planNlbTargets,
  WORKER_TALOS_API_LISTENER_PORT,
} from "../src/render/nlb";
import { nlbSpecFixture } from "./helpers/stacks";
import { inputErrorOf } from "./helpers/errors";

/** The base NLB inputs (two control planes, one worker); see tests/helpers/stacks.ts. */
const spec = nlbSpecFixture;

describe("planNlbEndpoint", () => {
  test("the layout: every child's resource name and fixed values, in creation order", () => {
    const { layout } = planNlbEndpoint("api", spec());
    expect(layout.securityGroup).toEqual({
      resourceName: "api-nlb-sg",
      description: "Talos control-plane NLB: 6443, 50000, 50001 from admin CIDRs and the VPC",
    });
    const peers = [
      { tag: "vpc", label: "VPC", peer: "vpc" },
      { tag: "198-51-100-7-32", label: "admin 198.51.100.7/32", peer: "admin", cidr: "198.51.100.7/32" },
      { tag: "203-0-113-0-24", label: "admin 203.0.113.0/24", peer: "admin", cidr: "203.0.113.0/24" },
    ];
    const service: Record<number, string> = { 6443: "Kubernetes API", 50000: "Talos API", 50001: "worker Talos API" };
    const rule = (resourceName: string, direction: string, securityGroup: string, port: number, p: (typeof peers)[number], d: string) => ({
      resourceName,
      direction,
      securityGroup,
      ipProtocol: "tcp",
      port,
      peer: p.peer,
      ...(p.cidr ? { cidr: p.cidr } : {}),
      description: d,
    });
    expect(layout.securityGroupRules).toEqual([
      ...[6443, 50000, 50001].flatMap((port) =>
        peers.map((p) => rule(`api-nlb-sg-in-${port}-${p.tag}`, "ingress", "nlb", port, p, `${service[port]} from ${p.label}`)),
      ),
      ...[6443, 50000].flatMap((port) => [
        rule(`api-nlb-sg-out-${port}-vpc`, "egress", "nlb", port, peers[0], `${service[port]} to targets in the VPC`),
        ...peers.map((p) =>
          rule(`api-instance-sg-in-${port}-${p.tag}`, "ingress", "instances", port, p, `${service[port]} via NLB from ${p.label}`),
        ),
      ]),
    ]);
    expect(layout.loadBalancer).toEqual({ resourceName: "api-nlb", loadBalancerType: "network", ipAddressType: "ipv4" });
    const healthCheck = { enabled: true, protocol: "TCP", port: "traffic-port" };
    const tg = { protocol: "TCP", targetType: "instance", healthCheck };
    expect(layout.targetGroups).toEqual([
      { key: "kubernetesApi", resourceName: "api-api-tg", port: 6443, ...tg },
      { key: "talosApi", resourceName: "api-apid-tg", port: 50000, ...tg },
      { key: "workerTalosApi", resourceName: "api-wk-apid-tg", port: 50000, ...tg },
    ]);
    expect(layout.listeners).toEqual([
      { resourceName: "api-listener-6443", port: 6443, protocol: "TCP", actionType: "forward", targetGroup: "kubernetesApi" },
      { resourceName: "api-listener-50000", port: 50000, protocol: "TCP", actionType: "forward", targetGroup: "talosApi" },
      { resourceName: "api-listener-50001", port: 50001, protocol: "TCP", actionType: "forward", targetGroup: "workerTalosApi" },
    ]);
    expect(layout.attachments).toEqual([
      { resourceName: "api-cp-cp-01-6443", targetGroup: "kubernetesApi", port: 6443, role: "controlPlane", index: 0 },
      { resourceName: "api-cp-cp-01-50000", targetGroup: "talosApi", port: 50000, role: "controlPlane", index: 0 },
      { resourceName: "api-cp-cp-02-6443", targetGroup: "kubernetesApi", port: 6443, role: "controlPlane", index: 1 },
      { resourceName: "api-cp-cp-02-50000", targetGroup: "talosApi", port: 50000, role: "controlPlane", index: 1 },
      { resourceName: "api-wk-wk-01-50000", targetGroup: "workerTalosApi", port: 50000, role: "worker", index: 0 },
    ]);
    expect(WORKER_TALOS_API_LISTENER_PORT).toBe(50001);
  });

  test("the settings: AWS names, subnets, attributes and health checks", () => {
    const { settings, warnings } = planNlbEndpoint("api", spec());
    expect(settings).toEqual({
      loadBalancerName: "prod-talos-api-nlb",
      securityGroupName: "prod-talos-api-nlb-sg",
      targetGroupNames: { kubernetesApi: "prod-talos-api-tg", talosApi: "prod-talos-apid-tg", workerTalosApi: "prod-talos-wk-apid-tg" },
      vpcId: "vpc-0abc",
      vpcCidr: "10.0.0.0/16",
      subnetIds: ["subnet-a", "subnet-b", "subnet-c"],
      internal: false,
      allowPublicAccess: false,
      instanceSecurityGroupId: "sg-nodes",
      allowedAdminCidrs: ["198.51.100.7/32", "203.0.113.0/24"],
      enableDeletionProtection: false,
      enableCrossZoneLoadBalancing: true,
      preserveClientIp: "true",
      deregistrationDelay: 30,
      healthCheck: { interval: 5, timeout: 3, healthyThreshold: 2, unhealthyThreshold: 2 },
      warnings: [],
    });
    expect(warnings).toEqual([]);
  });

  test("the targets: instance IDs and the control planes' addresses, in input order", () => {
    const { targets } = planNlbEndpoint("api", spec());
    expect(targets).toEqual({
      controlPlanes: [
        { role: "controlPlane", index: 0, field: "controlPlaneInstances[0]", name: "cp-01", instanceId: "i-cp01", privateIp: "10.0.1.10" },
        { role: "controlPlane", index: 1, field: "controlPlaneInstances[1]", name: "cp-02", instanceId: "i-cp02", privateIp: "10.0.2.10" },
      ],
      workers: [{ role: "worker", index: 0, field: "workerInstances[0]", name: "wk-01", instanceId: "i-wk01" }],
      talosApiEndpoints: ["10.0.1.10", "10.0.2.10"],
    });
  });

  test("the plan is plain data (survives JSON)", () => {
    const plan = planNlbEndpoint("api", spec());
    expect(JSON.parse(JSON.stringify(plan))).toEqual(plan);
  });

  test("defaults: the values of NLB_ENDPOINT_DEFAULTS", () => {
    const { settings, layout } = planNlbEndpoint("x", {
      environment: "dev",
      vpcId: "vpc-1",
      vpcCidr: "10.1.0.0/16",
      subnetIds: ["subnet-a", "subnet-b"],
      instanceSecurityGroupId: "sg-1",
      controlPlaneInstances: [{ name: "cp-01", instanceId: "i-1", privateIp: "10.1.0.10" }],
    });
    const d = NLB_ENDPOINT_DEFAULTS;
    expect(settings).toMatchObject({
      internal: d.internal,
      allowPublicAccess: d.allowPublicAccess,
      enableDeletionProtection: d.enableDeletionProtection,
      enableCrossZoneLoadBalancing: d.enableCrossZoneLoadBalancing,
      preserveClientIp: String(d.preserveClientIp),
      deregistrationDelay: d.deregistrationDelay,
      healthCheck: {
        interval: d.healthCheckInterval,
        timeout: d.healthCheckTimeout,
        healthyThreshold: d.healthyThreshold,
        unhealthyThreshold: d.unhealthyThreshold,
      },
      allowedAdminCidrs: [],
    });
    expect(settings.internal).toBe(true);
    expect(layout.securityGroupRules.map((r) => r.resourceName)).toEqual([
      "x-nlb-sg-in-6443-vpc",
      "x-nlb-sg-in-50000-vpc",
      "x-nlb-sg-in-50001-vpc",
      "x-nlb-sg-out-6443-vpc",
      "x-instance-sg-in-6443-vpc",
      "x-nlb-sg-out-50000-vpc",
      "x-instance-sg-in-50000-vpc",
    ]);
    expect(layout.workerInstances).toEqual([]);
    expect(layout.attachments.map((a) => a.resourceName)).toEqual(["x-cp-cp-01-6443", "x-cp-cp-01-50000"]);
  });

  test("warnings: 0.0.0.0/0 with the opt-in, and a single subnet", () => {
    const { warnings } = planNlbEndpoint("api", {
      ...spec(),
      subnetIds: ["subnet-a"],
      allowPublicAccess: true,
      allowedAdminCidrs: ["198.51.100.7/32", "0.0.0.0/0"],
    });
    expect(warnings).toEqual([
      "allowedAdminCidrs[1]: 0.0.0.0/0 opens the Kubernetes API (6443) and the Talos API (50000, 50001) to the whole internet (allowPublicAccess: true)",
      "subnetIds: one subnet, so the NLB serves one Availability Zone; losing that zone loses the endpoint",
    ]);
  });

  test("the first error wins, in plan order: layout, settings, each instance, then across instances", () => {
    const bad = spec();
    bad.environment = "prod_eu";
    bad.controlPlaneInstances = [{ ...bad.controlPlaneInstances[0], instanceId: "" }, { ...bad.controlPlaneInstances[0] }];
    bad.allowedAdminCidrs = ["10.0.0.1/16"];
    expect(inputErrorOf(() => planNlbEndpoint("api", bad)).field).toBe("controlPlaneInstances[1].name");
    bad.controlPlaneInstances[1].name = "cp-02";
    expect(inputErrorOf(() => planNlbEndpoint("api", bad)).field).toBe("allowedAdminCidrs[0]");
    bad.allowedAdminCidrs = [];
    expect(inputErrorOf(() => planNlbEndpoint("api", bad)).field).toBe("environment");
    bad.environment = "prod";
    expect(inputErrorOf(() => planNlbEndpoint("api", bad)).field).toBe("allowedAdminCidrs");
    bad.internal = true;
    expect(inputErrorOf(() => planNlbEndpoint("api", bad)).field).toBe("controlPlaneInstances[0].instanceId");
    bad.controlPlaneInstances[0].instanceId = "i-cp01";
    const dup = inputErrorOf(() => planNlbEndpoint("api", bad));
    expect([dup.field, dup.message]).toEqual([
      "controlPlaneInstances[1].instanceId",
      'controlPlaneInstances[1].instanceId: "i-cp01" is also the instance of controlPlaneInstances[0]',
    ]);
  });
});

describe("the parts of the plan", () => {
  test("the layout needs only the plain-typed inputs (names and admin CIDRs)", () => {
    const layout = planNlbLayout("lb", { controlPlaneInstances: [{ name: "a" }], workerInstances: [{ name: "b" }], allowedAdminCidrs: [] });
    expect(layout.controlPlaneInstances).toEqual([{ role: "controlPlane", index: 0, field: "controlPlaneInstances[0]", name: "a" }]);
    expect(layout.attachments.map((a) => a.resourceName)).toEqual(["lb-cp-a-6443", "lb-cp-a-50000", "lb-wk-b-50000"]);
    expect(layout.allowedAdminCidrsInput).toEqual([]);
  });

  test("the layout canonicalises admin CIDRs and names them in rule names", () => {
    const layout = planNlbLayout("lb", { controlPlaneInstances: [{ name: "a" }], allowedAdminCidrs: ["2001:db8:0::/48"] });
    expect(layout.allowedAdminCidrs).toEqual([
      { field: "allowedAdminCidrs[0]", value: "2001:db8:0::/48", cidr: "2001:db8::/48", family: "ipv6", prefix: 48 },
    ]);
    expect(layout.securityGroupRules[1].resourceName).toBe("lb-nlb-sg-in-6443-2001-db8---48");
    // IPv6 is a policy error, raised with the other inputs by planNlbSettings.
    const err = inputErrorOf(() => planNlbSettings(layout, { ...spec(), internal: true }));
    expect([err.field, err.message]).toEqual([
      "allowedAdminCidrs[0]",
      'allowedAdminCidrs[0]: "2001:db8:0::/48" is an IPv6 range; the NLB is IPv4-only and instance targets would see IPv6 clients as the NLB\'s own address',
    ]);
  });

  test("checkNlbTarget: IPv4 private addresses only, for control planes; workers have none", () => {
    const cp = { role: "controlPlane" as const, index: 1, field: "controlPlaneInstances[1]", name: "cp-02" };
    expect(checkNlbTarget(cp, { instanceId: "i-2", privateIp: "10.0.2.10" })).toEqual({ ...cp, instanceId: "i-2", privateIp: "10.0.2.10" });
    const v6 = inputErrorOf(() => checkNlbTarget(cp, { instanceId: "i-2", privateIp: "2001:db8::10" }));
    expect(v6.message).toBe('controlPlaneInstances[1].privateIp: "2001:db8::10" must be the instance\'s private IPv4 address');
    const missing = inputErrorOf(() => checkNlbTarget(cp, { instanceId: "i-2" }));
    expect(missing.field).toBe("controlPlaneInstances[1].privateIp");
    expect(missing.message).toMatch(/^controlPlaneInstances\[1\]\.privateIp: \(not set\) /);
    const wk = { role: "worker" as const, index: 0, field: "workerInstances[0]", name: "wk-01" };
    expect(checkNlbTarget(wk, { instanceId: "i-9", privateIp: "ignored" })).toEqual({ ...wk, instanceId: "i-9" });
    expect(inputErrorOf(() => checkNlbTarget(wk, { instanceId: " i-9" })).field).toBe("workerInstances[0].instanceId");
  });

  test("planNlbTargets: an address used twice names the later instance", () => {
    const t = (index: number, privateIp: string) => ({
      role: "controlPlane" as const,
      index,
      field: `controlPlaneInstances[${index}]`,
      name: `cp-0${index + 1}`,
      instanceId: `i-${index}`,
      privateIp,
    });
    expect(planNlbTargets([t(0, "10.0.0.10"), t(1, "10.0.0.11")], []).talosApiEndpoints).toEqual(["10.0.0.10", "10.0.0.11"]);
    expect(inputErrorOf(() => planNlbTargets([t(0, "10.0.0.10"), t(1, "10.0.0.10")], [])).message).toBe(
      'controlPlaneInstances[1].privateIp: "10.0.0.10" is also the address of controlPlaneInstances[0]',
    );
  });

  test("nlbEndpointValues: the endpoint outputs from the DNS name", () => {
    expect(nlbEndpointValues("x.elb.us-east-1.amazonaws.com")).toEqual({
      endpoint: "x.elb.us-east-1.amazonaws.com",
      kubernetesApiUrl: "https://x.elb.us-east-1.amazonaws.com:6443",
      talosApiEndpoint: "x.elb.us-east-1.amazonaws.com:50000",
    });
  });
});

describe("limits", () => {
  // The figures below are AWS's documented ones (the sources are cited in src/render/nlb/limits.ts),
  // written out here rather than read from the constants, so a wrong constant makes these fail.
  test("the AWS figures: each range accepted at both ends and refused one past each, naming the field", () => {
    const at = (change: Partial<NlbEndpointSpec>) => () => planNlbEndpoint("api", { ...spec(), ...change });
    const ranges: [keyof NlbEndpointSpec, number, number, Partial<NlbEndpointSpec>][] = [
      ["healthCheckInterval", 5, 300, { healthCheckTimeout: 2 }], // CreateTargetGroup: 5-300 s
      ["healthCheckTimeout", 2, 120, { healthCheckInterval: 300 }], // CreateTargetGroup: 2-120 s
      ["healthyThreshold", 2, 10, {}], // CreateTargetGroup: 2-10
      ["unhealthyThreshold", 2, 10, {}], // CreateTargetGroup: 2-10
      ["deregistrationDelay", 0, 3600, {}], // TargetGroupAttribute: 0-3600 s
    ];
    for (const [field, min, max, rest] of ranges) {
      expect(at({ ...rest, [field]: min })).not.toThrow();
      expect(at({ ...rest, [field]: max })).not.toThrow();
      for (const bad of [min - 1, max + 1]) {
        const err = inputErrorOf(at({ ...rest, [field]: bad }));
        expect(err.field).toBe(field);
        expect(err.message).toContain(`from ${min} to ${max}`);
      }
    }
    // CreateVpc: a VPC's IPv4 block is /16 to /28.
    expect(at({ vpcCidr: "10.0.0.0/16" })).not.toThrow();
    expect(at({ vpcCidr: "10.0.0.0/28" })).not.toThrow();
    for (const bad of ["10.0.0.0/15", "10.0.0.0/29"]) {
      const err = inputErrorOf(at({ vpcCidr: bad }));
      expect(err.field).toBe("vpcCidr");
      expect(err.message).toContain("/16 to /28");
    }
    // CreateLoadBalancer / CreateTargetGroup: names of at most 32 characters; the longest suffix,
    // "-talos-wk-apid-tg", takes 17, so 15 characters of environment.
    expect(at({ environment: "a".repeat(15) })).not.toThrow();
    const long = inputErrorOf(at({ environment: "a".repeat(16) }));
    expect(long.field).toBe("environment");
    expect(long.message).toContain(`${"a".repeat(16)}-talos-wk-apid-tg would be 33, and AWS allows at most 32; use at most 15 characters`);
    // CreateLoadBalancer: no name beginning with "internal-" (any case).
    const internal = inputErrorOf(at({ environment: "Internal" }));
    expect(internal.field).toBe("environment");
    expect(internal.message).toContain('AWS rejects names beginning with "internal-"');
    // CreateSecurityGroup: no name beginning with "sg-" (any case).
    const sg = inputErrorOf(at({ environment: "SG-prod" }));
    expect(sg.field).toBe("environment");
    expect(sg.message).toContain('EC2 rejects names beginning with "sg-"');
  });

  test("each limit is enforced at both ends, with the limit in the message", () => {
    const at = (change: Partial<NlbEndpointSpec>) => () => planNlbEndpoint("api", { ...spec(), ...change });
    expect(at({ healthCheckInterval: 300, healthCheckTimeout: 120, healthyThreshold: 10, unhealthyThreshold: 10 })).not.toThrow();
    expect(at({ healthCheckInterval: 5, healthCheckTimeout: 5, deregistrationDelay: 0 })).not.toThrow();
    expect(at({ deregistrationDelay: 3600 })).not.toThrow();
    expect(at({ vpcCidr: "10.0.0.0/28" })).not.toThrow();
    expect(at({ environment: "a".repeat(15) })).not.toThrow();
    expect(inputErrorOf(at({ vpcCidr: "10.0.0.0/29" })).message).toContain("/16 to /28");
    expect(inputErrorOf(at({ healthCheckInterval: 301 })).message).toContain("from 5 to 300 seconds");
    expect(inputErrorOf(at({ healthCheckInterval: 10, healthCheckTimeout: 11 })).message).toContain(
      "must not exceed healthCheckInterval (10 s)",
    );
    expect(inputErrorOf(at({ unhealthyThreshold: 11 })).message).toContain("from 2 to 10 checks");
    expect(inputErrorOf(at({ deregistrationDelay: 3601 })).message).toContain("from 0 to 3600 seconds");
    expect(inputErrorOf(at({ preserveClientIp: "yes" as unknown as boolean })).field).toBe("preserveClientIp");
  });
});
