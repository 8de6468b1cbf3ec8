/**
 * MetalLB renderers (pure): exact objects, CRD schema validation, endpoint choice, warnings and
 * the address math.
 */
import { parseAllDocuments } from "yaml";
import {
  blockInNetwork,
  bigIntToIp,
  ipToBigInt,
  MetalLbSpec,
  parseAddressBlock,
  renderBgpPasswordSecret,
  renderMetalLb,
  upstreamManifestUrl,
} from "../src/render/metallb";
import { metallbSchemaFiles, metallbValidator, strictSchema } from "./helpers/metallbSchema";

const l2: MetalLbSpec = {
  mode: "l2",
  delivery: "kubernetes",
  pools: [
    { name: "ingress", addresses: ["192.168.30.200/32"], autoAssign: false },
    { name: "services", addresses: ["192.168.30.210-192.168.30.230"] },
  ],
  nodeAddresses: ["192.168.30.31/24", "192.168.30.32/24", "192.168.30.33/24", "192.168.30.41"],
  controlPlaneVip: "192.168.30.30",
  loadBalancerHosts: ["192.168.30.10"],
  l2Advertisement: {
    interfaces: ["eth0"],
    nodeSelectors: [{ matchExpressions: [{ key: "node-role.kubernetes.io/control-plane", operator: "DoesNotExist" }] }],
  },
  workerCount: 2,
};

const bgp: MetalLbSpec = {
  mode: "bgp",
  delivery: "kubernetes",
  pools: [
    { name: "public", addresses: ["203.0.113.0/28", "2001:db8:100::/120"], avoidBuggyIPs: true, autoAssign: false },
    { name: "internal", addresses: ["10.20.0.0/24"] },
  ],
  nodeAddresses: ["10.0.0.11/24", "10.0.0.12/24", "10.0.0.13/24"],
  bgpPeers: [
    {
      name: "tor-a",
      myASN: 64512,
      peerASN: 64513,
      peerAddress: "10.0.0.1",
      peerPort: 179,
      ebgpMultiHop: false,
      bfdProfile: "fast",
      passwordSecret: "bgp-password-tor-a",
      nodeSelectors: [{ matchLabels: { "topology.kubernetes.io/zone": "rack-a" } }],
    },
    { name: "tor-b", myASN: 4200000000, peerASN: 64514, peerAddress: "10.0.0.2" },
  ],
  bgpAdvertisement: { peers: ["tor-a", "tor-b"], aggregationLength: 32, localPref: 100, communities: ["65535:65282", "large:64512:1:2"] },
  bfdProfile: {
    name: "fast",
    receiveInterval: 100,
    transmitInterval: 100,
    detectMultiplier: 3,
    echoInterval: 50,
    echoMode: false,
    passiveMode: false,
    minimumTtl: 254,
  },
  workerCount: 3,
};

const ns = { name: "metallb-system", namespace: "metallb-system" };

test("renders the l2 objects exactly", () => {
  const r = renderMetalLb(l2);
  expect(r.objects).toEqual([
    {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: {
        name: "metallb-system",
        labels: {
          "pod-security.kubernetes.io/enforce": "privileged",
          "pod-security.kubernetes.io/audit": "privileged",
          "pod-security.kubernetes.io/warn": "privileged",
        },
      },
    },
    {
      apiVersion: "metallb.io/v1beta1",
      kind: "IPAddressPool",
      metadata: { ...ns, name: "ingress" },
      spec: { addresses: ["192.168.30.200/32"], autoAssign: false, avoidBuggyIPs: false },
    },
    {
      apiVersion: "metallb.io/v1beta1",
      kind: "IPAddressPool",
      metadata: { ...ns, name: "services" },
      spec: { addresses: ["192.168.30.210-192.168.30.230"], autoAssign: true, avoidBuggyIPs: false },
    },
    {
      apiVersion: "metallb.io/v1beta1",
      kind: "L2Advertisement",
      metadata: { ...ns, name: "l2" },
      spec: {
        ipAddressPools: ["ingress", "services"],
        interfaces: ["eth0"],
        nodeSelectors: [{ matchExpressions: [{ key: "node-role.kubernetes.io/control-plane", operator: "DoesNotExist" }] }],
      },
    },
  ]);
  expect(r.endpoint).toBe("192.168.30.200");
  expect(r.warnings).toEqual([]);
  expect(r.helmValues).toEqual({ speaker: { ignoreExcludeLB: false } });
  expect(r.upstreamManifestUrl).toBe("https://raw.githubusercontent.com/metallb/metallb/v0.16.1/config/manifests/metallb-native.yaml");
});

