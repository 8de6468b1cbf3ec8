/**
 * The Talos fragment of MetalLB: shape per situation, and schema validity for every supported
 * Talos version once merged into a minimal control-plane v1alpha1 config.
 */
import { parseAllDocuments } from "yaml";
import {
  EXCLUDE_LB_LABEL,
  MetalLbSpec,
  MetalLbTalosPatch,
  renderBgpPasswordSecret,
  renderMetalLb,
  renderMetalLbTalosPatch,
} from "../src/render/metallb";
import { TALOS_REFERENCE_VERSIONS, talosSchemaValidator } from "./helpers/reference";

const l2: MetalLbSpec = {
  mode: "l2",
  delivery: "kubernetes",
  pools: [{ name: "ingress", addresses: ["192.168.30.200-192.168.30.209"], autoAssign: false }],
  nodeAddresses: ["192.168.30.31/24"],
  controlPlaneVip: "192.168.30.30",
  workerCount: 2,
};

const bgpInline: MetalLbSpec = {
  mode: "bgp",
  delivery: "talos-inline",
  pools: [{ name: "public", addresses: ["203.0.113.0/28"], autoAssign: false }],
  bgpPeers: [
    { name: "tor-a", myASN: 64512, peerASN: 64513, peerAddress: "10.0.0.1", passwordSecret: "bgp-password-tor-a" },
    { name: "tor-b", myASN: 64512, peerASN: 64513, peerAddress: "10.0.0.2" },
  ],
  workerCount: 0,
  kubeProxyMode: "ipvs",
};
const secret = renderBgpPasswordSecret("bgp-password-tor-a", "s3cret");

test("a cluster with workers, kube-proxy in iptables mode, kubernetes delivery: nothing to patch", () => {
  expect(renderMetalLbTalosPatch(l2)).toEqual({});
});

test("no workers: the exclude label is deleted and control planes become schedulable", () => {
  expect(renderMetalLbTalosPatch({ ...l2, workerCount: 0 })).toEqual({
    machine: { nodeLabels: { "node.kubernetes.io/exclude-from-external-load-balancers": { $patch: "delete" } } },
    cluster: { allowSchedulingOnControlPlanes: true },
  });
});

test("control planes running Services with workers present: same as no workers", () => {
  expect(renderMetalLbTalosPatch({ ...l2, controlPlanesRunServices: true })).toEqual(renderMetalLbTalosPatch({ ...l2, workerCount: 0 }));
});

test("ignoreExcludeLB keeps the label (the speaker ignores it) but still allows scheduling", () => {
  expect(renderMetalLbTalosPatch({ ...l2, workerCount: 0, ignoreExcludeLB: true })).toEqual({
    cluster: { allowSchedulingOnControlPlanes: true },
  });
  expect(renderMetalLb({ ...l2, workerCount: 0, ignoreExcludeLB: true }).helmValues).toEqual({ speaker: { ignoreExcludeLB: true } });
});

test("kube-proxy in IPVS mode: strict ARP through cluster.proxy.extraArgs", () => {
  expect(renderMetalLbTalosPatch({ ...l2, kubeProxyMode: "ipvs" })).toEqual({
    cluster: { proxy: { extraArgs: { "ipvs-strict-arp": "true" } } },
  });
  expect(renderMetalLbTalosPatch({ ...l2, kubeProxyMode: "nftables" })).toEqual({});
});

test("talos-inline: pinned upstream manifest plus one inline manifest with namespace, Secret and configuration", () => {
  const patch = renderMetalLbTalosPatch(bgpInline, [secret]);
  expect(patch.machine).toEqual({ nodeLabels: { [EXCLUDE_LB_LABEL]: { $patch: "delete" } } });
  expect(patch.cluster?.allowSchedulingOnControlPlanes).toBe(true);
  expect(patch.cluster?.proxy).toEqual({ extraArgs: { "ipvs-strict-arp": "true" } });
  expect(patch.cluster?.extraManifests).toEqual([
    "https://raw.githubusercontent.com/metallb/metallb/v0.16.1/config/manifests/metallb-native.yaml",
  ]);
  expect(patch.cluster?.inlineManifests?.map((m) => m.name)).toEqual(["metallb-config"]);
  const docs = parseAllDocuments(patch.cluster!.inlineManifests![0].contents).map((d) => d.toJS());
  const [namespace, ...config] = renderMetalLb(bgpInline).objects;
  expect(docs).toEqual([namespace, secret, ...config]);
  expect(Object.keys(patch)).toEqual(["machine", "cluster"]);
  expect(Object.keys(patch.cluster!)).toEqual(["allowSchedulingOnControlPlanes", "proxy", "extraManifests", "inlineManifests"]);
});

