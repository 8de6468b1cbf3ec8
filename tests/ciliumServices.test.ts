/**
 * CiliumServices under Pulumi's mocks: the children of each delivery (resource types carry the
 * apiVersion of the Cilium minor), secrets, outputs, and rejection of bad inputs before any
 * resource is registered.
 */
import * as pulumi from "@pulumi/pulumi";
import { parse, parseAllDocuments } from "yaml";
import { CiliumServices, CiliumServicesArgs, ciliumServicesSpec } from "../src/components/CiliumServices";
import { isPlain } from "../src/components/inputs";
import { CiliumSpec, CiliumTalosPatch, renderCilium, renderCiliumBgpPasswordSecret, renderCiliumTalosPatch } from "../src/render/cilium";
import { MockRecorder } from "../examples/stack/mockRuntime";
import { ciliumValidator } from "./helpers/ciliumSchema";
import { valueOf } from "./helpers/outputs";
import { installMocksRecordingProviders, isSecret } from "./helpers/serviceMocks";

const l2Args = (): CiliumServicesArgs => ({
  mode: "l2",
  delivery: "talos-inline",
  pools: [
    { name: "ingress", blocks: ["192.168.30.200/32"], serviceSelector: { matchLabels: { "app.kubernetes.io/name": "ingress-nginx" } } },
    { name: "services", blocks: ["192.168.30.210-192.168.30.230"] },
  ],
  nodeAddresses: ["192.168.30.31/24", "192.168.30.32/24", "192.168.30.33/24"],
  controlPlaneVip: "192.168.30.30",
  workerCount: 2,
});

const bgpArgs = (): CiliumServicesArgs => ({
  mode: "bgp",
  delivery: "kubernetes",
  version: "1.17.16",
  // Plain strings on purpose: the component itself must mark the kubeconfig and password secret.
  kubeconfig: "apiVersion: v1\nkind: Config\n",
  pools: [
    { name: "public", blocks: ["203.0.113.0/28"] },
    { name: "internal", blocks: ["10.20.0.0/24"] },
  ],
  nodeAddresses: ["10.0.0.11/24", "10.0.0.12/24"],
  bgp: {
    localASN: 64512,
    peers: [
      {
        name: "tor-a",
        peerAddress: "10.0.0.1",
        peerASN: 64513,
        password: "s3cret",
        timers: { holdTimeSeconds: 9, keepAliveTimeSeconds: 3 },
      },
      { name: "tor-b", peerAddress: "10.0.0.2", peerASN: 64514 },
    ],
  },
  workerCount: 0,
  requireLBClass: true,
});

/** The plain spec the renderers get for {@link bgpArgs} (the password replaced by its Secret's name). */
const bgpSpec = (): CiliumSpec => ciliumServicesSpec(bgpArgs()) as unknown as CiliumSpec;

let rec: MockRecorder;
let providers: Record<string, string>;
beforeEach(async () => {
  ({ rec, providers } = await installMocksRecordingProviders());
});