test("renders the bgp objects exactly (BGPPeer is metallb.io/v1beta2)", () => {
  const r = renderMetalLb(bgp);
  expect(r.bgpPeers).toEqual([
    {
      apiVersion: "metallb.io/v1beta2",
      kind: "BGPPeer",
      metadata: { ...ns, name: "tor-a" },
      spec: {
        myASN: 64512,
        peerASN: 64513,
        peerAddress: "10.0.0.1",
        peerPort: 179,
        ebgpMultiHop: false,
        bfdProfile: "fast",
        passwordSecret: { name: "bgp-password-tor-a", namespace: "metallb-system" },
        nodeSelectors: [{ matchLabels: { "topology.kubernetes.io/zone": "rack-a" } }],
      },
    },
    {
      apiVersion: "metallb.io/v1beta2",
      kind: "BGPPeer",
      metadata: { ...ns, name: "tor-b" },
      spec: { myASN: 4200000000, peerASN: 64514, peerAddress: "10.0.0.2" },
    },
  ]);
  expect(r.bgpAdvertisement).toEqual({
    apiVersion: "metallb.io/v1beta1",
    kind: "BGPAdvertisement",
    metadata: { ...ns, name: "bgp" },
    spec: {
      ipAddressPools: ["public", "internal"],
      peers: ["tor-a", "tor-b"],
      aggregationLength: 32,
      localPref: 100,
      communities: ["65535:65282", "large:64512:1:2"],
    },
  });
  expect(r.bfdProfile).toEqual({
    apiVersion: "metallb.io/v1beta1",
    kind: "BFDProfile",
    metadata: { ...ns, name: "fast" },
    spec: {
      receiveInterval: 100,
      transmitInterval: 100,
      detectMultiplier: 3,
      echoInterval: 50,
      echoMode: false,
      passiveMode: false,
      minimumTtl: 254,
    },
  });
  expect(r.l2Advertisement).toBeUndefined();
  expect(r.objects.map((o) => o.kind)).toEqual([
    "Namespace",
    "IPAddressPool",
    "IPAddressPool",
    "BFDProfile",
    "BGPPeer",
    "BGPPeer",
    "BGPAdvertisement",
  ]);
  // avoidBuggyIPs: 203.0.113.0 is skipped.
  expect(r.endpoint).toBe("203.0.113.1");
  // BFD needs the FRR-based backend.
  expect(r.upstreamManifestUrl).toBe("https://raw.githubusercontent.com/metallb/metallb/v0.16.1/config/manifests/metallb-frr-k8s.yaml");
});

