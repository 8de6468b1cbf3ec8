import * as fs from "fs";
import { parseAllDocuments } from "yaml";
import { synth, SynthResult } from "../examples/stack/synth";
import { talosSchemaValidator } from "./helpers/reference";
import { removeVariants, stackVariant, synthVariant } from "./helpers/stacks";

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
      const docs = parseAllDocuments(result.files[`talos/${node}.yaml`]).map((d) => d.toJS());
      expect(docs).toHaveLength(1);
      expect(docs[0].cluster.controlPlane.endpoint).toBe(`https://${DNS}:6443`);
      expect(docs[0].machine.certSANs).toEqual([DNS]);
      expect(docs[0].cluster.apiServer.certSANs).toEqual([DNS]);
      expect(docs[0].machine.network).toBeUndefined();
      expect(validate(docs[0])).toEqual([]);
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
