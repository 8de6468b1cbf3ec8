/**
 * The `large` example stack under mocks: a 150-node routed cluster with an external HAProxy +
 * Keepalived endpoint and Cilium's BGP control plane for Services; and the `cilium` key of the
 * stack config (refused together with `metallb`, and without KubePrism).
 */
import { parseAllDocuments } from "yaml";
import { SynthResult } from "../examples/stack/synth";
import { ciliumValidator, ciliumValuesValidator } from "./helpers/ciliumSchema";
import { talosSchemaValidator } from "./helpers/reference";
import { readVariantConfig, removeVariants, synthVariant } from "./helpers/stacks";

jest.setTimeout(120_000);
afterAll(removeVariants);

describe("the large example stack under mocks", () => {
  let result: SynthResult & { log: string[] };
  beforeAll(async () => {
    result = await synthVariant("large");
  });

  test("registers the load balancers' pushes, CiliumServices (no Kubernetes children: talos-inline) and the Talos push", () => {
    expect(result.resources.map((r) => [r.type, r.name, r.parent]).sort()).toEqual(
      [
        ["pulumi:pulumi:Stack", "talos-endpoints-large", null],
        ["talos-endpoints:index:HaproxyKeepalivedEndpoint", "control-plane", "talos-endpoints-large"],
        ["command:remote:Command", "control-plane-lb-02", "control-plane"],
        ["command:remote:Command", "control-plane-lb-01", "control-plane"],
        ["talos-endpoints:index:CiliumServices", "services", "talos-endpoints-large"],
        ["talos-endpoints:index:TalosConfigPush", "talos-config", "talos-endpoints-large"],
        ["command:local:Command", "talos-config-cp-01", "talos-config"],
        ["command:local:Command", "talos-config-cp-02", "talos-config"],
        ["command:local:Command", "talos-config-cp-03", "talos-config"],
      ].sort(),
    );
  });

  test("the outputs: the VIP endpoint, the physical control planes in three racks, the ingress address and Cilium's BGP class", () => {
    expect(result.outputs).toMatchObject({
      endpoint: "10.10.0.30",
      kubernetesApiUrl: "https://10.10.0.30:6443",
      talosApiEndpoints: ["10.10.1.11", "10.10.2.11", "10.10.3.11"],
      servicesEndpoint: "10.20.0.10",
      servicesLoadBalancerClass: "io.cilium/bgp-control-plane",
    });
  });

  test("files/cilium/manifests.yaml: cilium.io/v2 objects that validate against Cilium 1.18.11's CRDs, unknown fields refused", () => {
    const objects = parseAllDocuments(result.files["cilium/manifests.yaml"]).map((d) => d.toJS());
    expect(objects.map((o) => `${o.apiVersion} ${o.kind}/${o.metadata.name}`)).toEqual([
      "cilium.io/v2 CiliumLoadBalancerIPPool/ingress",
      "cilium.io/v2 CiliumLoadBalancerIPPool/services",
      "cilium.io/v2 CiliumBGPPeerConfig/rr-1",
      "cilium.io/v2 CiliumBGPPeerConfig/rr-2",
      "cilium.io/v2 CiliumBGPClusterConfig/bgp",
      "cilium.io/v2 CiliumBGPAdvertisement/loadbalancer-services",
    ]);
    const validate = ciliumValidator("1.18");
    for (const o of objects) expect([o.kind, validate(o)]).toEqual([o.kind, []]);
    const cluster = objects.find((o) => o.kind === "CiliumBGPClusterConfig");
    // 147 workers: BGP is spoken from the workers only.
    expect(cluster.spec.nodeSelector).toEqual({
      matchExpressions: [{ key: "node-role.kubernetes.io/control-plane", operator: "DoesNotExist" }],
    });
    expect(cluster.spec.bgpInstances[0].peers.map((p: { peerASN: number }) => p.peerASN)).toEqual([64600, 64600]);
  });

  test("files/cilium/values.yaml validates against the 1.18.11 chart schema and enables the BGP control plane", () => {
    const [values] = parseAllDocuments(result.files["cilium/values.yaml"]).map((d) => d.toJS());
    expect(ciliumValuesValidator("1.18")(values)).toEqual([]);
    expect(values).toMatchObject({ bgpControlPlane: { enabled: true }, kubeProxyReplacement: true, k8sServicePort: 7445 });
  });

  test("every node's Talos patch: the VIP endpoint, no CNI, no kube-proxy, the inline custom resources; valid for Talos 1.12", () => {
    const validate = talosSchemaValidator("1.12");
    for (const node of ["cp-01", "cp-02", "cp-03"]) {
      const [main, sans, inline] = parseAllDocuments(result.files[`talos/${node}.yaml`]).map((d) => d.toJS());
      expect(sans.machine.certSANs).toContain("10.10.0.30"); // sent where the node lacks them
      expect(main.cluster.controlPlane.endpoint).toBe("https://10.10.0.30:6443");
      expect(main.cluster.network).toEqual({ cni: { name: "none" } });
      expect(main.cluster.proxy).toEqual({ disabled: true });
      expect(main.cluster.allowSchedulingOnControlPlanes).toBeUndefined();
      expect(inline.cluster.inlineManifests.map((m: { name: string }) => m.name)).toEqual(["cilium-services"]);
      expect(validate(main)).toEqual([]);
    }
    expect(result.files["talos/cp-01.yaml"]).toContain('# applied only while cluster.inlineManifests lacks "cilium-services"');
  });

  test("haproxy.cfg balances across the three racks' control planes", () => {
    for (const ip of ["10.10.1.11", "10.10.2.11", "10.10.3.11"]) expect(result.files["haproxy/lb-01.cfg"]).toContain(`${ip}:6443`);
  });
});

