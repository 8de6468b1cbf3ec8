/**
 * Cilium renderers (pure), for the three pinned releases 1.16.19, 1.17.16 and 1.18.11: every
 * object validated against that release's own CRD schemas with unknown fields refused, the
 * apiVersions by minor (checked against each CRD's storage version), the Helm values against the
 * chart's values.schema.json, the Talos patch against the Talos schemas, and bad inputs.
 */
import { parse, parseAllDocuments } from "yaml";
import {
  ALL_SERVICES_SELECTOR,
  BGP_ADVERTISEMENT_LABEL,
  ciliumApiVersions,
  CiliumSpec,
  DEFAULT_CILIUM_VERSION,
  l2ClientRateLimit,
  renderCilium,
  renderCiliumBgpPasswordSecret,
  renderCiliumTalosPatch,
  TALOS_CILIUM_AGENT_CAPABILITIES,
  WORKERS_ONLY_SELECTOR,
} from "../src/render/cilium";
import {
  CILIUM_REFERENCE_VERSIONS,
  ciliumChartVersion,
  ciliumCrdSchemas,
  ciliumFile,
  ciliumStorageVersion,
  ciliumValidator,
  ciliumValuesValidator,
} from "./helpers/ciliumSchema";
import { TALOS_REFERENCE_VERSIONS, talosSchemaValidator } from "./helpers/reference";

jest.setTimeout(120_000);

const VERSIONS = Object.entries(CILIUM_REFERENCE_VERSIONS).map(([minor, tag]) => [minor, tag.slice(1)] as const);

const l2 = (version: string): CiliumSpec => ({
  mode: "l2",
  delivery: "kubernetes",
  version,
  pools: [
    { name: "ingress", blocks: ["192.168.30.200/32"], serviceSelector: { matchLabels: { "app.kubernetes.io/name": "ingress-nginx" } } },
    { name: "services", blocks: ["192.168.30.208/29", "192.168.30.220-192.168.30.230"], allowFirstLastIPs: false },
  ],
  nodeAddresses: ["192.168.30.31/24", "192.168.30.32/24", "192.168.30.33/24"],
  controlPlaneVip: "192.168.30.30",
  gateway: "192.168.30.1",
  l2Announcement: {
    interfaces: ["^eth[0-9]+", "^ens18$"],
    serviceSelector: { matchExpressions: [{ key: "l2", operator: "Exists" }] },
    externalIPs: true,
  },
  workerCount: 2,
  loadBalancerServices: 65,
});

const bgp = (version: string): CiliumSpec => ({
  mode: "bgp",
  delivery: "kubernetes",
  version,
  pools: [
    { name: "public", blocks: ["203.0.113.0/28", "2001:db8:100::10-2001:db8:100::20"] },
    { name: "internal", blocks: ["10.20.0.0/24"], disabled: true },
  ],
  nodeAddresses: ["10.0.0.11/24", "10.0.0.12/24"],
  bgp: {
    localASN: 4200000001,
    nodeSelector: { matchLabels: { rack: "r1" } },
    peers: [
      {
        name: "tor-a",
        peerAddress: "10.0.0.1",
        peerASN: 64513,
        peerPort: 1790,
        ebgpMultihop: 2,
        timers: { holdTimeSeconds: 9, keepAliveTimeSeconds: 3, connectRetryTimeSeconds: 5 },
        gracefulRestart: { enabled: true, restartTimeSeconds: 120 },
        authSecretRef: "bgp-password-tor-a",
      },
      { name: "tor-b", peerAddress: "2001:db8::1", peerASN: 64514 },
    ],
    advertisement: { communities: ["65000:100", "65000:1:2", "no-export", "4294967295"], localPreference: 200 },
  },
  workerCount: 0,
});

