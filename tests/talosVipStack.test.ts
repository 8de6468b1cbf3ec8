/**
 * The talosvip example stack (Talos's own VIP on existing bare-metal machines listed by address,
 * generated configs) under Pulumi's mock runtime, through synth.
 */
import * as fs from "fs";
import * as path from "path";
import { parseAllDocuments } from "yaml";
import { SynthResult } from "../examples/stack/synth";
import { talosSchemaValidator } from "./helpers/reference";
import { readVariantConfig, removeVariants, synthVariant } from "./helpers/stacks";

afterAll(removeVariants);

describe("the talosvip example stack", () => {
  let result: SynthResult;
  beforeAll(async () => {
    result = await synthVariant("talosvip");
  });

  test("nothing is created for the machines: the endpoint, then secrets, talosconfig, control planes one at a time, the worker, kubeconfig", () => {
    expect(result.resources.map((r) => [r.type, r.name]).sort()).toEqual(
      [
        ["pulumi:pulumi:Stack", "talos-endpoints-talosvip"],
        ["talos-endpoints:index:TalosVipEndpoint", "control-plane"],
        ["talos-endpoints:index:TalosConfigPush", "talos-config"],
        ...["secrets", "talosconfig", "cp-01", "cp-02", "cp-03", "wk-01", "kubeconfig"].map((n) => [
          "command:local:Command",
          `talos-config-${n}`,
        ]),
      ].sort(),
    );
    const deps = Object.fromEntries(result.resources.map((r) => [r.name, [...r.dependsOn].sort()]));
    expect(deps["talos-config-cp-01"]).toEqual(["talos-config-secrets", "talos-config-talosconfig"]);
    expect(deps["talos-config-cp-03"]).toEqual(["talos-config-cp-02", "talos-config-secrets", "talos-config-talosconfig"]);
    expect(deps["talos-config-wk-01"]).toEqual(["talos-config-cp-03", "talos-config-secrets", "talos-config-talosconfig"]);
    expect(result.placeholders).toEqual([]);
    expect(result.outputs).toMatchObject({
      endpoint: "192.168.30.30",
      talosApiEndpoints: ["192.168.30.31", "192.168.30.32", "192.168.30.33"],
      talosconfig: "[secret]",
      kubeconfig: "[secret]",
    });
  });

  test("each node's patches validate against Talos 1.12's schema; the VIP is a Layer2VIPConfig on eno1; the order is in topology.md", () => {
    const validate = talosSchemaValidator("1.12");
    for (const node of ["cp-01", "cp-02", "cp-03", "wk-01"]) {
      const docs = parseAllDocuments(result.files[`talos/${node}.yaml`]).map((d) => d.toJS());
      for (const doc of docs) expect(validate(doc)).toEqual([]);
      const vip = docs.find((d) => d.kind === "Layer2VIPConfig");
      if (node.startsWith("cp"))
        expect(vip).toEqual({ apiVersion: "v1alpha1", kind: "Layer2VIPConfig", name: "192.168.30.30", link: "eno1" });
      else expect(vip).toBeUndefined();
    }
    expect(result.files["talos/wk-01.talosctl.txt"]).toContain("--output-types worker");
    const topology = fs.readFileSync(path.join(result.outDir, "topology.md"), "utf8");
    expect(topology).toContain("2. cp-01 (192.168.30.31): gen config controlplane, apply-config, bootstrap etcd once");
  });

  test("configSource patch: the push patches the control planes, then the worker's endpoint, with the cluster's talosconfig (a placeholder in synth)", async () => {
    const patch = await synthVariant("talosvip", { configSource: "patch" });
    expect(patch.placeholders).toEqual(["talos-endpoints:talosconfig"]);
    expect(
      patch.resources
        .filter((r) => r.type === "command:local:Command")
        .map((r) => r.name)
        .sort(),
    ).toEqual(["talos-config-cp-01", "talos-config-cp-02", "talos-config-cp-03", "talos-config-wk-01"]);
    expect(parseAllDocuments(patch.files["talos/wk-01.yaml"]).map((d) => d.toJS())).toEqual([
      {
        machine: { features: { kubePrism: { enabled: true, port: 7445 } } },
        cluster: { controlPlane: { endpoint: "https://192.168.30.30:6443" } },
      },
    ]);
  });

  test("Proxmox keys are refused on talosvip", () => {
    expect(() => readVariantConfig("talosvip", { proxmox: { nodeName: "pve" } })).toThrow(
      'talos-endpoints:proxmox: {"nodeName":"pve"} is read only with platform "proxmox", not with platform "talosvip": remove it',
    );
  });
});
