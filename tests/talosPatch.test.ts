import { parseAllDocuments } from "yaml";
import { InputError } from "../src/core/errors";
import { renderControlPlanePatch, ControlPlanePatchSpec, linkSelectorToCel } from "../src/render/talos/patch";
import { parseTalosVersion } from "../src/render/talos/version";
import { talosSchemaValidator, TALOS_REFERENCE_VERSIONS } from "./helpers/reference";

const base: ControlPlanePatchSpec = {
  talosVersion: "1.11",
  endpoint: "192.168.30.30",
  link: "eth0",
  vip: "192.168.30.30",
};

function docsOf(yaml: string): Record<string, unknown>[] {
  return parseAllDocuments(yaml).map((d) => d.toJS() as Record<string, unknown>);
}

describe("renderControlPlanePatch against the Talos schema of each version", () => {
  for (const version of TALOS_REFERENCE_VERSIONS) {
    test(`Talos ${version}: every document validates and the YAML round-trips`, () => {
      const patch = renderControlPlanePatch({ ...base, talosVersion: version });
      const docs = docsOf(patch.yaml);
      expect(docs).toEqual(patch.documents);
      const validate = talosSchemaValidator(version);
      for (const doc of docs) expect(validate(doc)).toEqual([]);
    });

    test(`Talos ${version}: device selector form validates`, () => {
      const patch = renderControlPlanePatch({
        ...base,
        talosVersion: version,
        link: undefined,
        linkSelector: { hardwareAddr: "bc:24:11:*", driver: "virtio_net" },
      });
      const validate = talosSchemaValidator(version);
      for (const doc of patch.documents) expect(validate(doc)).toEqual([]);
    });
  }

  test("the schema check has teeth: the legacy VIP form is rejected by the 1.12 and 1.13 schemas", () => {
    const legacy = renderControlPlanePatch({ ...base, talosVersion: "1.11" }).documents[0];
    expect(talosSchemaValidator("1.12")(legacy).length).toBeGreaterThan(0);
    expect(talosSchemaValidator("1.13")(legacy).length).toBeGreaterThan(0);
    const multi = renderControlPlanePatch({ ...base, talosVersion: "1.12" }).documents;
    expect(talosSchemaValidator("1.11")(multi[1])).toEqual(["kind Layer2VIPConfig is not in the Talos 1.11 schema"]);
    expect(talosSchemaValidator("1.11")({ machine: { features: { kubePrizm: {} } } }).length).toBeGreaterThan(0);
  });
});

