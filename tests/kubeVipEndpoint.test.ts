/**
 * KubeVipEndpoint under Pulumi's mocks: the endpoint contract (talosApiEndpoints are the nodes,
 * never the VIP), the Talos patch that flows into TalosConfigPush, secrets, warnings, and bad
 * inputs refused before any resource is registered (or when Outputs resolve).
 */
import * as pulumi from "@pulumi/pulumi";
import { parse, parseAllDocuments } from "yaml";
import { KubeVipEndpoint, KubeVipEndpointArgs, kubeVipSpec } from "../src/components/KubeVipEndpoint";
import { isPlain } from "../src/components/inputs";
import { KubeVipSpec, renderKubeVip } from "../src/render/kubevip";
import { TalosConfigPush } from "../src/components/TalosConfigPush";
import { installMocks, MockRecorder } from "../examples/stack/mockRuntime";
import { valueOf } from "./helpers/outputs";

const controlPlanes = [
  { name: "cp-01", address: "192.168.30.31/24" },
  { name: "cp-02", address: "192.168.30.32/24" },
  { name: "cp-03", address: "192.168.30.33/24" },
];

const arpArgs = (): KubeVipEndpointArgs => ({
  talosVersion: "1.12",
  controlPlanes,
  vip: "192.168.30.30",
  mode: "arp",
  loadBalancer: { enabled: true, forwardingMethod: "local" },
  services: { enabled: true, classOnly: true },
});

const bgpArgs = (): KubeVipEndpointArgs => ({
  talosVersion: "1.13",
  controlPlanes,
  vip: "10.30.0.1",
  mode: "bgp",
  // A plain string on purpose: the component itself must keep it secret.
  bgp: { localASN: 64512, peers: [{ address: "192.168.30.1", asn: 64500, password: "s3cret" }] },
});

const isSecret = (o: pulumi.Output<unknown>) => (o as unknown as { isSecret: Promise<boolean> }).isSecret;

let rec: MockRecorder;
beforeEach(async () => {
  rec = await installMocks("talos-endpoints", "test");
});

test("publishes the endpoint contract (node addresses for talosctl, never the VIP) and registers only itself", async () => {
  const ep = new KubeVipEndpoint("cp", arpArgs());
  expect(await valueOf(ep.endpoint)).toBe("192.168.30.30");
  expect(await valueOf(ep.vip)).toBe("192.168.30.30");
  expect(await valueOf(ep.kubernetesApiUrl)).toBe("https://192.168.30.30:6443");
  expect(await valueOf(ep.talosApiEndpoints)).toEqual(["192.168.30.31", "192.168.30.32", "192.168.30.33"]);
  expect(await valueOf(ep.loadBalancerClass)).toBe("kube-vip.io/kube-vip-class");
  const kinds = parseAllDocuments(await valueOf(ep.manifests)).map((d) => d.toJS().kind);
  expect(kinds).toEqual(["ServiceAccount", "ClusterRole", "ClusterRoleBinding", "DaemonSet"]);
  const patch = parse(await valueOf(ep.talosPatch));
  expect(patch.cluster.inlineManifests.map((m: { name: string }) => m.name)).toEqual(["kube-vip"]);
  expect(await isSecret(ep.talosPatch)).toBe(false);
  const resources = await rec.settle();
  expect(resources.map((r) => [r.type, r.name, r.parent])).toEqual([["talos-endpoints:index:KubeVipEndpoint", "cp", null]]);
});

test("its patch flows into TalosConfigPush: every node's patch carries the kube-vip inline manifest and the endpoint", async () => {
  const ep = new KubeVipEndpoint("cp", arpArgs());
  const push = new TalosConfigPush("talos", {
    talosVersion: "1.12",
    controlPlanes,
    endpoint: ep.endpoint,
    extraPatch: ep.talosPatch,
    talosconfig: "context: x\ncontexts:\n  x: {}\n",
  });
  const patches = await valueOf(push.patches);
  for (const node of ["cp-01", "cp-02", "cp-03"]) {
    // The main patch, then the one-shot parts (an inline manifest is added only while the node lacks it).
    const docs = parseAllDocuments(patches[node]).map((d) => d.toJS());
    expect(docs[0].cluster.controlPlane.endpoint).toBe("https://192.168.30.30:6443");
    const manifests = docs.flatMap((d) => d?.cluster?.inlineManifests ?? []);
    expect(manifests.map((m: { name: string }) => m.name)).toEqual(["kube-vip"]);
    expect(manifests[0].contents).toContain("kind: DaemonSet");
    // No Talos native VIP: kube-vip holds the address.
    expect(JSON.stringify(docs.map((d) => d?.machine?.network ?? {}))).not.toContain("192.168.30.30");
  }
  await rec.settle();
});