describe("CRD schemas (MetalLB v0.16.1, additionalProperties: false added)", () => {
  const strict = metallbValidator();
  const rendered = [...renderMetalLb(l2).objects, ...renderMetalLb(bgp).objects].filter((o) => o.apiVersion.startsWith("metallb.io/"));

  test("every rendered MetalLB kind is covered", () => {
    expect([...new Set(rendered.map((o) => `${o.apiVersion}/${o.kind}`))].sort()).toEqual([
      "metallb.io/v1beta1/BFDProfile",
      "metallb.io/v1beta1/BGPAdvertisement",
      "metallb.io/v1beta1/IPAddressPool",
      "metallb.io/v1beta1/L2Advertisement",
      "metallb.io/v1beta2/BGPPeer",
    ]);
    expect(metallbSchemaFiles().get("metallb.io/v1beta2/BGPPeer")).toBe("metallb/v0.16.1/jsonschema/bgppeer_v1beta2.json");
  });

  test.each(rendered.map((o) => [`${o.kind} ${o.metadata.name}`, o] as const))("%s validates", (_label, obj) => {
    expect(strict(obj)).toEqual([]);
  });

  test("a misspelt field fails the strict schema (and would pass the CRD schema as published)", () => {
    const adv = renderMetalLb(l2).l2Advertisement!;
    const spec = adv.spec as Record<string, unknown>;
    const typo = { ...adv, spec: { ipAdressPools: spec.ipAddressPools, interfaces: spec.interfaces } };
    expect(strict(typo).join("\n")).toMatch(
      /L2Advertisement\/spec must NOT have additional properties.*"additionalProperty":"ipAdressPools"/,
    );
    expect(metallbValidator(false)(typo)).toEqual([]);
    const peer = renderMetalLb(bgp).bgpPeers[1];
    expect(strict({ ...peer, spec: { ...(peer.spec as object), peerASNs: 1 } }).join("\n")).toMatch(/"additionalProperty":"peerASNs"/);
  });

  test("wrong types and CRD ranges fail, unknown kinds are reported", () => {
    const pool = renderMetalLb(l2).pools[0];
    expect(strict({ ...pool, spec: { addresses: "192.168.30.200/32" } }).join("\n")).toMatch(/\/spec\/addresses must be array/);
    const bfd = renderMetalLb(bgp).bfdProfile!;
    expect(strict({ ...bfd, spec: { detectMultiplier: 1 } }).join("\n")).toMatch(/detectMultiplier must be >= 2/);
    expect(strict({ apiVersion: "metallb.io/v1beta3", kind: "BGPPeer", metadata: { name: "x" } })).toEqual([
      "metallb.io/v1beta3/BGPPeer has no schema in MetalLB v0.16.1",
    ]);
  });

  test("strictSchema adds additionalProperties only where properties are listed", () => {
    const out = strictSchema({
      type: "object",
      properties: {
        a: { type: "object", properties: { b: { type: "string" } } },
        m: { type: "object", additionalProperties: { type: "string" } },
      },
    }) as any;
    expect(out.additionalProperties).toBe(false);
    expect(out.properties.a.additionalProperties).toBe(false);
    expect(out.properties.m.additionalProperties).toEqual({ type: "string" });
  });
});

test("the manifests YAML holds exactly the objects, without Secrets", () => {
  const r = renderMetalLb(bgp);
  expect(parseAllDocuments(r.manifests).map((d) => d.toJS())).toEqual(r.objects);
  expect(r.manifests).not.toMatch(/kind: Secret/);
});

test("the BGP password Secret is basic-auth with key password in metallb-system", () => {
  expect(renderBgpPasswordSecret("bgp-password-tor-a", "s3cret")).toEqual({
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: "bgp-password-tor-a", namespace: "metallb-system" },
    type: "kubernetes.io/basic-auth",
    stringData: { password: "s3cret" },
  });
});

describe("endpoint", () => {
  test("an explicit ingress address inside a pool is used", () => {
    expect(renderMetalLb({ ...l2, ingressAddress: "192.168.30.215" }).endpoint).toBe("192.168.30.215");
  });
  test("default: the first address of the first pool", () => {
    expect(renderMetalLb({ ...l2, pools: [l2.pools[1], l2.pools[0]] }).endpoint).toBe("192.168.30.210");
  });
  test("IPv6 pools work; the canonical form is returned", () => {
    const r = renderMetalLb({
      ...bgp,
      pools: [{ name: "v6", addresses: ["2001:db8:0:0::10-2001:db8::20"] }],
      ingressAddress: "2001:DB8::11",
    });
    expect(r.endpoint).toBe("2001:db8::11");
    expect(r.pools[0].spec).toEqual({ addresses: ["2001:db8::10-2001:db8::20"], autoAssign: true, avoidBuggyIPs: false });
  });
  test("an ingress address ending in .0 is rejected from an avoidBuggyIPs pool", () => {
    expect(() => renderMetalLb({ ...bgp, ingressAddress: "203.0.113.0" })).toThrow(
      'ingressAddress: "203.0.113.0" ends in .0 or .255, which pool "public" never hands out',
    );
  });
});

