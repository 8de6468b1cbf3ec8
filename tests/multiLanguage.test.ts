/**
 * The components for every Pulumi language. `pulumi package add` gets the package's schema from
 * the Node.js language host, which runs `@pulumi/pulumi`'s component analyzer on the source;
 * tests/helpers/schema.ts runs that same analyzer in-process (the host binary cannot be built
 * here: docs/blocked.md). The test then generates the Python SDK with Pulumi's own code generator
 * (`.tools/bin/pulumi-gensdk`, built from pkg/v3/codegen) and imports it with python3 in the
 * pinned venv (`.tools/python`, the Pulumi Python SDK 3.248.0).
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { PackageSpec } from "@pulumi/pulumi/provider/experimental/schema";
import * as enums from "../src/render/enums";
import { LOAD_BALANCER_MODES, TUNING_PROFILES } from "../src/render/haproxyKeepalived/plan";
import { BALANCE_ALGORITHMS } from "../src/render/haproxyKeepalived/haproxyConfig";
import { KUBE_PROXY_MODES, METALLB_DELIVERIES, METALLB_MODES } from "../src/render/metallb/types";
import { SELECTOR_OPERATORS } from "../src/render/metallb/validate";
import { CILIUM_DELIVERIES, CILIUM_MODES } from "../src/render/cilium/types";
import { KUBE_VIP_FORWARDING_METHODS, KUBE_VIP_MODES } from "../src/render/kubevip/types";
import { APPLY_MODES } from "../src/render/talos/talosctl";
import { LINK_ADDRESSINGS } from "../src/render/talos/patch";
import { ensurePulumiCli, REPO_ROOT, TOOLS_ROOT } from "./helpers/engine";
import { exportedComponents, packageSchema } from "./helpers/schema";

jest.setTimeout(240_000);

const COMPONENTS = [
  "CiliumServices",
  "HaproxyKeepalivedEndpoint",
  "KubeVipEndpoint",
  "MetalLbServices",
  "NlbEndpoint",
  "TalosConfigPush",
  "TalosVipEndpoint",
];
const token = (name: string) => `talos-endpoints:index:${name}`;

type Property = { description?: string; $ref?: string; type?: string };
type Resource = {
  isComponent?: boolean;
  description?: string;
  inputProperties?: Record<string, Property>;
  properties?: Record<string, Property>;
  requiredInputs?: string[];
};

let schema: PackageSpec;
beforeAll(() => {
  schema = packageSchema();
});

test("the entry exports exactly the seven components, and the analyzer accepts every one", () => {
  expect(exportedComponents().sort()).toEqual(COMPONENTS);
  expect(Object.keys(schema.resources).sort()).toEqual(COMPONENTS.map(token));
  for (const name of COMPONENTS) expect((schema.resources[token(name)] as Resource).isComponent).toBe(true);
});

test("every input and output of every component is in the schema with its description", () => {
  const undocumented: string[] = [];
  for (const [tok, resource] of Object.entries(schema.resources) as [string, Resource][]) {
    for (const [kind, props] of [
      ["input", resource.inputProperties],
      ["output", resource.properties],
    ] as const) {
      for (const [name, p] of Object.entries(props ?? {})) if (!p.description?.trim()) undocumented.push(`${tok} ${kind} ${name}`);
    }
  }
  for (const [tok, type] of Object.entries(schema.types ?? {}) as [string, { properties?: Record<string, Property> }][]) {
    for (const [name, p] of Object.entries(type.properties ?? {})) if (!p.description?.trim()) undocumented.push(`${tok} property ${name}`);
  }
  expect(undocumented).toEqual([]);
});

test("the documented inputs of each component are there, required where the TypeScript args require them", () => {
  const r = (name: string) => schema.resources[token(name)] as Resource;
  expect(Object.keys(r("TalosVipEndpoint").inputProperties ?? {}).sort()).toEqual([
    "controlPlanes",
    "link",
    "linkSelector",
    "talosVersion",
    "vip",
  ]);
  expect(r("TalosVipEndpoint").requiredInputs?.sort()).toEqual(["controlPlanes", "talosVersion", "vip"]);
  expect(Object.keys(r("TalosVipEndpoint").properties ?? {}).sort()).toEqual(["endpoint", "kubernetesApiUrl", "talosApiEndpoints", "vip"]);
  expect(r("TalosConfigPush").inputProperties?.extraPatch).toMatchObject({ type: "string" });
  expect(r("TalosConfigPush").inputProperties?.mode).toMatchObject({ $ref: "#/types/talos-endpoints:index:ApplyMode" });
  expect(r("HaproxyKeepalivedEndpoint").inputProperties?.mode).toMatchObject({ $ref: "#/types/talos-endpoints:index:LoadBalancerMode" });
  expect(r("HaproxyKeepalivedEndpoint").inputProperties?.tuning).toMatchObject({
    $ref: "#/types/talos-endpoints:index:LoadBalancerTuningArgs",
  });
  expect(r("MetalLbServices").properties?.talosPatch).toMatchObject({ type: "string" });
  expect(Object.keys(r("CiliumServices").properties ?? {}).sort()).toEqual([
    "endpoint",
    "helmValues",
    "loadBalancerClass",
    "manifests",
    "talosPatch",
  ]);
  expect(r("CiliumServices").requiredInputs?.sort()).toEqual(["delivery", "mode", "pools", "workerCount"]);
  expect(r("CiliumServices").inputProperties?.mode).toMatchObject({ $ref: "#/types/talos-endpoints:index:CiliumMode" });
  expect(r("CiliumServices").inputProperties?.delivery).toMatchObject({ $ref: "#/types/talos-endpoints:index:CiliumDelivery" });
  expect(r("CiliumServices").inputProperties?.bgp).toMatchObject({ $ref: "#/types/talos-endpoints:index:CiliumBgpArgs" });
  expect(Object.keys(r("KubeVipEndpoint").properties ?? {}).sort()).toEqual([
    "endpoint",
    "kubernetesApiUrl",
    "loadBalancerClass",
    "manifests",
    "talosApiEndpoints",
    "talosPatch",
    "vip",
    "warnings",
  ]);
  expect(r("KubeVipEndpoint").requiredInputs?.sort()).toEqual(["controlPlanes", "mode", "talosVersion", "vip"]);
  expect(r("KubeVipEndpoint").inputProperties?.mode).toMatchObject({ $ref: "#/types/talos-endpoints:index:KubeVipMode" });
  expect(r("KubeVipEndpoint").inputProperties?.kubeProxyMode).toMatchObject({ $ref: "#/types/talos-endpoints:index:KubeProxyMode" });
  expect(r("KubeVipEndpoint").inputProperties?.bgp).toMatchObject({ $ref: "#/types/talos-endpoints:index:KubeVipBgpArgs" });
  expect((schema.types ?? {})["talos-endpoints:index:KubeVipLoadBalancerArgs"]).toMatchObject({
    properties: { forwardingMethod: { $ref: "#/types/talos-endpoints:index:KubeVipForwardingMethod" } },
  });
  // Only Outputs are public: no arrays of child resources leak into the schema.
  for (const name of COMPONENTS)
    expect(JSON.stringify(r(name).properties)).not.toMatch(/"pushes"|"commands"|command:(local|remote):Command/);
});

test.each([
  ["LoadBalancerMode", enums.LoadBalancerMode, LOAD_BALANCER_MODES],
  ["TuningProfile", enums.TuningProfile, TUNING_PROFILES],
  ["BalanceAlgorithm", enums.BalanceAlgorithm, BALANCE_ALGORITHMS],
  ["ApplyMode", enums.ApplyMode, APPLY_MODES],
  ["MetalLbMode", enums.MetalLbMode, METALLB_MODES],
  ["MetalLbDelivery", enums.MetalLbDelivery, METALLB_DELIVERIES],
  ["KubeProxyMode", enums.KubeProxyMode, KUBE_PROXY_MODES],
  ["LabelSelectorOperator", enums.LabelSelectorOperator, SELECTOR_OPERATORS],
  ["CiliumMode", enums.CiliumMode, CILIUM_MODES],
  ["CiliumDelivery", enums.CiliumDelivery, CILIUM_DELIVERIES],
  ["KubeVipMode", enums.KubeVipMode, KUBE_VIP_MODES],
  ["KubeVipForwardingMethod", enums.KubeVipForwardingMethod, KUBE_VIP_FORWARDING_METHODS],
  ["LinkAddressing", enums.LinkAddressing, LINK_ADDRESSINGS],
])("enum %s has exactly the values the renderers check", (_name, values, checked) => {
  expect(Object.values(values).sort()).toEqual([...checked].sort());
});

test("every enum in the schema has exactly its TypeScript values, and every member a description", () => {
  const types = (schema.types ?? {}) as Record<string, { type?: string; enum?: { name: string; value: unknown; description?: string }[] }>;
  const schemaEnums = Object.entries(types).filter(([, t]) => t.enum !== undefined);
  expect(schemaEnums.length).toBeGreaterThanOrEqual(10);
  for (const [tok, t] of schemaEnums) {
    const name = tok.split(":").pop()!;
    const ts = (enums as Record<string, Record<string, unknown>>)[name];
    expect([tok, ts === undefined]).toEqual([tok, false]);
    expect([tok, t.enum!.map((e) => e.value).sort()]).toEqual([tok, Object.values(ts).sort()]);
    expect([tok, t.enum!.filter((e) => !e.description?.trim()).map((e) => e.name)]).toEqual([tok, []]);
  }
});

test("enums reach the schema as enums with their values", () => {
  const applyMode = (schema.types ?? {})["talos-endpoints:index:ApplyMode"] as { type: string; enum: { value: string }[] };
  expect(applyMode.type).toBe("string");
  expect(applyMode.enum.map((e) => e.value).sort()).toEqual([...APPLY_MODES].sort());
  const vrrp = (schema.types ?? {})["talos-endpoints:index:VrrpVersion"] as { type: string; enum: { value: number }[] };
  expect(vrrp).toMatchObject({ type: "number" });
  expect(vrrp.enum.map((e) => e.value)).toEqual([2, 3]);
});

test("the Python SDK generated from the schema by Pulumi's code generator imports and carries the docs", () => {
  ensurePulumiCli();
  execFileSync("bash", [path.join(REPO_ROOT, "scripts", "ensure-tools.sh"), "pulumi-gensdk", "python"], { stdio: "inherit" });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "talos-endpoints-pysdk-"));
  try {
    fs.writeFileSync(path.join(dir, "schema.json"), JSON.stringify(schema));
    execFileSync(path.join(TOOLS_ROOT, "bin", "pulumi-gensdk"), [
      "-language",
      "python",
      "-schema",
      path.join(dir, "schema.json"),
      "-out",
      path.join(dir, "sdk"),
    ]);
    const python = path.join(TOOLS_ROOT, "python", "bin", "python");
    // Installed into a throwaway target, as `pulumi package add` installs it into a program's venv.
    execFileSync(python, [
      "-m",
      "pip",
      "install",
      "-q",
      "--no-deps",
      "--no-build-isolation",
      "--no-index",
      "--target",
      path.join(dir, "site"),
      path.join(dir, "sdk"),
    ]);
    const script = [
      "import inspect, json, pulumi_talos_endpoints as t",
      "doc = t.HaproxyKeepalivedEndpointArgs.__init__.__doc__",
      "print(json.dumps({",
      " 'classes': sorted(n for n in dir(t) if n in ('CiliumServices','KubeVipEndpoint','TalosVipEndpoint','HaproxyKeepalivedEndpoint','NlbEndpoint','MetalLbServices','TalosConfigPush')),",
      " 'mode': t.LoadBalancerMode.HA_PAIR.value, 'apply': t.ApplyMode.NO_REBOOT.value,",
      " 'params': sorted(inspect.signature(t.TalosConfigPushArgs.__init__).parameters),",
      " 'doc': 'the floating VIP' in doc }))",
    ].join("\n");
    const out = execFileSync(python, ["-c", script], { env: { ...process.env, PYTHONPATH: path.join(dir, "site") }, encoding: "utf8" });
    const result = JSON.parse(out.trim().split("\n").pop()!) as {
      classes: string[];
      mode: string;
      apply: string;
      params: string[];
      doc: boolean;
    };
    expect(result.classes).toEqual(COMPONENTS);
    expect(result.mode).toBe("ha-pair");
    expect(result.apply).toBe("no-reboot");
    expect(result.params).toEqual(
      expect.arrayContaining(["__self__", "control_planes", "endpoint", "extra_patch", "talosconfig", "talos_version"]),
    );
    expect(result.doc).toBe(true);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