describe("VIP form switches at Talos 1.12", () => {
  test.each(["1.9", "1.11"])("Talos %s: machine.network.interfaces[].vip.ip, merged by interface name", (v) => {
    const rendered = renderControlPlanePatch({ ...base, talosVersion: v });
    const [main, ...rest] = rendered.documents;
    expect(rest).toEqual([]);
    // No addresses or routes: those come from the platform, and lists would be appended on every re-run.
    expect((main as any).machine.network).toEqual({ interfaces: [{ interface: "eth0", vip: { ip: "192.168.30.30" } }] });
    // The entry would stop Talos's default DHCP on eth0: a one-shot part keeps it (tests/talosMachinery.test.ts).
    expect(rendered.oneShot.map((p) => [p.condition, docsOf(p.yaml)])).toEqual([
      [
        { when: "unaddressed", link: { interface: "eth0" } },
        [{ machine: { network: { interfaces: [{ interface: "eth0", dhcp: true }] } } }],
      ],
    ]);
    for (const doc of docsOf(rendered.oneShot[0].yaml)) expect(talosSchemaValidator(v)(doc)).toEqual([]);
  });

  test("Talos < 1.12: linkAddressing static adds no DHCP; a selector is matched by the same deviceSelector", () => {
    expect(renderControlPlanePatch({ ...base, linkAddressing: "static" }).oneShot).toEqual([]);
    const selected = renderControlPlanePatch({ ...base, link: undefined, linkSelector: { busPath: "0000:00:12.0" } });
    expect(selected.oneShot.map((p) => [p.condition, docsOf(p.yaml)])).toEqual([
      [
        { when: "unaddressed", link: { deviceSelector: { busPath: "0000:00:12.0" } } },
        [{ machine: { network: { interfaces: [{ deviceSelector: { busPath: "0000:00:12.0" }, dhcp: true }] } } }],
      ],
    ]);
  });

  test("Talos < 1.12: a link without a VIP renders no interfaces entry (it would only stop DHCP on the link)", () => {
    const rendered = renderControlPlanePatch({ ...base, vip: undefined });
    expect((rendered.documents[0] as any).machine.network).toBeUndefined();
    expect(rendered.oneShot).toEqual([]);
  });

  test.each(["1.12", "1.13", "v1.13.9"])("Talos %s: a Layer2VIPConfig document only (no LinkConfig), no machine.network", (v) => {
    const [main, ...rest] = renderControlPlanePatch({ ...base, talosVersion: v }).documents;
    expect((main as any).machine.network).toBeUndefined();
    // A LinkConfig would stop Talos's default DHCP on every link (tests/talosMachinery.test.ts).
    expect(rest).toEqual([{ apiVersion: "v1alpha1", kind: "Layer2VIPConfig", name: "192.168.30.30", link: "eth0" }]);
  });

  test("Talos 1.12 with a selector: LinkAliasConfig named by linkAlias, used by Layer2VIPConfig", () => {
    const docs = renderControlPlanePatch({
      ...base,
      talosVersion: "1.12",
      link: undefined,
      linkAlias: "lan0",
      linkSelector: { hardwareAddr: "BC:24:11:*", driver: "virtio_net" },
    }).documents;
    expect(docs.map((d) => [d.kind, d.name, d.link])).toEqual([
      [undefined, undefined, undefined],
      ["LinkAliasConfig", "lan0", undefined],
      ["Layer2VIPConfig", "192.168.30.30", "lan0"],
    ]);
    expect((docs[1] as any).selector.match).toBe('glob("bc:24:11:*", mac(link.hardware_addr)) && link.driver == "virtio_net"');
  });

  test("Talos 1.11 with a selector: deviceSelector instead of interface", () => {
    const main = renderControlPlanePatch({ ...base, link: undefined, linkSelector: { busPath: "0000:00:12.0" } }).documents[0] as any;
    expect(main.machine.network.interfaces[0].deviceSelector).toEqual({ busPath: "0000:00:12.0" });
    expect(main.machine.network.interfaces[0].interface).toBeUndefined();
  });

  test("CEL: exact values compare with ==, wildcards use glob (also for drivers, as deviceSelector allows)", () => {
    expect(linkSelectorToCel({ permanentAddr: "aa:bb:cc:dd:ee:ff", busPath: "0000:*" })).toBe(
      'mac(link.permanent_addr) == "aa:bb:cc:dd:ee:ff" && glob("0000:*", link.bus_path)',
    );
    expect(linkSelectorToCel({ driver: "virtio*" })).toBe('glob("virtio*", link.driver)');
  });
});