describe("warnings", () => {
  test("l2 pools outside the nodes' subnets are a warning, not an error", () => {
    const r = renderMetalLb({ ...l2, pools: [{ ...l2.pools[0] }, { name: "elsewhere", addresses: ["10.99.0.0/28"] }] });
    expect(r.warnings).toEqual([
      expect.stringMatching(
        /^pools\[1\]\.addresses\[0\]: "10\.99\.0\.0\/28" is outside the nodes' subnets \(192\.168\.30\.0\/24\); in l2 mode/,
      ),
    ]);
  });
  test("the same pool in bgp mode gives no subnet warning", () => {
    expect(renderMetalLb(bgp).warnings).toEqual([]);
  });
  test("an ingress address in an auto-assigning pool is a warning", () => {
    const r = renderMetalLb({ ...l2, ingressAddress: "192.168.30.220" });
    expect(r.warnings).toEqual([
      expect.stringMatching(/^ingressAddress: the ingress address 192\.168\.30\.220 is in pool "services", which has autoAssign enabled/),
    ]);
  });
});

test("version, loadBalancerClass and ignoreExcludeLB reach the Helm values and manifest URL", () => {
  const r = renderMetalLb({ ...l2, version: "v0.15.2", loadBalancerClass: "metallb.io/metallb", ignoreExcludeLB: true });
  expect(r.checked.version).toBe("0.15.2");
  expect(r.helmValues).toEqual({ speaker: { ignoreExcludeLB: true }, loadBalancerClass: "metallb.io/metallb" });
  expect(r.upstreamManifestUrl).toBe(upstreamManifestUrl("0.15.2", false));
  expect(upstreamManifestUrl("0.15.2", false)).toBe(
    "https://raw.githubusercontent.com/metallb/metallb/v0.15.2/config/manifests/metallb-native.yaml",
  );
});

describe("address blocks (ipaddr.js + BigInt bounds)", () => {
  test("ranges and CIDRs parse to canonical text and bounds", () => {
    expect(parseAddressBlock("f", " 192.168.30.200 - 192.168.30.220 ")).toMatchObject({
      text: "192.168.30.200-192.168.30.220",
      kind: "range",
      family: "ipv4",
    });
    const cidr = parseAddressBlock("f", "192.168.30.192/27");
    expect([bigIntToIp(cidr.first, "ipv4"), bigIntToIp(cidr.last, "ipv4")]).toEqual(["192.168.30.192", "192.168.30.223"]);
    const v6 = parseAddressBlock("f", "2001:db8::/126");
    expect(v6.last - v6.first).toBe(3n);
    expect(ipToBigInt("0.0.1.0")).toBe(256n);
  });
  test.each([
    ["192.168.30.220-192.168.30.200", 'f: "192.168.30.220-192.168.30.200" is reversed: 192.168.30.220 comes after 192.168.30.200'],
    ["192.168.30.5/24", 'f: "192.168.30.5/24" has host bits set; the network is 192.168.30.0/24'],
    ["192.168.30.0/33", 'f: "192.168.30.0/33" has an invalid prefix length'],
    ["192.168.30.1", 'f: "192.168.30.1" must be an address range'],
    ["192.168.30.1-2001:db8::1", "mixes an IPv4 and an IPv6 address"],
    ["192.168.30-192.168.30.9", '"192.168.30" is not an IP address'],
    ["a-b-c", 'f: "a-b-c" must be an address range'],
  ])("%s is rejected", (value, message) => {
    expect(() => parseAddressBlock("f", value)).toThrow(message);
  });
  test("subnet containment checks both ends of the block", () => {
    expect(blockInNetwork(parseAddressBlock("f", "192.168.30.250-192.168.30.255"), "192.168.30.0/24")).toBe(true);
    expect(blockInNetwork(parseAddressBlock("f", "192.168.30.250-192.168.31.5"), "192.168.30.0/24")).toBe(false);
    expect(blockInNetwork(parseAddressBlock("f", "2001:db8::/120"), "192.168.30.0/24")).toBe(false);
  });
});