test("a BGP password makes talosPatch a secret (the Secret is in it) and stays out of the public outputs", async () => {
  const ep = new KubeVipEndpoint("cp", bgpArgs());
  expect(await isSecret(ep.talosPatch)).toBe(true);
  expect(await isSecret(ep.manifests)).toBe(false);
  expect(await isSecret(ep.endpoint)).toBe(false);
  expect(await valueOf(ep.manifests)).not.toContain("s3cret");
  expect(await valueOf(ep.talosPatch)).toContain("bgp_peers: 192.168.30.1:64500:s3cret:false:179");
  expect(await valueOf(ep.loadBalancerClass)).toBeUndefined();
  await rec.settle();
});

const bad: [string, Partial<KubeVipEndpointArgs>, string][] = [
  [
    "VIP outside the subnet (arp)",
    { vip: "192.168.40.30" },
    'vip: "192.168.40.30" is outside the subnet 192.168.30.0/24 of controlPlanes[0] (cp-01)',
  ],
  [
    "renew deadline not below the lease",
    { leaseDurationSeconds: 5, renewDeadlineSeconds: 5 },
    "renewDeadlineSeconds: 5 must be less than leaseDurationSeconds (5)",
  ],
  [
    "retry not below the renew deadline",
    { retryPeriodSeconds: 10 },
    "retryPeriodSeconds: 10 must be less than renewDeadlineSeconds / 1.2 (10 / 1.2)",
  ],
  ["IPVS with kube-proxy IPVS", { kubeProxyMode: "ipvs" }, 'loadBalancer.enabled: true conflicts with kubeProxyMode ("ipvs")'],
  ["bgp mode without bgp", { mode: "bgp" }, "bgp: (not set) must be set in bgp mode"],
];

test.each(bad)("refuses %s before any resource is registered", async (_label, override, message) => {
  expect(() => new KubeVipEndpoint("cp", { ...arpArgs(), ...override })).toThrow(message);
  expect(await rec.settle()).toEqual([]);
});

test("refuses an ASN out of range and an empty password before registering anything", async () => {
  const args = bgpArgs();
  expect(() => new KubeVipEndpoint("cp", { ...args, bgp: { ...args.bgp!, localASN: 4294967296 } })).toThrow(
    "bgp.localASN: 4294967296 must be an AS number, an integer from 1 to 4294967295",
  );
  expect(
    () => new KubeVipEndpoint("cp", { ...args, bgp: { localASN: 1, peers: [{ address: "192.168.30.1", asn: 2, password: "" }] } }),
  ).toThrow('bgp.peers[0].password: "" must be a non-empty string');
  expect(await rec.settle()).toEqual([]);
});

test("values may arrive as Outputs: they are checked when they resolve", async () => {
  const good = new KubeVipEndpoint("late", { ...arpArgs(), vip: pulumi.output("192.168.30.29") });
  expect(await valueOf(good.kubernetesApiUrl)).toBe("https://192.168.30.29:6443");
  const spec = kubeVipSpec({ ...arpArgs(), vip: pulumi.output("192.168.99.1") });
  expect(isPlain(spec)).toBe(false);
  // The chain checks the resolved values with the same renderer:
  expect(() => renderKubeVip({ ...(spec as unknown as KubeVipSpec), vip: "192.168.99.1" })).toThrow(
    'vip: "192.168.99.1" is outside the subnet 192.168.30.0/24 of controlPlanes[0] (cp-01)',
  );
  // (A component built with that value makes every output reject; Pulumi reports it as a failed
  // update. It is not constructed here: its rejected intermediate Outputs would crash jest.)
  await rec.settle();
});

test("warnings: Services without classOnly are logged and exported", async () => {
  const warn = jest.spyOn(pulumi.log, "warn").mockImplementation(() => Promise.resolve());
  const ep = new KubeVipEndpoint("cp", { ...arpArgs(), services: { enabled: true } });
  const warnings = await valueOf(ep.warnings);
  expect(warnings.some((w) => w.startsWith("services.classOnly: false"))).toBe(true);
  await valueOf(ep.endpoint);
  await rec.settle();
  expect(warn.mock.calls.map((c) => c[0])).toEqual(warnings);
  warn.mockRestore();
});