describe("endpoint, certSANs and KubePrism", () => {
  test("controlPlane.endpoint is https://<endpoint>:6443; the certSANs (endpoint first) travel apart from the every-time patch", () => {
    const rendered = renderControlPlanePatch({ ...base, endpoint: "API.Example.org", extraCertSANs: ["10.0.0.5", "api.example.org"] });
    const main = rendered.documents[0] as any;
    expect(main.cluster.controlPlane.endpoint).toBe("https://api.example.org:6443");
    expect(rendered.certSANs).toEqual(["api.example.org", "10.0.0.5"]);
    // Lists are appended on every merge, so the every-time patch holds none: the push adds the missing SANs.
    expect(main.machine.certSANs).toBeUndefined();
    expect(main.cluster.apiServer).toBeUndefined();
    expect(rendered.yaml).not.toContain("certSANs");
  });

  test("IPv6 endpoints are bracketed in the URL", () => {
    const main = renderControlPlanePatch({ ...base, endpoint: "fd00::30", vip: "fd00::30" }).documents[0] as any;
    expect(main.cluster.controlPlane.endpoint).toBe("https://[fd00::30]:6443");
    expect(main.machine.network.interfaces[0].vip).toEqual({ ip: "fd00::30" });
    expect(talosSchemaValidator("1.11")(main)).toEqual([]);
  });

  test("KubePrism is enabled on 7445 by default and configurable", () => {
    expect((renderControlPlanePatch(base).documents[0] as any).machine.features.kubePrism).toEqual({ enabled: true, port: 7445 });
    expect((renderControlPlanePatch({ ...base, kubePrismPort: 7446 }).documents[0] as any).machine.features.kubePrism).toEqual({
      enabled: true,
      port: 7446,
    });
    expect((renderControlPlanePatch({ ...base, kubePrismEnabled: false }).documents[0] as any).machine.features.kubePrism.enabled).toBe(
      false,
    );
  });

  test("no link: no network configuration at all (clouds), only endpoint, SANs, KubePrism", () => {
    const docs = renderControlPlanePatch({ ...base, link: undefined, vip: undefined, endpoint: "nlb.example.com" }).documents;
    expect(docs).toHaveLength(1);
    expect((docs[0] as any).machine.network).toBeUndefined();
    expect(Object.keys((docs[0] as any).machine).sort()).toEqual(["features"]);
  });
});