describe.each(VERSIONS)("Cilium %s (v%s)", (minor, version) => {
  const validate = ciliumValidator(minor);

  test("the apiVersions are the storage versions of that release's CRDs: v2alpha1 before 1.18, v2 from 1.18 (L2 policy v2alpha1)", () => {
    const api = ciliumApiVersions(Number(minor.split(".")[1]));
    expect(api.pool).toBe(minor === "1.18" ? "cilium.io/v2" : "cilium.io/v2alpha1");
    expect(api.bgp).toBe(minor === "1.18" ? "cilium.io/v2" : "cilium.io/v2alpha1");
    expect(api.l2Policy).toBe("cilium.io/v2alpha1");
    expect(ciliumStorageVersion(minor, "CiliumLoadBalancerIPPool")).toBe(api.pool);
    expect(ciliumStorageVersion(minor, "CiliumL2AnnouncementPolicy")).toBe(api.l2Policy);
    for (const kind of ["CiliumBGPClusterConfig", "CiliumBGPPeerConfig", "CiliumBGPAdvertisement"]) {
      expect([kind, ciliumStorageVersion(minor, kind)]).toEqual([kind, api.bgp]);
    }
  });

  test("l2: every object validates against the CRDs with unknown fields refused, with the minor's apiVersions", () => {
    const r = renderCilium(l2(version));
    expect(r.objects.map((o) => `${o.apiVersion}/${o.kind}/${o.metadata.name}`)).toEqual([
      `${ciliumApiVersions(Number(minor.slice(2))).pool}/CiliumLoadBalancerIPPool/ingress`,
      `${ciliumApiVersions(Number(minor.slice(2))).pool}/CiliumLoadBalancerIPPool/services`,
      "cilium.io/v2alpha1/CiliumL2AnnouncementPolicy/l2",
    ]);
    for (const o of r.objects) expect([o.kind, validate(o)]).toEqual([o.kind, []]);
    expect(r.pools[1].spec).toEqual({
      blocks: [{ cidr: "192.168.30.208/29" }, { start: "192.168.30.220", stop: "192.168.30.230" }],
      allowFirstLastIPs: "No",
    });
    expect(r.l2Policy!.spec).toEqual({
      loadBalancerIPs: true,
      externalIPs: true,
      interfaces: ["^eth[0-9]+", "^ens18$"],
      nodeSelector: WORKERS_ONLY_SELECTOR,
      serviceSelector: { matchExpressions: [{ key: "l2", operator: "Exists" }] },
    });
    expect(r.loadBalancerClass).toBe("io.cilium/l2-announcer");
  });

  test("bgp: cluster config, one peer config per peer, the advertisement; all valid, unknown fields refused", () => {
    const r = renderCilium(bgp(version));
    const api = ciliumApiVersions(Number(minor.slice(2))).bgp;
    expect(r.objects.map((o) => `${o.apiVersion}/${o.kind}/${o.metadata.name}`)).toEqual([
      `${api}/CiliumLoadBalancerIPPool/public`,
      `${api}/CiliumLoadBalancerIPPool/internal`,
      `${api}/CiliumBGPPeerConfig/tor-a`,
      `${api}/CiliumBGPPeerConfig/tor-b`,
      `${api}/CiliumBGPClusterConfig/bgp`,
      `${api}/CiliumBGPAdvertisement/loadbalancer-services`,
    ]);
    for (const o of r.objects) expect([o.kind, validate(o)]).toEqual([o.kind, []]);
    expect(r.bgpClusterConfig!.spec).toEqual({
      bgpInstances: [
        {
          name: "instance-4200000001",
          localASN: 4200000001,
          peers: [
            { name: "tor-a", peerASN: 64513, peerAddress: "10.0.0.1", peerConfigRef: { name: "tor-a" } },
            { name: "tor-b", peerASN: 64514, peerAddress: "2001:db8::1", peerConfigRef: { name: "tor-b" } },
          ],
        },
      ],
      nodeSelector: { matchLabels: { rack: "r1" } },
    });
    expect(r.bgpPeerConfigs[0].spec).toEqual({
      families: [
        { afi: "ipv4", safi: "unicast", advertisements: { matchLabels: BGP_ADVERTISEMENT_LABEL } },
        { afi: "ipv6", safi: "unicast", advertisements: { matchLabels: BGP_ADVERTISEMENT_LABEL } },
      ],
      timers: { holdTimeSeconds: 9, keepAliveTimeSeconds: 3, connectRetryTimeSeconds: 5 },
      ebgpMultihop: 2,
      gracefulRestart: { enabled: true, restartTimeSeconds: 120 },
      transport: { peerPort: 1790 },
      authSecretRef: "bgp-password-tor-a",
    });
    // The peer configs' families select the advertisement by its labels.
    expect(r.bgpAdvertisement!.metadata.labels).toEqual(BGP_ADVERTISEMENT_LABEL);
    expect(r.bgpAdvertisement!.spec).toEqual({
      advertisements: [
        {
          advertisementType: "Service",
          service: { addresses: ["LoadBalancerIP"] },
          selector: ALL_SERVICES_SELECTOR,
          attributes: {
            communities: { standard: ["65000:100", "4294967295"], large: ["65000:1:2"], wellKnown: ["no-export"] },
            localPreference: 200,
          },
        },
      ],
    });
    expect(r.loadBalancerClass).toBe("io.cilium/bgp-control-plane");
  });

  test("the strict validator refuses what the published schema would let through (a misspelt field)", () => {
    const pool = renderCilium(l2(version)).pools[0];
    const typo = { ...pool, spec: { ...(pool.spec as object), block: [] } };
    expect(ciliumValidator(minor, false)(typo)).toEqual([]);
    expect(validate(typo).join("\n")).toMatch(/additionalProperty":"block"/);
    // And a kind at an apiVersion the release does not serve is an error.
    expect(validate({ ...pool, apiVersion: "cilium.io/v3" })).toEqual([expect.stringMatching(/is not served by Cilium/)]);
  });

  test("the Helm values validate against the chart's values.schema.json, and the chart version is the release", () => {
    const values = ciliumValuesValidator(minor);
    const rl2 = renderCilium({ ...l2(version), requireLBClass: minor !== "1.16" });
    const rbgp = renderCilium(bgp(version));
    expect(values(rl2.helmValues)).toEqual([]);
    expect(values(rbgp.helmValues)).toEqual([]);
    expect(values({ ...rbgp.helmValues, bgpControlPlan: { enabled: true } })).toEqual([
      "values/bgpControlPlan is neither in values.schema.json nor read by the chart's templates",
    ]);
    expect(values({ ...rbgp.helmValues, cgroup: { autoMount: { enable: false } } }).join("\n")).toMatch(/additionalProperty":"enable"/);
    expect(ciliumChartVersion(minor)).toBe(version);
    expect(rl2.helmValues.externalIPs).toEqual(minor === "1.16" ? { enabled: true } : undefined);
    expect(rl2.helmValues.defaultLBServiceIPAM).toBe(minor === "1.16" ? undefined : "none");
  });

  test("none of the BGP CRDs has a BFD field (so none is rendered)", () => {
    for (const [key, schema] of ciliumCrdSchemas(minor))
      if (key.includes("BGP")) expect([key, JSON.stringify(schema)]).not.toEqual([key, expect.stringMatching(/bfd/i)]);
  });
});

test("the default version is the pinned 1.18 release", () => {
  expect(`v${DEFAULT_CILIUM_VERSION}`).toBe(CILIUM_REFERENCE_VERSIONS["1.18"]);
  expect(renderCilium({ ...l2(DEFAULT_CILIUM_VERSION), version: undefined }).checked.version).toBe(DEFAULT_CILIUM_VERSION);
});

test("Helm values: Talos's settings (KubePrism, cgroup, capabilities without SYS_MODULE) and the mode's switches", () => {
  const upstream = chartCapabilities("1.18");
  const v = renderCilium(bgp("1.18.11")).helmValues;
  expect(v).toEqual({
    ipam: { mode: "kubernetes" },
    kubeProxyReplacement: true,
    securityContext: {
      capabilities: {
        ciliumAgent: withoutSysModule(upstream.ciliumAgent),
        cleanCiliumState: withoutSysModule(upstream.cleanCiliumState),
      },
    },
    cgroup: { autoMount: { enabled: false }, hostRoot: "/sys/fs/cgroup" },
    k8sServiceHost: "localhost",
    k8sServicePort: 7445,
    l2announcements: { enabled: false },
    bgpControlPlane: { enabled: true },
  });
  expect(TALOS_CILIUM_AGENT_CAPABILITIES).not.toContain("SYS_MODULE");
  expect(upstream.ciliumAgent).toContain("SYS_MODULE");
  expect(renderCilium({ ...bgp("1.18.11"), kubeProxyReplacement: false, kubePrismPort: 7446 }).helmValues).toMatchObject({
    kubeProxyReplacement: false,
    k8sServicePort: 7446,
  });
  expect(renderCilium(l2("1.18.11")).helmValues).toMatchObject({ l2announcements: { enabled: true }, bgpControlPlane: { enabled: false } });
});

/** `securityContext.capabilities` of the pinned chart's own values.yaml (the upstream defaults, SYS_MODULE included). */
function chartCapabilities(minor: string): { ciliumAgent: string[]; cleanCiliumState: string[] } {
  const values = parse(ciliumFile(minor, "install/kubernetes/cilium/values.yaml")) as {
    securityContext: { capabilities: { ciliumAgent: string[]; cleanCiliumState: string[] } };
  };
  return values.securityContext.capabilities;
}

/** Talos's guide: Cilium's default capabilities without SYS_MODULE, order kept. */
function withoutSysModule(caps: readonly string[]): string[] {
  return caps.filter((c) => c !== "SYS_MODULE");
}

test.each(VERSIONS)("Helm capabilities of %s: the chart's own defaults without SYS_MODULE (Talos refuses it)", (minor, version) => {
  const upstream = chartCapabilities(minor);
  expect(upstream.ciliumAgent).toContain("SYS_MODULE");
  expect(upstream.cleanCiliumState).toContain("SYS_MODULE");
  const caps = (renderCilium(l2(version)).helmValues as { securityContext: { capabilities: Record<string, unknown> } }).securityContext
    .capabilities;
  expect(caps).toEqual({
    ciliumAgent: withoutSysModule(upstream.ciliumAgent),
    cleanCiliumState: withoutSysModule(upstream.cleanCiliumState),
  });
});

test("l2 client rate limit: Cilium's formula (services / 5 s renew deadline) on top of the agent's 10 QPS", () => {
  const doc = ciliumFile("1.18", "Documentation/network/l2-announcements.rst");
  expect(doc).toContain("QPS = #services * (1 / leaseRenewDeadline)");
  expect(doc).toMatch(/leaseRenewDeadline`` is the interval at which the leader\s+should renew the lease. Its default value is 5s/);
  expect(l2ClientRateLimit(1)).toEqual({ qps: 11, burst: 22 });
  expect(l2ClientRateLimit(65)).toEqual({ qps: 23, burst: 46 });
  expect(renderCilium(l2("1.18.11")).helmValues.k8sClientRateLimit).toEqual({ qps: 23, burst: 46 });
  expect(renderCilium(bgp("1.18.11")).helmValues.k8sClientRateLimit).toBeUndefined();
});

describe("defaults", () => {
  test("the advertisement always carries an explicit selector: the docs' NotIn idiom when none is given", () => {
    const doc = ciliumFile("1.18", "Documentation/network/bgp-control-plane/bgp-control-plane-v2.rst");
    expect(doc).toContain("{key: somekey, operator: NotIn, values: ['never-used-value']}");
    const spec = bgp("1.18.11");
    delete spec.bgp!.advertisement;
    const adv = renderCilium(spec).bgpAdvertisement!.spec as { advertisements: { selector: unknown; attributes?: unknown }[] };
    expect(adv.advertisements[0].selector).toEqual({
      matchExpressions: [{ key: "somekey", operator: "NotIn", values: ["never-used-value"] }],
    });
    expect(adv.advertisements[0].attributes).toBeUndefined();
  });

  test("node selectors: workers only when there are workers, every node without workers or with controlPlanesRunServices", () => {
    expect(renderCilium(l2("1.18.11")).l2Policy!.spec).toMatchObject({ nodeSelector: WORKERS_ONLY_SELECTOR });
    expect(renderCilium({ ...l2("1.18.11"), workerCount: 0 }).l2Policy!.spec).not.toHaveProperty("nodeSelector");
    expect(renderCilium({ ...l2("1.18.11"), controlPlanesRunServices: true }).l2Policy!.spec).not.toHaveProperty("nodeSelector");
    const withWorkers = bgp("1.18.11");
    withWorkers.workerCount = 5;
    delete withWorkers.bgp!.nodeSelector;
    expect(renderCilium(withWorkers).bgpClusterConfig!.spec).toMatchObject({ nodeSelector: WORKERS_ONLY_SELECTOR });
  });

  test("ingress address: the first address the first pool hands out; explicit one inside a pool", () => {
    expect(renderCilium(l2("1.18.11")).endpoint).toBe("192.168.30.200");
    const skipFirst: CiliumSpec = { ...l2("1.18.11"), pools: [{ name: "p", blocks: ["192.168.30.208/29"], allowFirstLastIPs: false }] };
    expect(renderCilium(skipFirst).endpoint).toBe("192.168.30.209");
    expect(renderCilium({ ...l2("1.18.11"), ingressAddress: "192.168.30.225" }).endpoint).toBe("192.168.30.225");
  });
});

describe("warnings", () => {
  test("an ingress address in a pool serving every Service, IPv6 and off-subnet blocks in l2 mode", () => {
    const r = renderCilium({
      ...l2("1.18.11"),
      pools: [
        { name: "a", blocks: ["192.168.30.200/32"] },
        { name: "v6", blocks: ["2001:db8::/120"] },
        { name: "far", blocks: ["10.99.0.0/28"] },
      ],
    });
    expect(r.warnings).toEqual([
      expect.stringMatching(/^pools\[1\]\.blocks\[0\]: "2001:db8::\/120" is IPv6; Cilium's L2 announcements do not support IPv6\/NDP/),
      expect.stringMatching(/^pools\[2\]\.blocks\[0\]: "10\.99\.0\.0\/28" is outside the nodes' subnets \(192\.168\.30\.0\/24\)/),
      expect.stringMatching(/^pools\[0\]: the ingress address 192\.168\.30\.200 is in pool "a", which serves every Service/),
    ]);
    expect(renderCilium(l2("1.18.11")).warnings).toEqual([]);
  });
});

const bad: [string, () => CiliumSpec, string][] = [
  [
    "local ASN 0",
    () => ({ ...bgp("1.18.11"), bgp: { ...bgp("1.18.11").bgp!, localASN: 0 } }),
    "bgp.localASN: 0 must be an AS number, an integer from 1 to 4294967295",
  ],
  [
    "peer ASN above 32 bits",
    () => ({ ...bgp("1.18.11"), bgp: { ...bgp("1.18.11").bgp!, peers: [{ ...bgp("1.18.11").bgp!.peers[1], peerASN: 4294967296 }] } }),
    "bgp.peers[0].peerASN: 4294967296 must be an AS number, an integer from 1 to 4294967295",
  ],
  [
    "peer ASN 0 (Cilium's auto-detection)",
    () => ({ ...bgp("1.17.16"), bgp: { ...bgp("1.17.16").bgp!, peers: [{ ...bgp("1.17.16").bgp!.peers[1], peerASN: 0 }] } }),
    "bgp.peers[0].peerASN: 0 must be an AS number",
  ],
  [
    "overlapping pools",
    () => ({
      ...l2("1.18.11"),
      pools: [
        { name: "a", blocks: ["192.168.30.200-192.168.30.210"] },
        { name: "b", blocks: ["192.168.30.208/29"] },
      ],
    }),
    'pools[1].blocks[0]: "192.168.30.208/29" overlaps pools[0].blocks[0] (192.168.30.200-192.168.30.210); pools must not share addresses',
  ],
  [
    "an empty advertisement selector",
    () => ({ ...bgp("1.18.11"), bgp: { ...bgp("1.18.11").bgp!, advertisement: { serviceSelector: {} } } }),
    "bgp.advertisement.serviceSelector: {} is empty: since Cilium 1.19 an empty selector matches no Service",
  ],
  [
    "an advertisement selector with empty lists",
    () => ({
      ...bgp("1.18.11"),
      bgp: { ...bgp("1.18.11").bgp!, advertisement: { serviceSelector: { matchLabels: {}, matchExpressions: [] } } },
    }),
    'bgp.advertisement.serviceSelector: {"matchLabels":{},"matchExpressions":[]} is empty',
  ],
  [
    "a selector with a bad operator",
    () => ({ ...l2("1.18.11"), l2Announcement: { nodeSelector: { matchExpressions: [{ key: "rack", operator: "Maybe" }] } } }),
    'l2Announcement.nodeSelector.matchExpressions[0].operator: "Maybe" must be one of "In", "NotIn", "Exists", "DoesNotExist"',
  ],
  [
    "a pool containing a BGP peer",
    () => ({ ...bgp("1.18.11"), pools: [{ name: "p", blocks: ["10.0.0.0/30"] }] }),
    'pools[0].blocks[0]: "10.0.0.0/30" contains BGP peer bgp.peers[0].peerAddress (10.0.0.1); pools must only hold addresses nothing else uses',
  ],
  [
    "a pool containing the gateway",
    () => ({ ...l2("1.18.11"), pools: [{ name: "p", blocks: ["192.168.30.0/30"] }] }),
    'pools[0].blocks[0]: "192.168.30.0/30" contains the default gateway gateway (192.168.30.1)',
  ],
  [
    "keepalive above hold time",
    () => ({
      ...bgp("1.18.11"),
      bgp: { ...bgp("1.18.11").bgp!, peers: [{ name: "p", peerAddress: "10.0.0.1", peerASN: 1, timers: { keepAliveTimeSeconds: 100 } }] },
    }),
    "bgp.peers[0].timers.keepAliveTimeSeconds: 100 must not be larger than holdTimeSeconds (90, Cilium's default)",
  ],
  [
    "hold time below the CRD minimum",
    () => ({
      ...bgp("1.18.11"),
      bgp: { ...bgp("1.18.11").bgp!, peers: [{ name: "p", peerAddress: "10.0.0.1", peerASN: 1, timers: { holdTimeSeconds: 2 } }] },
    }),
    "bgp.peers[0].timers.holdTimeSeconds: 2 must be whole seconds from 3 to 65535",
  ],
  [
    "multihop TTL 0",
    () => ({
      ...bgp("1.18.11"),
      bgp: { ...bgp("1.18.11").bgp!, peers: [{ name: "p", peerAddress: "10.0.0.1", peerASN: 1, ebgpMultihop: 0 }] },
    }),
    "bgp.peers[0].ebgpMultihop: 0 must be a TTL, an integer from 1 to 255",
  ],
  [
    "a peer without address",
    () => ({
      ...bgp("1.18.11"),
      bgp: { ...bgp("1.18.11").bgp!, peers: [{ name: "p", peerAddress: undefined as unknown as string, peerASN: 1 }] },
    }),
    "bgp.peers[0].peerAddress: (not set) must be set",
  ],
  ["bgp mode without bgp", () => ({ ...bgp("1.18.11"), bgp: undefined }), "bgp: (not set) must be set in bgp mode"],
  [
    "bgp without peers",
    () => ({ ...bgp("1.18.11"), bgp: { localASN: 1, peers: [] } }),
    "bgp.peers: [] must list at least one BGP peer in bgp mode",
  ],
  ["bgp in l2 mode", () => ({ ...l2("1.18.11"), bgp: bgp("1.18.11").bgp }), 'bgp: {"localASN":4200000001'],
  [
    "l2 without kube-proxy replacement",
    () => ({ ...l2("1.18.11"), kubeProxyReplacement: false }),
    "kubeProxyReplacement: false must be true in l2 mode: Cilium's L2 announcements require kube-proxy replacement",
  ],
  [
    "requireLBClass on 1.16",
    () => ({ ...l2("1.16.19"), requireLBClass: true }),
    "requireLBClass: true needs Cilium 1.17 or later (Helm value defaultLBServiceIPAM); version is 1.16.19",
  ],
  ["Cilium 1.15", () => ({ ...l2("1.15.9") }), 'version: "1.15.9" is not supported: Cilium 1.16 through 1.18 are'],
  ["Cilium 1.19", () => ({ ...l2("1.19.0") }), 'version: "1.19.0" is not supported'],
  ["a version without patch", () => ({ ...l2("1.18") }), 'version: "1.18" must be a Cilium release version "X.Y.Z"'],
  [
    "a malformed community",
    () => ({ ...bgp("1.18.11"), bgp: { ...bgp("1.18.11").bgp!, advertisement: { communities: ["65536:1"] } } }),
    'bgp.advertisement.communities[0]: "65536:1" must be a BGP community',
  ],
  [
    "a bad interface regexp",
    () => ({ ...l2("1.18.11"), l2Announcement: { interfaces: ["eth[0-"] } }),
    'l2Announcement.interfaces[0]: "eth[0-" is not a regular expression',
  ],
  [
    "an ingress address outside every pool",
    () => ({ ...l2("1.18.11"), ingressAddress: "192.168.30.250" }),
    'ingressAddress: "192.168.30.250" is outside every pool',
  ],
  [
    "an ingress address the pool never hands out",
    () => ({ ...l2("1.18.11"), ingressAddress: "192.168.30.215" }),
    'ingressAddress: "192.168.30.215" is the first or last address of 192.168.30.208/29, which pool "services" never hands out',
  ],
  [
    "duplicate pool names",
    () => ({
      ...l2("1.18.11"),
      pools: [
        { name: "a", blocks: ["192.168.30.200/32"] },
        { name: "a", blocks: ["192.168.30.201/32"] },
      ],
    }),
    'pools[1].name: "a" is also the name of pools[0]',
  ],
  ["unknown mode", () => ({ ...l2("1.18.11"), mode: "arp" }), 'mode: "arp" must be one of "l2", "bgp"'],
  [
    "a reversed range",
    () => ({ ...l2("1.18.11"), pools: [{ name: "a", blocks: ["192.168.30.220-192.168.30.210"] }] }),
    'pools[0].blocks[0]: "192.168.30.220-192.168.30.210" is reversed',
  ],
  [
    "too many Services",
    () => ({ ...l2("1.18.11"), loadBalancerServices: 0 }),
    "loadBalancerServices: 0 must be a Service count, an integer from 1 to 10000",
  ],
];

test.each(bad)("rejects %s, naming the field and the value", (_label, spec, message) => {
  expect(() => renderCilium(spec())).toThrow(message);
});

describe("the Talos patch", () => {
  const inline = (): CiliumSpec => ({ ...bgp("1.18.11"), delivery: "talos-inline" });
  const secret = renderCiliumBgpPasswordSecret("bgp-password-tor-a", "s3cret");

  test("kubernetes delivery: CNI none, kube-proxy disabled, scheduling on control planes without workers", () => {
    expect(renderCiliumTalosPatch(bgp("1.18.11"))).toEqual({
      cluster: { network: { cni: { name: "none" } }, proxy: { disabled: true }, allowSchedulingOnControlPlanes: true },
    });
    expect(renderCiliumTalosPatch({ ...bgp("1.18.11"), workerCount: 3, kubeProxyReplacement: false })).toEqual({
      cluster: { network: { cni: { name: "none" } } },
    });
  });

  test("talos-inline: one inline manifest with the password Secret and every custom resource", () => {
    const patch = renderCiliumTalosPatch(inline(), [secret]);
    expect(patch.cluster.inlineManifests!.map((m) => m.name)).toEqual(["cilium-services"]);
    const docs = parseAllDocuments(patch.cluster.inlineManifests![0].contents).map((d) => d.toJS());
    expect(docs).toEqual([secret, ...renderCilium(inline()).objects]);
    expect(secret).toEqual({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "bgp-password-tor-a", namespace: "kube-system" },
      type: "Opaque",
      stringData: { password: "s3cret" },
    });
  });

  test("Secrets must match the peers' authSecretRef exactly", () => {
    expect(() => renderCiliumTalosPatch(inline())).toThrow(
      'bgp.peers[0].authSecretRef: "bgp-password-tor-a" has no Secret among the rendered secrets',
    );
    expect(() => renderCiliumTalosPatch(inline(), [secret, renderCiliumBgpPasswordSecret("other", "x")])).toThrow(
      'secrets[1]: "other" is not the authSecretRef of any BGP peer',
    );
    expect(() => renderCiliumTalosPatch(bgp("1.18.11"), [secret])).toThrow(
      'secrets: ["bgp-password-tor-a"] only the "talos-inline" delivery carries Secrets',
    );
  });

  const base = () => ({
    version: "v1alpha1",
    machine: { type: "controlplane" },
    cluster: { clusterName: "lab", controlPlane: { endpoint: "https://192.168.30.30:6443" } },
  });
  function merge(target: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
    const out: Record<string, unknown> = { ...target };
    for (const [k, v] of Object.entries(patch)) {
      if (Array.isArray(v)) out[k] = [...((out[k] as unknown[]) ?? []), ...v];
      else if (v !== null && typeof v === "object") out[k] = merge((out[k] as Record<string, unknown>) ?? {}, v as Record<string, unknown>);
      else out[k] = v;
    }
    return out;
  }

  test.each(TALOS_REFERENCE_VERSIONS.map((v) => [v]))(
    "Talos %s accepts it merged into a minimal control-plane config; a misspelt key is refused",
    (version) => {
      const validate = talosSchemaValidator(version);
      const merged = merge(base(), renderCiliumTalosPatch(inline(), [secret]) as unknown as Record<string, unknown>);
      expect(validate(merged)).toEqual([]);
      expect(validate(merge(base(), { cluster: { proxy: { disable: true } } })).join("\n")).toMatch(/additionalProperty":"disable"/);
    },
  );
});
