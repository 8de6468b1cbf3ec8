import * as fs from "fs";
import { parseAllDocuments } from "yaml";
import { synth, SynthResult } from "../examples/stack/synth";
import { talosSchemaValidator } from "./helpers/reference";
import { readVariantConfig, removeVariants, stackVariant, synthVariant } from "./helpers/stacks";

afterAll(removeVariants);

describe("the aws example stack under mocks", () => {
  let result: SynthResult & { log: string[] };
  const DNS = "demo-talos-api-nlb-0123456789abcdef.elb.us-east-1.amazonaws.com";
  beforeAll(async () => {
    result = await synthVariant("aws");
  });
  const ofType = (t: string) => result.resources.filter((r) => r.type === t);

  test("exactly one load balancer, three target groups, three listeners, one attachment per instance and port", () => {
    expect(ofType("aws:lb/loadBalancer:LoadBalancer").map((r) => r.inputs.name)).toEqual(["demo-talos-api-nlb"]);
    expect(ofType("aws:lb/targetGroup:TargetGroup").map((r) => [r.inputs.name, r.inputs.port])).toEqual([
      ["demo-talos-api-tg", 6443],
      ["demo-talos-apid-tg", 50000],
      ["demo-talos-wk-apid-tg", 50000],
    ]);
    expect(
      ofType("aws:lb/listener:Listener")
        .map((r) => [r.inputs.port, r.inputs.protocol])
        .sort(),
    ).toEqual([
      [50000, "TCP"],
      [50001, "TCP"],
      [6443, "TCP"],
    ]);
    expect(
      ofType("aws:lb/targetGroupAttachment:TargetGroupAttachment")
        .map((r) => [r.inputs.targetId, r.inputs.port])
        .sort(),
    ).toEqual(
      [
        ["i-0aaaaaaaaaaaaaa01", 50000],
        ["i-0aaaaaaaaaaaaaa01", 6443],
        ["i-0aaaaaaaaaaaaaa02", 50000],
        ["i-0aaaaaaaaaaaaaa02", 6443],
        ["i-0aaaaaaaaaaaaaa03", 50000],
        ["i-0aaaaaaaaaaaaaa03", 6443],
        ["i-0bbbbbbbbbbbbbb01", 50000],
        ["i-0bbbbbbbbbbbbbb02", 50000],
      ].sort(),
    );
  });

  test("the NLB DNS name flows into the push: endpoint and both certSANs lists, no VIP or link config; patches validate for 1.13", () => {
    const validate = talosSchemaValidator("1.13");
    for (const node of ["cp-01", "cp-02", "cp-03"]) {
      // the patch applied on every push, then the certSANs part (sent only with the names the node lacks)
      const docs = parseAllDocuments(result.files[`talos/${node}.yaml`]).map((d) => d.toJS());
      expect(docs).toHaveLength(2);
      expect(docs[0].cluster.controlPlane.endpoint).toBe(`https://${DNS}:6443`);
      expect(docs[1].machine.certSANs).toEqual([DNS]);
      expect(docs[1].cluster.apiServer.certSANs).toEqual([DNS]);
      expect(docs.map((d) => d.machine?.network)).toEqual([undefined, undefined]);
      for (const doc of docs) expect(validate(doc)).toEqual([]);
    }
  });

  test("the push reaches the nodes on their private addresses and waits for the load balancer", () => {
    const cmds = ofType("command:local:Command");
    expect(cmds.map((c) => (c.inputs.create as string).match(/--nodes (\S+) --endpoints (\S+)/)!.slice(1))).toEqual([
      ["10.0.1.10", "10.0.1.10"],
      ["10.0.2.10", "10.0.2.10"],
      ["10.0.3.10", "10.0.3.10"],
    ]);
    const push = result.resources.find((r) => r.name === "talos-config")!;
    expect(push.dependsOn).toEqual(
      expect.arrayContaining(["control-plane-nlb", "control-plane-listener-6443", "control-plane-cp-cp-03-50000"]),
    );
  });

  test("outputs follow the seed's table and the endpoint contract; synth says the DNS name is a placeholder", () => {
    expect(result.outputs).toMatchObject({
      endpoint: DNS,
      loadBalancerDnsName: DNS,
      kubernetesApiEndpoint: `https://${DNS}:6443`,
      kubernetesApiUrl: `https://${DNS}:6443`,
      talosApiEndpoint: `${DNS}:50000`,
      talosApiEndpoints: ["10.0.1.10", "10.0.2.10", "10.0.3.10"],
    });
    expect(result.outputs.loadBalancerArn).toMatch(/^arn:aws:elasticloadbalancing:/);
    expect(result.log).toContain(
      "synth: aws:lb/loadBalancer:LoadBalancer control-plane-nlb: arn, dnsName, zoneId are placeholders (assigned by the provider on deployment)",
    );
  });
});