describe("delivery talos-inline", () => {
  test("registers only the component and publishes the outputs (1.18 apiVersions by default)", async () => {
    const lb = new CiliumServices("lb", l2Args());
    const spec = l2Args() as unknown as CiliumSpec;
    const rendered = renderCilium(spec);
    expect(await valueOf(lb.endpoint)).toBe("192.168.30.200");
    expect(await valueOf(lb.loadBalancerClass)).toBe("io.cilium/l2-announcer");
    const objects = parseAllDocuments(await valueOf(lb.manifests)).map((d) => d.toJS());
    expect(objects).toEqual(rendered.objects);
    expect(objects.map((o) => o.apiVersion)).toEqual(["cilium.io/v2", "cilium.io/v2", "cilium.io/v2alpha1"]);
    const validate = ciliumValidator("1.18");
    for (const o of objects) expect(validate(o)).toEqual([]);
    expect(parse(await valueOf(lb.helmValues))).toEqual(rendered.helmValues);
    const patch = parse(await valueOf(lb.talosPatch)) as CiliumTalosPatch;
    expect(patch).toEqual(renderCiliumTalosPatch(spec));
    expect(patch.cluster.network).toEqual({ cni: { name: "none" } });
    expect(patch.cluster.proxy).toEqual({ disabled: true });
    expect(await isSecret(lb.talosPatch)).toBe(false);
    const resources = await rec.settle();
    expect(resources.map((r) => [r.type, r.name, r.parent])).toEqual([["talos-endpoints:index:CiliumServices", "lb", null]]);
  });

  test("a BGP password makes talosPatch a secret and stays out of the public outputs", async () => {
    const args: CiliumServicesArgs = { ...bgpArgs(), delivery: "talos-inline", kubeconfig: undefined };
    const lb = new CiliumServices("lb", args);
    expect(await isSecret(lb.talosPatch)).toBe(true);
    expect(await isSecret(lb.endpoint)).toBe(false);
    expect(await isSecret(lb.manifests)).toBe(false);
    const patch = parse(await valueOf(lb.talosPatch)) as CiliumTalosPatch;
    expect(patch).toEqual(
      renderCiliumTalosPatch({ ...bgpSpec(), delivery: "talos-inline" }, [renderCiliumBgpPasswordSecret("bgp-password-tor-a", "s3cret")]),
    );
    expect(patch.cluster.inlineManifests?.[0].contents).toContain("password: s3cret");
    expect(await valueOf(lb.manifests)).not.toContain("s3cret");
    expect(await valueOf(lb.manifests)).toContain("authSecretRef: bgp-password-tor-a");
    expect((await rec.settle()).map((r) => r.name)).toEqual(["lb"]);
  });
});