describe("the cilium key of the stack config", () => {
  test("is read as CiliumServices inputs", () => {
    const cfg = readVariantConfig("large");
    expect(cfg.cilium).toMatchObject({ mode: "bgp", delivery: "talos-inline", workerCount: 147 });
    expect(cfg.cilium?.bgp?.peers.map((p) => p.name)).toEqual(["rr-1", "rr-2"]);
  });

  test("is refused together with metallb, naming the key", () => {
    expect(() => readVariantConfig("large", { metallb: { mode: "l2", delivery: "talos-inline", workerCount: 3, pools: [] } })).toThrow(
      'talos-endpoints:cilium: {"mode":"bgp"} cannot be set together with talos-endpoints:metallb',
    );
  });

  test("is refused without KubePrism", () => {
    expect(() => readVariantConfig("large", { kubePrismEnabled: false })).toThrow(
      "talos-endpoints:kubePrismEnabled: false must not be false with talos-endpoints:cilium: Cilium reaches the API server through KubePrism",
    );
  });

  test("an unknown field inside it is refused", () => {
    expect(() =>
      readVariantConfig("large", { cilium: { mode: "l2", delivery: "talos-inline", workerCount: 3, pools: [], kubeProxyMode: "ipvs" } }),
    ).toThrow('talos-endpoints:cilium.kubeProxyMode: "ipvs" is not a field of talos-endpoints:cilium');
  });

  test("a component error stops synth with the component's field", async () => {
    await expect(
      synthVariant("large", {
        cilium: {
          mode: "bgp",
          delivery: "talos-inline",
          workerCount: 3,
          pools: [{ name: "p", blocks: ["10.10.0.0/24"] }],
          bgp: { localASN: 64600, peers: [{ name: "r", peerAddress: "10.10.9.1", peerASN: 64600 }] },
        },
      }),
    ).rejects.toThrow(/^pools\[0\]\.blocks\[0\]: "10\.10\.0\.0\/24" contains the control-plane VIP controlPlaneVip \(10\.10\.0\.30\)/);
  });
});