test("talos-inline with a BFD profile uses the FRR-K8s upstream manifest", () => {
  const spec: MetalLbSpec = { ...bgpInline, bfdProfile: { name: "fast" }, bgpPeers: [{ ...bgpInline.bgpPeers![1], bfdProfile: "fast" }] };
  expect(renderMetalLbTalosPatch(spec).cluster?.extraManifests).toEqual([
    "https://raw.githubusercontent.com/metallb/metallb/v0.16.1/config/manifests/metallb-frr-k8s.yaml",
  ]);
});

test.each([
  [{ loadBalancerClass: "metallb.io/metallb" }, 'loadBalancerClass: "metallb.io/metallb" cannot be honoured with delivery "talos-inline"'],
  [{ ignoreExcludeLB: true }, 'ignoreExcludeLB: true cannot be honoured with delivery "talos-inline"'],
] as [Partial<MetalLbSpec>, string][])("talos-inline rejects %j", (override, message) => {
  expect(() => renderMetalLbTalosPatch({ ...bgpInline, ...override }, [secret])).toThrow(message);
});

test("Secrets must match the peers' passwordSecret exactly", () => {
  expect(() => renderMetalLbTalosPatch(bgpInline)).toThrow(
    'bgpPeers[0].passwordSecret: "bgp-password-tor-a" has no Secret among the rendered secrets',
  );
  expect(() => renderMetalLbTalosPatch(bgpInline, [secret, renderBgpPasswordSecret("other", "x")])).toThrow(
    'secrets[1]: "other" is not the passwordSecret of any BGP peer',
  );
  expect(() => renderMetalLbTalosPatch(bgpInline, [renderBgpPasswordSecret("bgp-password-tor-a", "")])).toThrow(
    'secrets[0]: "bgp-password-tor-a" must be a kubernetes.io/basic-auth Secret',
  );
  expect(() => renderMetalLbTalosPatch({ ...bgpInline, delivery: "kubernetes" }, [secret])).toThrow(
    'secrets: ["bgp-password-tor-a"] only the "talos-inline" delivery carries Secrets',
  );
});

describe("Talos schema, merged into a minimal control-plane config", () => {
  // The fragment is a strategic-merge patch. Its `$patch: delete` directive is not config: the
  // published schema (strict, additionalProperties: false everywhere) would report `$patch` as an
  // extra property. So the merge below applies the directive the way Talos does (the key is
  // removed) and the `$patch` keys are gone before validation.
  const base = () => ({
    version: "v1alpha1",
    machine: { type: "controlplane", nodeLabels: { [EXCLUDE_LB_LABEL]: "" } as Record<string, string> },
    cluster: { clusterName: "lab", controlPlane: { endpoint: "https://192.168.30.30:6443" } },
  });

  function merge(target: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
    const out: Record<string, unknown> = { ...target };
    for (const [k, v] of Object.entries(patch)) {
      if (v !== null && typeof v === "object" && !Array.isArray(v) && (v as Record<string, unknown>).$patch === "delete") delete out[k];
      else if (Array.isArray(v)) out[k] = [...((out[k] as unknown[]) ?? []), ...v];
      else if (v !== null && typeof v === "object") out[k] = merge((out[k] as Record<string, unknown>) ?? {}, v as Record<string, unknown>);
      else out[k] = v;
    }
    return out;
  }

  const fullest: MetalLbTalosPatch = renderMetalLbTalosPatch(bgpInline, [secret]);

  test.each(TALOS_REFERENCE_VERSIONS.map((v) => [v]))("Talos %s accepts the merged config", (version) => {
    const merged = merge(base(), fullest as Record<string, unknown>);
    expect(JSON.stringify(merged)).not.toContain("$patch");
    expect((merged.machine as { nodeLabels: object }).nodeLabels).toEqual({});
    expect(talosSchemaValidator(version)(merged)).toEqual([]);
  });

  test.each(TALOS_REFERENCE_VERSIONS.map((v) => [v]))(
    "Talos %s: the validator is strict (a misspelt key and a raw $patch are rejected)",
    (version) => {
      const validate = talosSchemaValidator(version);
      const typo = merge(base(), { cluster: { inlineManifest: fullest.cluster!.inlineManifests } });
      expect(validate(typo).join("\n")).toMatch(/additionalProperty":"inlineManifest"/);
      const raw = { ...base(), machine: { type: "controlplane", nodeLabels: fullest.machine!.nodeLabels } };
      expect(validate(raw).join("\n")).toMatch(/nodeLabels.*must be string/);
    },
  );
});