describe("delivery kubernetes", () => {
  test("registers provider, chart, Secret and custom resources (v2alpha1 for 1.17) with parents and dependencies", async () => {
    const lb = new CiliumServices("lb", bgpArgs());
    await valueOf(lb.endpoint);
    const resources = await rec.settle();
    const rows = resources
      .map((r) => [r.type, r.name, r.parent, [...r.dependsOn].sort()])
      .sort((a, b) => String(a[1]).localeCompare(String(b[1])));
    expect(rows).toEqual([
      ["talos-endpoints:index:CiliumServices", "lb", null, []],
      ["kubernetes:cilium.io/v2alpha1:CiliumBGPClusterConfig", "lb-bgp", "lb", ["lb-bgp-peer-tor-a", "lb-bgp-peer-tor-b", "lb-cilium"]],
      ["kubernetes:cilium.io/v2alpha1:CiliumBGPAdvertisement", "lb-bgp-advertisement", "lb", ["lb-cilium"]],
      ["kubernetes:core/v1:Secret", "lb-bgp-password-tor-a", "lb", []],
      ["kubernetes:cilium.io/v2alpha1:CiliumBGPPeerConfig", "lb-bgp-peer-tor-a", "lb", ["lb-bgp-password-tor-a", "lb-cilium"]],
      ["kubernetes:cilium.io/v2alpha1:CiliumBGPPeerConfig", "lb-bgp-peer-tor-b", "lb", ["lb-cilium"]],
      ["kubernetes:helm.sh/v4:Chart", "lb-cilium", "lb", []],
      ["pulumi:providers:kubernetes", "lb-k8s", "lb", []],
      ["kubernetes:cilium.io/v2alpha1:CiliumLoadBalancerIPPool", "lb-pool-internal", "lb", ["lb-cilium"]],
      ["kubernetes:cilium.io/v2alpha1:CiliumLoadBalancerIPPool", "lb-pool-public", "lb", ["lb-cilium"]],
    ]);
    const at = (name: string) => resources.findIndex((r) => r.name === name);
    for (const r of resources.filter((x) => x.type.startsWith("kubernetes:cilium.io/")))
      expect(at(r.name)).toBeGreaterThan(at("lb-cilium"));
    const providerRef = expect.stringMatching(
      /^urn:pulumi:test::talos-endpoints::talos-endpoints:index:CiliumServices\$pulumi:providers:kubernetes::lb-k8s::/,
    );
    for (const r of resources.filter((x) => x.type.startsWith("kubernetes:")))
      expect([r.name, providers[r.name]]).toEqual([r.name, providerRef]);
  });

  test("child inputs: secret kubeconfig and password, pinned chart with the rendered values, custom resources valid for 1.17", async () => {
    new CiliumServices("lb", bgpArgs());
    const resources = await rec.settle();
    const byName = (name: string) => resources.find((r) => r.name === name)!.inputs;
    const rendered = renderCilium(bgpSpec());
    expect(byName("lb-k8s")).toEqual({ kubeconfig: "[secret]" });
    expect(byName("lb-cilium")).toEqual({
      chart: "cilium",
      name: "cilium",
      version: "1.17.16",
      namespace: "kube-system",
      repositoryOpts: { repo: "https://helm.cilium.io" },
      values: rendered.helmValues,
    });
    expect(rendered.helmValues).toMatchObject({
      bgpControlPlane: { enabled: true },
      defaultLBServiceIPAM: "none",
      k8sServiceHost: "localhost",
    });
    expect(byName("lb-bgp-password-tor-a")).toEqual({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "bgp-password-tor-a", namespace: "kube-system" },
      type: "Opaque",
      stringData: "[secret]",
    });
    const validate = ciliumValidator("1.17");
    const pairs: [string, unknown][] = [
      ["lb-pool-public", rendered.pools[0]],
      ["lb-pool-internal", rendered.pools[1]],
      ["lb-bgp-peer-tor-a", rendered.bgpPeerConfigs[0]],
      ["lb-bgp-peer-tor-b", rendered.bgpPeerConfigs[1]],
      ["lb-bgp", rendered.bgpClusterConfig],
      ["lb-bgp-advertisement", rendered.bgpAdvertisement],
    ];
    for (const [name, object] of pairs) {
      expect([name, byName(name)]).toEqual([name, object]);
      expect([name, validate(byName(name))]).toEqual([name, []]);
    }
  });

  test("talosPatch holds only the Talos settings and is not secret", async () => {
    const lb = new CiliumServices("lb", bgpArgs());
    expect(parse(await valueOf(lb.talosPatch))).toEqual({
      cluster: { network: { cni: { name: "none" } }, proxy: { disabled: true }, allowSchedulingOnControlPlanes: true },
    });
    expect(await isSecret(lb.talosPatch)).toBe(false);
    await rec.settle();
  });

  test("l2 mode on 1.16 registers v2alpha1 pools and the L2 policy, no BGP objects", async () => {
    new CiliumServices("lb", { ...l2Args(), version: "1.16.19", delivery: "kubernetes", kubeconfig: pulumi.secret("kc") });
    const resources = await rec.settle();
    expect(
      resources
        .filter((r) => r.type.startsWith("kubernetes:cilium.io/"))
        .map((r) => [r.type, r.name, r.dependsOn])
        .sort(),
    ).toEqual([
      ["kubernetes:cilium.io/v2alpha1:CiliumL2AnnouncementPolicy", "lb-l2", ["lb-cilium"]],
      ["kubernetes:cilium.io/v2alpha1:CiliumLoadBalancerIPPool", "lb-pool-ingress", ["lb-cilium"]],
      ["kubernetes:cilium.io/v2alpha1:CiliumLoadBalancerIPPool", "lb-pool-services", ["lb-cilium"]],
    ]);
    const l2 = resources.find((r) => r.name === "lb-l2")!.inputs;
    expect(ciliumValidator("1.16")(l2)).toEqual([]);
    expect(resources.some((r) => r.type === "kubernetes:core/v1:Secret")).toBe(false);
  });
});

