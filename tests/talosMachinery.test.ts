/**
 * The rendered control-plane patches checked by Talos's own code, per supported Talos minor:
 * `talos-config-check-<minor>` (tools/talos/check with v<minor>.mod, on github.com/siderolabs/talos/pkg/machinery
 * of that minor) generates a control-plane config as `talosctl gen config` does, applies the patch
 * parts with the code of `talosctl patch machineconfig`, and validates the result as a metal node
 * would, strict (see tests/helpers/talosMachinery.ts). The schema-only checks are in
 * talosPatch.test.ts and metallbTalosPatch.test.ts.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { MetalLbSpec, renderBgpPasswordSecret, renderMetalLbTalosPatch } from "../src/render/metallb";
import { parsePatchYaml, toPatchYaml } from "../src/render/patchYaml";
import { ControlPlanePatchSpec, RenderedPatch, renderControlPlanePatch } from "../src/render/talos/patch";
import {
  defaultDhcpEffect,
  ensureTalosConfigCheck,
  reapplyChanges,
  TALOS_MACHINERY_VERSIONS,
  TalosCheckResponse,
  talosCheck,
  TalosMachineryVersion,
  v1alpha1Of,
  yamlDocuments,
} from "./helpers/talosMachinery";

const TOOLS = path.resolve(__dirname, "..", "tools", "talos", "check");
const MACHINERY = "github.com/siderolabs/talos/pkg/machinery";

/** The machinery release a minor's modfile pins (e.g. v1.13.9), read with `go mod edit -json`. */
function pinnedRelease(version: TalosMachineryVersion): string {
  const modfile = JSON.parse(
    execFileSync("go", ["mod", "edit", "-json", path.join(TOOLS, version === "1.13" ? "go.mod" : `v${version}.mod`)], { encoding: "utf8" }),
  ) as {
    Require?: { Path: string; Version: string }[];
  };
  const found = modfile.Require?.find((r) => r.Path === MACHINERY);
  if (!found) throw new Error(`tools/talos/check's modfile for ${version} does not require ${MACHINERY}`);
  return found.Version;
}

const VIP = "192.168.30.30";
const ENDPOINT_URL = `https://${VIP}:6443`;

/** The patch parts a push sends to a freshly generated node config: the main patch and every one-shot part. */
function pushedParts(rendered: RenderedPatch): string[] {
  return [rendered.yaml, ...rendered.oneShot.map((p) => p.yaml)];
}

/** Applies the rendered patch to a generated control-plane config and expects Talos to accept it. */
function accepted(version: TalosMachineryVersion, rendered: RenderedPatch, endpointUrl = ENDPOINT_URL): TalosCheckResponse {
  const result = talosCheck(version, { endpoint: endpointUrl, patches: pushedParts(rendered) });
  expect(result.error).toBeUndefined();
  expect(result.validationErrors).toEqual([]);
  expect(result.talosVersion).toBe(pinnedRelease(version));
  return result;
}

const metalLbInline: MetalLbSpec = {
  mode: "bgp",
  delivery: "talos-inline",
  pools: [{ name: "public", addresses: ["203.0.113.0/28"], autoAssign: false }],
  bgpPeers: [
    { name: "tor-a", myASN: 64512, peerASN: 64513, peerAddress: "10.0.0.1", passwordSecret: "bgp-password-tor-a" },
    { name: "tor-b", myASN: 64512, peerASN: 64513, peerAddress: "10.0.0.2" },
  ],
  controlPlaneVip: VIP,
  workerCount: 0,
  kubeProxyMode: "ipvs",
};

/** MetalLB's fragment as it travels between the components: YAML text out of MetalLbServices, parsed by TalosConfigPush. */
function metalLbExtraPatch(
  spec: MetalLbSpec,
  secrets = [renderBgpPasswordSecret("bgp-password-tor-a", "s3cret")],
): Record<string, unknown> {
  return parsePatchYaml("extraPatch", toPatchYaml(renderMetalLbTalosPatch(spec, secrets) as Record<string, unknown>));
}

beforeAll(
  () => {
    // A cold build takes about a minute per minor on 2 cores (scripts/ensure-tools.sh); up to date it is a no-op.
    for (const version of TALOS_MACHINERY_VERSIONS) ensureTalosConfigCheck(version);
  },
  40 * 60 * 1000,
);

test("one program source, and one modfile per minor pinning machinery of that minor", () => {
  expect(fs.readdirSync(TOOLS).filter((f) => f.endsWith(".go"))).toEqual(["main.go"]);
  for (const v of TALOS_MACHINERY_VERSIONS) expect(pinnedRelease(v)).toMatch(new RegExp(`^v${v.replace(".", "\\.")}\\.\\d+$`));
});