describe("bad input is rejected with the field and the value", () => {
  const cases: [string, Partial<ControlPlanePatchSpec>, RegExp][] = [
    [
      "version too old",
      { talosVersion: "1.8" },
      /^talosVersion: "1.8" Talos 1.8 is not supported; supported versions are 1.9 through 1.13$/,
    ],
    ["version too new", { talosVersion: "1.14.0" }, /^talosVersion: "1.14.0" Talos 1.14 is not supported/],
    ["version malformed", { talosVersion: "latest" }, /^talosVersion: "latest" must be a Talos version/],
    [
      "endpoint with scheme",
      { endpoint: "https://192.168.30.30:6443" },
      /^endpoint: "https:\/\/192.168.30.30:6443" must be a host name or IP/,
    ],
    ["vip malformed", { vip: "192.168.30.300" }, /^vip: "192.168.30.300" is not a valid IP address/],
    ["vip without link", { link: undefined }, /^vip: "192.168.30.30" needs link or linkSelector/],
    ["link and selector", { linkSelector: { driver: "virtio_net" } }, /^linkSelector: .* cannot be combined with link/],
    ["empty selector", { link: undefined, linkSelector: {} }, /^linkSelector: \{\} must set at least one of/],
    ["selector with quotes", { link: undefined, linkSelector: { driver: 'x" || true' } }, /^linkSelector.driver: /],
    ["bad link name", { link: "eth 0" }, /^link: "eth 0" must be a network interface name/],
    ["link addressing", { linkAddressing: "manual" as never }, /^linkAddressing: "manual" must be one of "dhcp", "static"$/],
    ["KubePrism port", { kubePrismPort: 70000 }, /^kubePrismPort: 70000 must be a TCP port/],
    ["KubePrism port 0", { kubePrismPort: 0 }, /^kubePrismPort: 0 must be a TCP port, an integer from 1 to 65535$/],
    ["KubePrism port 65536", { kubePrismPort: 65536 }, /^kubePrismPort: 65536 must be a TCP port, an integer from 1 to 65535$/],
    ["legacy IPv4 form as endpoint", { endpoint: "10.1" }, /^endpoint: "10.1" is not a valid IP address/],
    [
      "link alias not a DNS label",
      { talosVersion: "1.12", link: undefined, linkSelector: { driver: "virtio_net" }, linkAlias: "Link_0" },
      /^linkAlias: "Link_0" must be a DNS label/,
    ],
    [
      "inline manifest without a name",
      { extraPatch: { cluster: { inlineManifests: [{ contents: "x" }] } } },
      /^extraPatch.cluster.inlineManifests\[0\].name: \(not set\) must be a string/,
    ],
  ];
  test.each(cases)("%s", (_label, override, message) => {
    let error: unknown;
    try {
      renderControlPlanePatch({ ...base, ...override });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toMatch(message);
  });

  test("parseTalosVersion reports what it parsed", () => {
    expect(parseTalosVersion("v1.12.3")).toEqual({
      major: 1,
      minor: 12,
      tag: "v1.12",
      multiDocNetwork: true,
      perCommandConnectionFlags: true,
    });
    expect(parseTalosVersion("1.9")).toMatchObject({ multiDocNetwork: false, perCommandConnectionFlags: false });
    expect(parseTalosVersion("1.11")).toMatchObject({ multiDocNetwork: false, perCommandConnectionFlags: true });
  });
});

describe("extraPatch is merged into the main document", () => {
  test("objects merge; one-shot parts are split off; everything validates", () => {
    const rendered = renderControlPlanePatch({
      ...base,
      extraPatch: {
        machine: {
          nodeLabels: { role: "edge", "node.kubernetes.io/exclude-from-external-load-balancers": { $patch: "delete" } },
        },
        cluster: {
          allowSchedulingOnControlPlanes: true,
          inlineManifests: [{ name: "ns", contents: "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: x\n" }],
          extraManifests: ["https://example.org/a.yaml"],
        },
      },
    });
    const main = rendered.documents[0] as any;
    expect(main.machine.certSANs).toBeUndefined();
    expect(rendered.certSANs).toEqual(["192.168.30.30"]);
    expect(main.machine.nodeLabels).toEqual({ role: "edge" });
    expect(main.machine.features.kubePrism).toEqual({ enabled: true, port: 7445 });
    expect(main.cluster.allowSchedulingOnControlPlanes).toBe(true);
    expect(main.cluster.inlineManifests).toBeUndefined();
    expect(talosSchemaValidator("1.11")(main)).toEqual([]);
    expect(rendered.oneShot.map((p) => p.condition)).toEqual([
      { when: "unaddressed", link: { interface: "eth0" } },
      { when: "present", path: "machine.nodeLabels", match: "key", value: "node.kubernetes.io/exclude-from-external-load-balancers" },
      { when: "absent", path: "cluster.inlineManifests", match: "name", value: "ns" },
      { when: "absent", path: "cluster.extraManifests", match: "item", value: "https://example.org/a.yaml" },
    ]);
    const [, label, inline, extra] = rendered.oneShot.map((p) => docsOf(p.yaml));
    expect(label).toEqual([
      { machine: { nodeLabels: { "node.kubernetes.io/exclude-from-external-load-balancers": { $patch: "delete" } } } },
    ]);
    expect(talosSchemaValidator("1.11")(inline[0])).toEqual([]);
    expect(talosSchemaValidator("1.11")(extra[0])).toEqual([]);
  });

  test.each([
    [
      { machine: { network: { interfaces: [{ interface: "eth1", mtu: 9000 }] } } },
      /^extraPatch\.machine\.network\.interfaces: .* is a list: Talos appends lists on every merge/,
    ],
    [{ machine: { certSANs: ["x.example.org"] } }, /^extraPatch\.machine\.certSANs: .*use extraCertSANs/],
    [
      { machine: { nodeTaints: { a: { $patch: "delete" } } } },
      /^extraPatch\.machine\.nodeTaints\.a\.\$patch: "delete" is only supported on machine\.nodeLabels keys/,
    ],
  ])("extraPatch parts that could not be applied twice are refused: %o", (extraPatch, message) => {
    expect(() => renderControlPlanePatch({ ...base, extraPatch })).toThrow(message);
  });

  test("a fragment that would change the endpoint is rejected with its path", () => {
    expect(() =>
      renderControlPlanePatch({ ...base, extraPatch: { cluster: { controlPlane: { endpoint: "https://evil:6443" } } } }),
    ).toThrow(
      'extraPatch.cluster.controlPlane.endpoint: "https://evil:6443" conflicts with the value this package renders ("https://192.168.30.30:6443")',
    );
  });

  test("the caller's fragment is not modified", () => {
    const fragment = { machine: { nodeLabels: { a: "1", b: { $patch: "delete" } } } };
    renderControlPlanePatch({ ...base, extraPatch: fragment });
    expect(fragment).toEqual({ machine: { nodeLabels: { a: "1", b: { $patch: "delete" } } } });
  });
});