describe("CRD limits and references (each check of checkMetalLbSpec at its bounds)", () => {
  const peer = bgp.bgpPeers![1];
  const withPeer = (over: Record<string, unknown>): MetalLbSpec => ({ ...bgp, bgpPeers: [bgp.bgpPeers![0], { ...peer, ...over }] });
  const withBfd = (over: Record<string, unknown>): MetalLbSpec => ({ ...bgp, bfdProfile: { ...bgp.bfdProfile!, ...over } });
  const withAdv = (over: Record<string, unknown>): MetalLbSpec => ({ ...bgp, bgpAdvertisement: { ...bgp.bgpAdvertisement!, ...over } });

  test("the bounds themselves are accepted", () => {
    const r = renderMetalLb({
      ...withPeer({ peerPort: 16384, myASN: 1, peerASN: 4294967295 }),
      bfdProfile: { ...bgp.bfdProfile!, receiveInterval: 10, transmitInterval: 60000, detectMultiplier: 255, minimumTtl: 1 },
      bgpAdvertisement: {
        ...bgp.bgpAdvertisement!,
        aggregationLength: 1,
        localPref: 2147483647,
        communities: ["65535:65535", "large:4294967295:0:1"],
      },
      workerCount: 0,
    });
    expect(r.bgpPeers[1].spec).toMatchObject({ peerPort: 16384, myASN: 1, peerASN: 4294967295 });
    expect(r.bfdProfile!.spec).toMatchObject({ receiveInterval: 10, transmitInterval: 60000, detectMultiplier: 255, minimumTtl: 1 });
    expect(r.bgpAdvertisement!.spec).toMatchObject({ aggregationLength: 1, localPref: 2147483647 });
    expect(renderMetalLb(withPeer({ peerPort: 1 })).bgpPeers[1].spec).toMatchObject({ peerPort: 1 });
  });

  test.each([
    ["peerPort 0", withPeer({ peerPort: 0 }), "bgpPeers[1].peerPort: 0 must be a TCP port (CRD limit) from 1 to 16384"],
    ["peerPort 16385", withPeer({ peerPort: 16385 }), "bgpPeers[1].peerPort: 16385 must be a TCP port (CRD limit) from 1 to 16384"],
    ["ebgpMultiHop as a string", withPeer({ ebgpMultiHop: "yes" }), 'bgpPeers[1].ebgpMultiHop: "yes" must be true or false'],
    [
      "a peer naming a BFD profile that is not set",
      { ...withPeer({}), bfdProfile: undefined },
      'bgpPeers[0].bfdProfile: "fast" names a BFD profile, but bfdProfile is not set',
    ],
    [
      "passwordSecret not a Secret name",
      withPeer({ passwordSecret: "Bad_Name" }),
      'bgpPeers[1].passwordSecret: "Bad_Name" must be a Secret name (a DNS subdomain)',
    ],
    [
      "receiveInterval 9",
      withBfd({ receiveInterval: 9 }),
      "bfdProfile.receiveInterval: 9 must be an interval in milliseconds from 10 to 60000",
    ],
    [
      "echoInterval 60001",
      withBfd({ echoInterval: 60001 }),
      "bfdProfile.echoInterval: 60001 must be an interval in milliseconds from 10 to 60000",
    ],
    ["detectMultiplier 1", withBfd({ detectMultiplier: 1 }), "bfdProfile.detectMultiplier: 1 must be an integer from 2 to 255"],
    ["detectMultiplier 256", withBfd({ detectMultiplier: 256 }), "bfdProfile.detectMultiplier: 256 must be an integer from 2 to 255"],
    ["minimumTtl 0", withBfd({ minimumTtl: 0 }), "bfdProfile.minimumTtl: 0 must be an integer from 1 to 254"],
    ["minimumTtl 255", withBfd({ minimumTtl: 255 }), "bfdProfile.minimumTtl: 255 must be an integer from 1 to 254"],
    [
      "aggregationLength 0",
      withAdv({ aggregationLength: 0 }),
      "bgpAdvertisement.aggregationLength: 0 must be an IPv4 prefix length from 1 to 32",
    ],
    [
      "aggregationLength 33",
      withAdv({ aggregationLength: 33 }),
      "bgpAdvertisement.aggregationLength: 33 must be an IPv4 prefix length from 1 to 32",
    ],
    ["localPref -1", withAdv({ localPref: -1 }), "bgpAdvertisement.localPref: -1 must be an integer from 0 to 2147483647"],
    [
      "localPref 2^31",
      withAdv({ localPref: 2147483648 }),
      "bgpAdvertisement.localPref: 2147483648 must be an integer from 0 to 2147483647",
    ],
    ["community 65536:1", withAdv({ communities: ["65536:1"] }), 'bgpAdvertisement.communities[0]: "65536:1" must be a BGP community'],
    ["empty community", withAdv({ communities: [""] }), 'bgpAdvertisement.communities[0]: "" must be a non-empty string'],
    ["unknown peer", withAdv({ peers: ["tor-c"] }), 'bgpAdvertisement.peers[0]: "tor-c" is not one of the BGP peers (tor-a, tor-b)'],
    [
      "unknown pool",
      withAdv({ pools: ["public", "nope"] }),
      'bgpAdvertisement.pools[1]: "nope" is not one of the pools (public, internal)',
    ],
    [
      "fractional worker count",
      { ...bgp, workerCount: 1.5 },
      "workerCount: 1.5 must be a node count, an integer from 0 to 9007199254740991",
    ],
    [
      "l2 interface name",
      { ...l2, l2Advertisement: { interfaces: ["eth 0"] } },
      'l2Advertisement.interfaces[0]: "eth 0" must be a network interface name',
    ],
    [
      "l2 unknown pool",
      { ...l2, l2Advertisement: { pools: ["x"] } },
      'l2Advertisement.pools[0]: "x" is not one of the pools (ingress, services)',
    ],
    [
      "selector operator",
      { ...l2, l2Advertisement: { nodeSelectors: [{ matchExpressions: [{ key: "a", operator: "in" }] }] } },
      'l2Advertisement.nodeSelectors[0].matchExpressions[0].operator: "in" must be one of "In", "NotIn", "Exists", "DoesNotExist"',
    ],
    [
      "gateway in a pool",
      { ...l2, gateway: "192.168.30.215" },
      'pools[1].addresses[0]: "192.168.30.210-192.168.30.230" contains the default gateway gateway (192.168.30.215)',
    ],
    [
      "BGP peer in a pool",
      withPeer({ peerAddress: "10.20.0.7" }),
      'pools[1].addresses[0]: "10.20.0.0/24" contains BGP peer bgpPeers[1].peerAddress (10.20.0.7)',
    ],
    [
      "pool without addresses",
      { ...l2, pools: [{ name: "a", addresses: [] }] },
      "pools[0].addresses: [] must list at least one address range or CIDR",
    ],
  ])("%s is refused", (_label, spec, message) => {
    expect(() => renderMetalLb(spec as MetalLbSpec)).toThrow(message);
  });
});
