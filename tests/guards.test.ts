/**
 * The cross-component guards (src/render/guards): each conflict is refused naming both fields and
 * the fix, and the fixed configuration is accepted; advice comes back as data.
 */
import { checkLoadBalancerConflicts, GuardServiceLoadBalancer, GuardSpec } from "../src/render/guards";
import { InputError } from "../src/core/errors";
import { inputErrorOf } from "./helpers/errors";

const nodes: GuardSpec["nodes"] = [
  { name: "cp-01", address: "192.168.30.31/24", role: "control-plane" },
  { name: "cp-02", address: "192.168.30.32/24", role: "control-plane" },
  { name: "cp-03", address: "192.168.30.33/24", role: "control-plane" },
  { name: "w-01", address: "192.168.30.41/24", role: "worker" },
];

const kubeVipServices = (classOnly: boolean): GuardServiceLoadBalancer => ({
  name: "kube-vip Services",
  field: "kubeVip.services.classOnly",
  value: classOnly,
  loadBalancerClass: "kube-vip.io/kube-vip-class",
  servesUnclassed: !classOnly,
  layer2: true,
  modeField: "kubeVip.mode",
});
const metalLb = (loadBalancerClass?: string, layer2 = false): GuardServiceLoadBalancer => ({
  name: "MetalLB",
  field: "metallb.loadBalancerClass",
  value: loadBalancerClass,
  loadBalancerClass,
  servesUnclassed: loadBalancerClass === undefined,
  layer2,
  modeField: "metallb.mode",
});

/** The guards' refusal of `spec` (an InputError; the test fails if they accept it). */
function refusal(spec: GuardSpec): InputError {
  return inputErrorOf(() => checkLoadBalancerConflicts(spec));
}

describe("Service load balancers without distinct classes", () => {
  test("kube-vip Services and MetalLB both taking class-less Services: refused naming both fields and the fix", () => {
    const err = refusal({ serviceLoadBalancers: [kubeVipServices(false), metalLb()] });
    expect(err.field).toBe("metallb.loadBalancerClass");
    expect(err.message).toContain("conflicts with kubeVip.services.classOnly (false)");
    expect(err.message).toContain("would both take every LoadBalancer Service without spec.loadBalancerClass");
    expect(err.message).toContain("Fix: give one of them a class of its own (kube-vip: services.classOnly: true");
  });

  test("fixed: kube-vip takes only its class, MetalLB the rest; or MetalLB has a class", () => {
    expect(() => checkLoadBalancerConflicts({ serviceLoadBalancers: [kubeVipServices(true), metalLb()] })).not.toThrow();
    expect(() =>
      checkLoadBalancerConflicts({ serviceLoadBalancers: [kubeVipServices(false), metalLb("metallb.io/metallb")] }),
    ).not.toThrow();
  });

  test("two controllers serving the same class name: refused", () => {
    const err = refusal({ serviceLoadBalancers: [kubeVipServices(true), metalLb("kube-vip.io/kube-vip-class")] });
    expect(err.message).toMatch(
      /^metallb\.loadBalancerClass: "kube-vip\.io\/kube-vip-class" conflicts with kubeVip\.services\.classOnly \(true\)/,
    );
    expect(err.message).toContain('both serve the loadBalancerClass "kube-vip.io/kube-vip-class"');
  });
});

describe("BGP speakers", () => {
  const kubeVip = { kind: "kube-vip" as const, field: "kubeVip.bgp.peers", nodes: "control-planes" as const, peers: ["192.168.30.1"] };

  test("kube-vip (control planes) and MetalLB (every node) peering with the same router: refused naming both and the node", () => {
    const err = refusal({
      nodes,
      bgpSpeakers: [kubeVip, { kind: "metallb", field: "metallb.bgpPeers", nodes: "all", peers: ["192.168.30.1"] }],
    });
    expect(err.field).toBe("metallb.bgpPeers");
    expect(err.message).toContain('conflicts with kubeVip.bgp.peers (["192.168.30.1"])');
    expect(err.message).toContain("from node cp-01 to 192.168.30.1");
    expect(err.message).toContain("Fix: peer one of them with another router, or keep them on different nodes");
  });

  test("fixed: MetalLB on the workers only, or another router", () => {
    expect(() =>
      checkLoadBalancerConflicts({
        nodes,
        bgpSpeakers: [kubeVip, { kind: "metallb", field: "metallb.bgpPeers", nodes: "workers", peers: ["192.168.30.1"] }],
      }),
    ).not.toThrow();
    expect(() =>
      checkLoadBalancerConflicts({
        nodes,
        bgpSpeakers: [kubeVip, { kind: "metallb", field: "metallb.bgpPeers", nodes: "all", peers: ["192.168.30.2"] }],
      }),
    ).not.toThrow();
  });

  test("two speakers listening on TCP 179 on one node: refused even with different routers", () => {
    const err = refusal({
      nodes,
      talosVersion: "1.14",
      bgpSpeakers: [
        { kind: "talos", field: "talosBgp", nodes: ["cp-01"], peers: ["10.0.0.1"], listens: true },
        { kind: "metallb", field: "metallb.bgpPeers", nodes: "all", peers: ["10.0.0.2"], listens: true },
      ],
    });
    expect(err.message).toContain("both listen on TCP port 179 on node cp-01");
  });

  test("a Talos BGP speaker before Talos 1.14 is refused", () => {
    const err = refusal({ talosVersion: "1.12", bgpSpeakers: [{ kind: "talos", field: "talosBgp", nodes: "all", peers: ["10.0.0.1"] }] });
    expect(err.message).toContain('talosVersion "1.12" has none (Talos\'s own BGP exists from 1.14)');
  });
});