describe.each(TALOS_MACHINERY_VERSIONS)("Talos %s: the rendered patch, applied and validated by Talos's machinery", (version) => {
  const multiDoc = Number(version.split(".")[1]) >= 12;
  const base: ControlPlanePatchSpec = { talosVersion: version, endpoint: VIP, link: "eth0", vip: VIP };

  test(`Talos ${version}: the generated config alone validates (metal, strict)`, () => {
    const result = talosCheck(version, { patches: [] });
    expect(result.error).toBeUndefined();
    expect(result.validationErrors).toEqual([]);
    expect(result.endpoint).toBe(ENDPOINT_URL);
  });

  test(`Talos ${version}: Talos VIP on link eth0: accepted; endpoint, certSANs and the VIP land`, () => {
    const result = accepted(version, renderControlPlanePatch({ ...base, extraCertSANs: ["api.example.org"] }));
    expect(result.endpoint).toBe(ENDPOINT_URL);
    expect(result.machineCertSANs).toEqual(expect.arrayContaining([VIP, "api.example.org"]));
    expect(result.apiServerCertSANs).toEqual(expect.arrayContaining([VIP, "api.example.org"]));
    const main = v1alpha1Of(result.config);
    expect(main.cluster.controlPlane.endpoint).toBe(ENDPOINT_URL);
    expect(main.machine.features.kubePrism).toEqual({ enabled: true, port: 7445 });
    if (multiDoc) {
      expect(result.vips).toEqual([{ source: "Layer2VIPConfig", link: "eth0", ip: VIP }]);
      expect(result.legacyInterfaces).toEqual([]);
      expect(result.documents).toEqual(expect.arrayContaining([{ kind: "Layer2VIPConfig", name: VIP }]));
      // No link config document: Talos keeps its default DHCP on the node's links.
      expect(result.documents.map((d) => d.kind)).not.toContain("LinkConfig");
      expect(result.runDefaultDHCPOperators).toBe(true);
    } else {
      expect(result.vips).toEqual([{ source: "v1alpha1", link: "eth0", ip: VIP }]);
      expect(main.machine.network.interfaces).toEqual([{ interface: "eth0", vip: { ip: VIP } }]);
      expect(result.runDefaultDHCPOperators).toBeNull();
    }
  });

  test(`Talos ${version}: Talos VIP on a selected link (linkSelector): accepted; the VIP is on the selected link`, () => {
    const selector = { hardwareAddr: "bc:24:11:*", driver: "virtio_net" };
    const result = accepted(version, renderControlPlanePatch({ ...base, link: undefined, linkSelector: selector }));
    expect(result.endpoint).toBe(ENDPOINT_URL);
    expect(result.machineCertSANs).toContain(VIP);
    expect(result.apiServerCertSANs).toContain(VIP);
    if (multiDoc) {
      // The CEL expression of LinkAliasConfig is compiled by Talos's validator.
      expect(result.vips).toEqual([{ source: "Layer2VIPConfig", link: "cplink0", ip: VIP }]);
      expect(result.documents).toEqual(expect.arrayContaining([{ kind: "LinkAliasConfig", name: "cplink0" }]));
      expect(result.documents.map((d) => d.kind)).not.toContain("LinkConfig");
      expect(result.runDefaultDHCPOperators).toBe(true);
      const alias = yamlDocuments(result.config).find((d) => d.kind === "LinkAliasConfig");
      expect(alias?.selector.match).toBe('glob("bc:24:11:*", mac(link.hardware_addr)) && link.driver == "virtio_net"');
    } else {
      expect(result.vips).toEqual([{ source: "v1alpha1", link: "", selector, ip: VIP }]);
    }
  });

  test(`Talos ${version}: external load balancer (no VIP, no link): accepted; endpoint and certSANs land, no VIP`, () => {
    const rendered = renderControlPlanePatch({ talosVersion: version, endpoint: "lb.example.org", extraCertSANs: ["10.0.0.5"] });
    const result = accepted(version, rendered, "https://lb.example.org:6443");
    expect(result.endpoint).toBe("https://lb.example.org:6443");
    expect(result.machineCertSANs).toEqual(expect.arrayContaining(["lb.example.org", "10.0.0.5"]));
    expect(result.apiServerCertSANs).toEqual(expect.arrayContaining(["lb.example.org", "10.0.0.5"]));
    expect(result.vips).toEqual([]);
    expect(result.legacyInterfaces).toEqual([]);
    expect(result.documents.map((d) => d.kind)).not.toContain("LinkConfig");
    if (multiDoc) expect(result.runDefaultDHCPOperators).toBe(true);
  });

  test(`Talos ${version}: the endpoint patched onto a config generated for another endpoint replaces it`, () => {
    const result = talosCheck(version, { endpoint: "https://10.9.9.9:6443", patches: pushedParts(renderControlPlanePatch(base)) });
    expect(result.validationErrors).toEqual([]);
    expect(result.endpoint).toBe(ENDPOINT_URL);
  });

  test(`Talos ${version}: with MetalLB's talos-inline fragment merged (BGP, no workers, IPVS): accepted, every part lands`, () => {
    const rendered = renderControlPlanePatch({ ...base, extraPatch: metalLbExtraPatch(metalLbInline) });
    expect(rendered.oneShot.map((p) => p.block)).toEqual(["nodeLabels", "inlineManifests", "extraManifests"]);
    // The generated config carries the label the one-shot part deletes.
    const generated = v1alpha1Of(talosCheck(version, { patches: [] }).config);
    expect(Object.keys(generated.machine.nodeLabels ?? {})).toContain("node.kubernetes.io/exclude-from-external-load-balancers");

    const result = accepted(version, rendered);
    const main = v1alpha1Of(result.config);
    expect(main.machine.nodeLabels?.["node.kubernetes.io/exclude-from-external-load-balancers"]).toBeUndefined();
    expect(main.cluster.allowSchedulingOnControlPlanes).toBe(true);
    expect(main.cluster.proxy.extraArgs).toEqual({ "ipvs-strict-arp": "true" });
    expect(main.cluster.extraManifests).toEqual([
      "https://raw.githubusercontent.com/metallb/metallb/v0.16.1/config/manifests/metallb-native.yaml",
    ]);
    expect(main.cluster.inlineManifests.map((m: { name: string }) => m.name)).toEqual(["metallb-config"]);
    expect(result.endpoint).toBe(ENDPOINT_URL);
    expect(result.vips.map((v) => v.ip)).toEqual([VIP]);
  });

  test(`Talos ${version}: with MetalLB's kubernetes-delivery fragment (L2, no workers): accepted`, () => {
    const l2: MetalLbSpec = {
      mode: "l2",
      delivery: "kubernetes",
      pools: [{ name: "ingress", addresses: ["192.168.30.200-192.168.30.209"], autoAssign: false }],
      nodeAddresses: ["192.168.30.31/24"],
      controlPlaneVip: VIP,
      workerCount: 0,
    };
    const result = accepted(version, renderControlPlanePatch({ ...base, extraPatch: metalLbExtraPatch(l2, []) }));
    expect(v1alpha1Of(result.config).cluster.allowSchedulingOnControlPlanes).toBe(true);
  });

  // The checks have teeth: Talos refuses broken patches with its own messages.

  test(`Talos ${version}: an endpoint without scheme is refused when the patch is loaded`, () => {
    const result = talosCheck(version, { patches: [`cluster:\n  controlPlane:\n    endpoint: ${VIP}:6443\n`] });
    expect(result.error).toMatch(
      /^loading the patches: [\s\S]*parse "192\.168\.30\.30:6443": first path segment in URL cannot contain colon$/,
    );
  });

  test(`Talos ${version}: an endpoint with port 70000 is refused by Talos's validator`, () => {
    const result = talosCheck(version, { patches: [`cluster:\n  controlPlane:\n    endpoint: https://${VIP}:70000\n`] });
    expect(result.error).toBeUndefined();
    expect(result.validationErrors).toEqual([
      expect.stringMatching(/^(v1alpha1\.Config: )?invalid controlplane endpoint: port number must be between 1 and 65535$/),
    ]);
  });

  test(`Talos ${version}: a VIP that is not an IP address is refused`, () => {
    const patch = multiDoc
      ? "apiVersion: v1alpha1\nkind: Layer2VIPConfig\nname: 192.168.30.300\nlink: eth0\n"
      : "machine:\n  network:\n    interfaces:\n      - interface: eth0\n        vip:\n          ip: 192.168.30.300\n";
    const result = talosCheck(version, { patches: [patch] });
    expect(result.error).toBeUndefined();
    expect(result.validationErrors.length).toBeGreaterThan(0);
    expect(result.validationErrors.join("\n")).toMatch(/192\.168\.30\.300/);
  });

  if (multiDoc) {
    test(`Talos ${version}: a Layer2VIPConfig without link is refused ("link must be specified")`, () => {
      const result = talosCheck(version, { patches: [`apiVersion: v1alpha1\nkind: Layer2VIPConfig\nname: ${VIP}\n`] });
      expect(result.validationErrors).toEqual([`Layer2VIPConfig/${VIP}: link must be specified`]);
    });

    test(`Talos ${version}: a LinkAliasConfig whose CEL does not compile is refused`, () => {
      const result = talosCheck(version, {
        patches: ['apiVersion: v1alpha1\nkind: LinkAliasConfig\nname: cplink0\nselector:\n  match: link.no_such_field == "x"\n'],
      });
      expect(result.validationErrors.join("\n")).toMatch(/^LinkAliasConfig\/cplink0: /);
    });
  } else {
    test(`Talos ${version}: the multi-document network kinds do not exist yet (the patch is refused when loaded)`, () => {
      const result = talosCheck(version, { patches: [`apiVersion: v1alpha1\nkind: Layer2VIPConfig\nname: ${VIP}\nlink: eth0\n`] });
      expect(result.error).toBe('loading the patches: "Layer2VIPConfig" "v1alpha1": not registered');
    });
  }

  test(`Talos ${version}: deleting the exclude label where it is absent fails (why that part is one-shot, siderolabs/talos#11549)`, () => {
    const rendered = renderControlPlanePatch({ ...base, extraPatch: metalLbExtraPatch(metalLbInline) });
    const labelPart = rendered.oneShot.find((p) => p.block === "nodeLabels");
    const once = talosCheck(version, { patches: pushedParts(rendered) });
    expect(once.validationErrors).toEqual([]);
    const again = talosCheck(version, { baseConfig: once.config, patches: [rendered.yaml, labelPart!.yaml] });
    expect(again.error).toMatch(
      /failed to delete path 'machine\.nodeLabels\.node\.kubernetes\.io\/exclude-from-external-load-balancers': lookup failed$/,
    );
  });

  // The helpers of the report-only checks (defaultDhcpEffect, reapplyChanges) on hand-written
  // patches, so their answers on the rendered patches can be trusted.

  test(`Talos ${version}: reapplyChanges sees a list Talos appends to and nothing for an idempotent patch`, () => {
    expect(reapplyChanges(version, ["machine:\n  nodeLabels:\n    role: edge\n"])).toEqual([]);
    expect(reapplyChanges(version, ["machine:\n  certSANs:\n    - x.example.org\n"])).toEqual([
      { path: "v1alpha1 machine.certSANs", once: ["x.example.org"], twice: ["x.example.org", "x.example.org"] },
    ]);
  });

  test(`Talos ${version}: defaultDhcpEffect tells an interface entry with DHCP from one without`, () => {
    const withDhcp = defaultDhcpEffect(version, ["machine:\n  network:\n    interfaces:\n      - interface: eth1\n        dhcp: true\n"]);
    expect(withDhcp.interfacesWithoutAddressing).toEqual([]);
    const bare = defaultDhcpEffect(version, ["machine:\n  network:\n    interfaces:\n      - interface: eth1\n        mtu: 9000\n"]);
    expect(bare.interfacesWithoutAddressing.map((i) => i.interface)).toEqual(["eth1"]);
    expect(bare.stopsDefaultDhcp).toBe(true);
  });

  if (multiDoc) {
    // The fix for "the rendered LinkConfig takes a DHCP-addressed node off the network": with the
    // old renderer (a `LinkConfig` with `up: true` beside the Layer2VIPConfig) `after` was false.
    test.each([
      ["link eth0", { link: "eth0" }],
      ["a selected link", { link: undefined, linkSelector: { hardwareAddr: "bc:24:11:*" } }],
    ])(`Talos ${version}: the rendered VIP patch (%s) keeps Talos's default DHCP and declares the VIP`, (_what, linkArgs) => {
      const rendered = renderControlPlanePatch({ ...base, ...linkArgs } as ControlPlanePatchSpec);
      const effect = defaultDhcpEffect(version, pushedParts(rendered));
      expect(effect).toMatchObject({ before: true, after: true, linkDocuments: [], stopsDefaultDhcp: false });
      expect(talosCheck(version, { patches: pushedParts(rendered) }).vips.map((v) => v.ip)).toEqual([VIP]);
    });

    test(`Talos ${version}: defaultDhcpEffect: any LinkConfig document turns RunDefaultDHCPOperators off`, () => {
      const effect = defaultDhcpEffect(version, ["apiVersion: v1alpha1\nkind: LinkConfig\nname: eth9\nmtu: 9000\n"]);
      expect(effect).toMatchObject({ before: true, after: false, linkDocuments: ["LinkConfig/eth9"], stopsDefaultDhcp: true });
    });
  }
});
