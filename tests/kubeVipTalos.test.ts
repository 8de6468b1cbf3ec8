/**
 * Talos's own code on kube-vip's patch (layer 2): `talos-config-check-<minor>` (Talos
 * pkg/machinery 1.9–1.13, tools/talos/check) applies the control-plane patch with kube-vip's and
 * MetalLB's fragments merged (`mergeTalosPatches`), as the `kubevip` stack renders it, onto a
 * config made by Talos's generator, loads it as a node does and validates it strictly in metal
 * mode. The result carries the kube-vip inline manifest, the KubePrism port the DaemonSet talks
 * to, and no Talos VIP (kube-vip holds the address).
 */
import { parseAllDocuments } from "yaml";
import { mergeTalosPatches, renderKubeVipTalosPatch } from "../src/render/kubevip";
import { renderMetalLbTalosPatch } from "../src/render/metallb";
import { toPatchYaml } from "../src/render/patchYaml";
import { renderCertSansPatch } from "../src/render/talos/nodeConfig";
import { renderControlPlanePatch } from "../src/render/talos/patch";
import { talosCheck, TALOS_MACHINERY_VERSIONS, v1alpha1Of } from "./helpers/talosMachinery";
import { checkK8sObjects, ensureK8sObjectCheck } from "./helpers/k8sSchema";

jest.setTimeout(600_000);

const VIP = "192.168.30.30";
const controlPlanes = [
  { name: "cp-01", address: "192.168.30.31/24" },
  { name: "cp-02", address: "192.168.30.32/24" },
  { name: "cp-03", address: "192.168.30.33/24" },
];

beforeAll(() => {
  ensureK8sObjectCheck();
});

describe.each(TALOS_MACHINERY_VERSIONS.map((v) => [v]))("Talos %s", (version) => {
  test("accepts the control-plane patch with kube-vip (ARP, IPVS, Services by class, strict ARP) and MetalLB merged; every part lands", () => {
    const kubeVip = toPatchYaml(
      renderKubeVipTalosPatch({
        talosVersion: version,
        controlPlanes,
        vip: VIP,
        mode: "arp",
        loadBalancer: { enabled: false },
        services: { enabled: true, classOnly: true },
        kubeProxyMode: "ipvs",
        kubePrismPort: 7446,
      }) as unknown as Record<string, unknown>,
    );
    const metallb = toPatchYaml(
      renderMetalLbTalosPatch({
        mode: "bgp",
        delivery: "talos-inline",
        pools: [{ name: "services", addresses: ["192.168.40.32/27"] }],
        bgpPeers: [{ name: "tor-1", myASN: 64513, peerASN: 64512, peerAddress: "192.168.30.1" }],
        nodeAddresses: controlPlanes.map((c) => c.address),
        controlPlaneVip: VIP,
        workerCount: 3,
        kubeProxyMode: "ipvs",
      }) as unknown as Record<string, unknown>,
    );
    const merged = parseAllDocuments(mergeTalosPatches("extraPatch", [kubeVip, metallb]))[0].toJS() as Record<string, unknown>;
    const rendered = renderControlPlanePatch({ talosVersion: version, endpoint: VIP, kubePrismPort: 7446, extraPatch: merged });
    const certSans = renderCertSansPatch(rendered.certSANs, rendered.certSANs) ?? "";
    const patches = [rendered.yaml, certSans, ...rendered.oneShot.map((p) => p.yaml)].filter((p) => p !== "");

    const result = talosCheck(version, { endpoint: `https://${VIP}:6443`, patches });
    expect(result.error).toBeUndefined();
    expect(result.validationErrors).toEqual([]);
    const config = v1alpha1Of(result.config);
    expect(config.cluster.controlPlane.endpoint).toBe(`https://${VIP}:6443`);
    expect(config.machine.features.kubePrism).toEqual({ enabled: true, port: 7446 });
    expect(config.cluster.proxy.extraArgs).toEqual({ "ipvs-strict-arp": "true" });
    const inline = config.cluster.inlineManifests as { name: string; contents: string }[];
    expect(inline.map((m) => m.name)).toEqual(["kube-vip", "metallb-config"]);
    // What Talos will apply is what Kubernetes 1.36 decodes, and it talks to this KubePrism port.
    expect(checkK8sObjects(inline[0].contents)).toEqual({ ok: true, output: "ok: 4 documents" });
    const ds = parseAllDocuments(inline[0].contents)
      .map((d) => d.toJS())
      .find((o) => o.kind === "DaemonSet");
    expect(ds.spec.template.spec.containers[0].env).toContainEqual({ name: "KUBERNETES_SERVICE_PORT", value: "7446" });
    // kube-vip, not Talos, holds the VIP.
    expect(result.vips).toEqual([]);
  });
});