const bad: [string, () => CiliumServicesArgs, string][] = [
  [
    "an unsupported version",
    () => ({ ...l2Args(), version: "1.19.1" }),
    'version: "1.19.1" is not supported: Cilium 1.16 through 1.18 are',
  ],
  ["bgp mode without bgp", () => ({ ...bgpArgs(), bgp: undefined }), "bgp: (not set) must be set in bgp mode"],
  [
    "duplicate peer names",
    () => ({ ...bgpArgs(), bgp: { localASN: 1, peers: [bgpArgs().bgp!.peers[1], bgpArgs().bgp!.peers[1]] } }),
    'bgp.peers[1].name: "tor-b" is also the name of bgp.peers[0]',
  ],
  [
    "an ASN out of range",
    () => ({ ...bgpArgs(), bgp: { ...bgpArgs().bgp!, localASN: 4294967296 } }),
    "bgp.localASN: 4294967296 must be an AS number, an integer from 1 to 4294967295",
  ],
  [
    "overlapping pools",
    () => ({
      ...l2Args(),
      pools: [
        { name: "a", blocks: ["192.168.30.200/29"] },
        { name: "b", blocks: ["192.168.30.204-192.168.30.210"] },
      ],
    }),
    'pools[1].blocks[0]: "192.168.30.204-192.168.30.210" overlaps pools[0].blocks[0] (192.168.30.200/29)',
  ],
  [
    "a pool over the VIP",
    () => ({ ...l2Args(), pools: [{ name: "a", blocks: ["192.168.30.25-192.168.30.30"] }] }),
    'pools[0].blocks[0]: "192.168.30.25-192.168.30.30" contains the control-plane VIP controlPlaneVip (192.168.30.30)',
  ],
  [
    "an empty advertisement selector",
    () => ({ ...bgpArgs(), bgp: { ...bgpArgs().bgp!, advertisement: { serviceSelector: {} } } }),
    "bgp.advertisement.serviceSelector: {} is empty",
  ],
  [
    "kubernetes delivery without kubeconfig",
    () => ({ ...bgpArgs(), kubeconfig: undefined }),
    'kubeconfig: (not set) must be set with delivery "kubernetes"',
  ],
  [
    "talos-inline with a kubeconfig",
    () => ({ ...l2Args(), kubeconfig: pulumi.secret("kc") }),
    'kubeconfig: "[secret]" is not used with delivery "talos-inline"',
  ],
  [
    "an empty BGP password",
    () => ({ ...bgpArgs(), bgp: { localASN: 1, peers: [{ ...bgpArgs().bgp!.peers[1], password: "" }] } }),
    'bgp.peers[0].password: "" must be a non-empty string',
  ],
  [
    "an unknown delivery",
    () => ({ ...l2Args(), delivery: "helm" as never }),
    'delivery: "helm" must be one of "talos-inline", "kubernetes"',
  ],
  [
    "requireLBClass on 1.16",
    () => ({ ...l2Args(), version: "1.16.19", requireLBClass: true }),
    "requireLBClass: true needs Cilium 1.17 or later",
  ],
];

test.each(bad)("rejects %s before any resource is registered", async (_label, args, message) => {
  expect(() => new CiliumServices("lb", args())).toThrow(message);
  expect(await rec.settle()).toEqual([]);
});

test("inputs may arrive as Outputs: validation then runs when they resolve", async () => {
  const args = { ...l2Args(), ingressAddress: pulumi.output("192.168.30.215"), workerCount: pulumi.output(0) };
  expect(isPlain(ciliumServicesSpec(args))).toBe(false);
  const lb = new CiliumServices("lb", args);
  expect(await valueOf(lb.endpoint)).toBe("192.168.30.215");
  expect((parse(await valueOf(lb.talosPatch)) as CiliumTalosPatch).cluster.allowSchedulingOnControlPlanes).toBe(true);
  expect((await rec.settle()).map((r) => r.name)).toEqual(["lb"]);
});

test("warnings are logged with pulumi.log.warn", async () => {
  const warn = jest.spyOn(pulumi.log, "warn").mockImplementation(() => Promise.resolve());
  const lb = new CiliumServices("lb", { ...l2Args(), pools: [{ name: "all", blocks: ["192.168.30.200/32"] }] });
  await valueOf(lb.endpoint);
  await rec.settle();
  expect(warn.mock.calls.map((c) => c[0])).toEqual([
    expect.stringMatching(/^pools\[0\]: the ingress address 192\.168\.30\.200 is in pool "all", which serves every Service/),
  ]);
  warn.mockRestore();
});