test("an internet-facing NLB open to 0.0.0.0/0 without opt-in stops synth with the field named", async () => {
  const dir = stackVariant("aws");
  const file = `${dir}/Pulumi.aws.yaml`;
  fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace("198.51.100.7/32", "0.0.0.0/0"));
  await expect(synth({ stack: "aws", projectDir: dir })).rejects.toThrow(/^allowedAdminCidrs\[0\]: "0\.0\.0\.0\/0"/);
});

describe("the aws stack config (a union on platform: keys of other platforms refused)", () => {
  test("reads the example as an AwsStackConfig: control planes with their instances, the NLB settings, the workers", () => {
    const cfg = readVariantConfig("aws");
    if (cfg.platform !== "aws") throw new Error(`platform ${cfg.platform}`);
    expect(cfg.controlPlanes.map((cp) => cp.instanceId)).toEqual(["i-0aaaaaaaaaaaaaa01", "i-0aaaaaaaaaaaaaa02", "i-0aaaaaaaaaaaaaa03"]);
    expect(cfg.aws).toMatchObject({ environment: "demo", internal: false, healthCheckInterval: 5 });
    expect(cfg.workers?.map((w) => w.name)).toEqual(["wk-01", "wk-02"]);
    expect(cfg).not.toHaveProperty("vip");
  });

  test("a missing aws key stops synth naming the key and the platform", async () => {
    await expect(synthVariant("aws", { aws: undefined })).rejects.toThrow(
      'talos-endpoints:aws: (not set) is required: platform "aws" needs it',
    );
  });

  test("a control plane without instanceId is refused with its index; a missing required NLB field with its path", () => {
    const controlPlanes = [
      { name: "cp-01", address: "10.0.1.10/24", instanceId: "i-0aaaaaaaaaaaaaa01" },
      { name: "cp-02", address: "10.0.2.10/24" },
    ];
    expect(() => readVariantConfig("aws", { controlPlanes })).toThrow(
      'talos-endpoints:controlPlanes[1].instanceId: (not set) is required: platform "aws" needs it',
    );
    const aws = { environment: "demo", vpcCidr: "10.0.0.0/16", subnetIds: ["subnet-1"], instanceSecurityGroupId: "sg-1" };
    expect(() => readVariantConfig("aws", { aws })).toThrow('talos-endpoints:aws.vpcId: (not set) is required: platform "aws" needs it');
  });

  test.each([
    [
      { vip: "10.0.1.5" },
      'talos-endpoints:vip: "10.0.1.5" is read only with platforms "proxmox" and "talosvip", not with platform "aws" (the endpoint is the NLB\'s DNS name): remove it',
    ],
    [
      { link: "eth0" },
      'talos-endpoints:link: "eth0" is read only with platforms "proxmox", "baremetal" and "talosvip", not with platform "aws" (the nodes get no link config behind the NLB): remove it',
    ],
    [
      { proxmoxApiToken: { secure: "AAAA" } },
      'talos-endpoints:proxmoxApiToken: "[secret]" is read only with platform "proxmox", not with platform "aws": remove it',
    ],
    [
      { loadBalancer: { mode: "ha-pair" } },
      'talos-endpoints:loadBalancer: {"mode":"ha-pair"} is read only with platform "baremetal", not with platform "aws": remove it',
    ],
  ])("a key of another platform is refused, not ignored: %j", (changes, message) => {
    expect(() => readVariantConfig("aws", changes)).toThrow(message);
  });

  test("a key of another platform stops synth too, before any resource", async () => {
    await expect(synthVariant("aws", { vip: "10.0.1.5" })).rejects.toThrow(
      /^talos-endpoints:vip: "10\.0\.1\.5" is read only with platforms "proxmox" and "talosvip"/,
    );
  });

  test("an unknown NLB field (a typo) is refused instead of falling back to the default", () => {
    const doc = readVariantConfig("aws");
    if (doc.platform !== "aws") throw new Error(`platform ${doc.platform}`);
    expect(() => readVariantConfig("aws", { aws: { ...doc.aws, healthCheckIntervall: 10 } })).toThrow(
      'talos-endpoints:aws.healthCheckIntervall: 10 is not a field of talos-endpoints:aws (platform "aws"); fields: environment, ',
    );
  });
});