describe("kube-proxy in IPVS mode", () => {
  test("kube-vip's IPVS load balancer with kube-proxy IPVS: refused naming both (kube-vip#745); iptables accepted", () => {
    const endpoint = { backend: "kube-vip" as const, ipvsLoadBalancer: true, ipvsField: "kubeVip.loadBalancer.enabled" };
    const err = refusal({ endpoint, kubeProxy: { mode: "ipvs", field: "metallb.kubeProxyMode", strictArp: true } });
    expect(err.message).toMatch(/^kubeVip\.loadBalancer\.enabled: true conflicts with metallb\.kubeProxyMode \("ipvs"\)/);
    expect(err.message).toContain("kube-vip#745");
    expect(() =>
      checkLoadBalancerConflicts({ endpoint, kubeProxy: { mode: "iptables", field: "metallb.kubeProxyMode", strictArp: false } }),
    ).not.toThrow();
  });

  test("a Layer 2 Service load balancer with kube-proxy IPVS and no strict ARP: refused; with strict ARP accepted", () => {
    const err = refusal({
      serviceLoadBalancers: [metalLb(undefined, true)],
      kubeProxy: { mode: "ipvs", field: "kubeProxyMode", strictArp: false },
    });
    expect(err.field).toBe("metallb.mode");
    expect(err.message).toContain('conflicts with kubeProxyMode ("ipvs") without strict ARP');
    expect(err.message).toContain('"ipvs-strict-arp": "true"');
    expect(() =>
      checkLoadBalancerConflicts({
        serviceLoadBalancers: [metalLb(undefined, true)],
        kubeProxy: { mode: "ipvs", field: "kubeProxyMode", strictArp: true },
      }),
    ).not.toThrow();
    // BGP announcements are not affected.
    expect(() =>
      checkLoadBalancerConflicts({
        serviceLoadBalancers: [metalLb(undefined, false)],
        kubeProxy: { mode: "ipvs", field: "kubeProxyMode", strictArp: false },
      }),
    ).not.toThrow();
  });
});

describe("the control-plane VIP", () => {
  const endpoint = { backend: "kube-vip" as const, vip: "192.168.30.30", vipField: "kubeVip.vip" };

  test("inside a Service pool: refused naming the VIP and the pool", () => {
    const err = refusal({ endpoint, servicePools: [{ field: "metallb.pools[1].addresses[0]", block: "192.168.30.20-192.168.30.40" }] });
    expect(err.message).toBe(
      'kubeVip.vip: "192.168.30.30" lies inside the Service pool metallb.pools[1].addresses[0] (192.168.30.20-192.168.30.40): the Service load balancer ' +
        "would hand the control-plane VIP to a Service and announce it a second time. Fix: take the VIP out of the pool (split the range) or choose another VIP",
    );
    expect(() =>
      checkLoadBalancerConflicts({ endpoint, servicePools: [{ field: "p", block: "192.168.30.31-192.168.30.40" }] }),
    ).not.toThrow();
  });

  test("equal to a node or to a load-balancer host: refused", () => {
    expect(refusal({ endpoint: { ...endpoint, vip: "192.168.30.41" }, nodes, nodesField: "nodes" }).message).toContain(
      "equals the address of nodes[3] (w-01)",
    );
    expect(
      refusal({ endpoint, loadBalancerHosts: [{ field: "loadBalancer.hosts[0].address", address: "192.168.30.30/24" }] }).message,
    ).toContain("equals the load-balancer host loadBalancer.hosts[0].address");
    expect(() => checkLoadBalancerConflicts({ endpoint, nodes })).not.toThrow();
  });

  test("a malformed pool block is refused naming its field", () => {
    expect(() =>
      checkLoadBalancerConflicts({ endpoint, servicePools: [{ field: "metallb.pools[0].addresses[0]", block: "192.168.30" }] }),
    ).toThrow(/^metallb\.pools\[0\]\.addresses\[0\]: "192\.168\.30"/);
  });
});

describe("advice", () => {
  test("externalTrafficPolicy: Local for each Layer 2 Service load balancer in a multi-node cluster, none for BGP or one node", () => {
    const { warnings } = checkLoadBalancerConflicts({ nodes, serviceLoadBalancers: [kubeVipServices(true), metalLb(undefined, false)] });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^kubeVip\.mode: kube-vip Services announces Service addresses over Layer 2/);
    expect(warnings[0]).toContain("externalTrafficPolicy: Local");
    expect(warnings[0]).toContain('"Asymmetric Routing Issues"');
    expect(checkLoadBalancerConflicts({ nodes: nodes!.slice(0, 1), serviceLoadBalancers: [kubeVipServices(true)] }).warnings).toEqual([]);
  });
});
