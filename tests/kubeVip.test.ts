/**
 * kube-vip renderers (pure): the exact objects, every object decoded by Kubernetes 1.36's own
 * types with unknown fields refused (`k8s-object-check`), every variable name checked against
 * kube-vip v1.0.0's `pkg/kubevip/config_envvar.go` (and client-go's for the two in-cluster
 * variables), the RBAC rules and defaults against kube-vip's own generator and flags, the Talos
 * patch against the Talos config schemas, and bad inputs refused naming field and value.
 */
import * as fs from "fs";
import * as path from "path";
import { parseAllDocuments } from "yaml";
import {
  bgpPeersValue,
  checkKubeVipSpec,
  CLIENT_GO_ENV,
  DEFAULT_KUBE_VIP_CLASS,
  DEFAULT_KUBE_VIP_IMAGE,
  KUBE_VIP_LEASE_NAME,
  KUBE_VIP_RBAC_RULES,
  KUBE_VIP_REFERENCE_VERSION,
  KubeVipSpec,
  mergeTalosPatches,
  renderKubeVip,
  renderKubeVipBgpSecret,
  renderKubeVipTalosPatch,
} from "../src/render/kubevip";
import { checkK8sObjects, ensureK8sObjectCheck } from "./helpers/k8sSchema";
import { pinnedModule } from "./helpers/refModules";
import { TALOS_REFERENCE_VERSIONS, talosSchemaValidator } from "./helpers/reference";

jest.setTimeout(120_000);

const KUBE_VIP_MODULE = "github.com/kube-vip/kube-vip";
const kubeVipFile = (rel: string): string => {
  const mod = pinnedModule("kube-vip", KUBE_VIP_MODULE);
  expect(mod.version).toBe(KUBE_VIP_REFERENCE_VERSION);
  return fs.readFileSync(path.join(mod.dir, rel), "utf8");
};

const CONTROL_PLANES = [
  { name: "cp-01", address: "192.168.30.31/24" },
  { name: "cp-02", address: "192.168.30.32/24" },
  { name: "cp-03", address: "192.168.30.33/24" },
];

const arp = (over: Partial<KubeVipSpec> = {}): KubeVipSpec => ({
  talosVersion: "1.12",
  controlPlanes: CONTROL_PLANES,
  vip: "192.168.30.30",
  mode: "arp",
  interface: "eth0",
  loadBalancer: { enabled: true },
  services: { enabled: true, classOnly: true },
  ...over,
});

const bgp = (over: Partial<KubeVipSpec> = {}): KubeVipSpec => ({
  talosVersion: "1.13",
  controlPlanes: [
    { name: "cp-01", address: "10.10.1.11/24" },
    { name: "cp-02", address: "10.10.2.11/24" },
    { name: "cp-03", address: "10.10.3.11/24" },
  ],
  vip: "10.30.0.1",
  mode: "bgp",
  bgp: {
    localASN: 4200000001,
    peers: [
      { address: "10.10.0.1", asn: 64500, hasPassword: true },
      { address: "2001:db8::1", asn: 64501, port: 1790, multihop: true },
    ],
  },
  kubePrismPort: 7446,
  ...over,
});

/** The string constants of config_envvar.go: `name = "value"` inside its const block. */
function kubeVipEnvNames(): Set<string> {
  const src = kubeVipFile("pkg/kubevip/config_envvar.go");
  return new Set([...src.matchAll(/^\s*\w+\s*=\s*"([^"]+)"/gm)].map((m) => m[1]));
}

beforeAll(() => {
  ensureK8sObjectCheck();
});

describe("the rendered objects (ARP mode, IPVS load balancer, Services with class only)", () => {
  const r = renderKubeVip(arp());

  test("the DaemonSet: control planes only, kube-system, hostNetwork, privileged for IPVS masquerade (the default), the image, KubePrism as the API, exact env", () => {
    const ds = r.daemonSet as unknown as {
      metadata: { namespace: string; name: string };
      spec: { template: { spec: Record<string, unknown> & { containers: Record<string, unknown>[] } } };
    };
    expect(ds.metadata).toMatchObject({ name: "kube-vip-ds", namespace: "kube-system" });
    const pod = ds.spec.template.spec;
    expect(pod).toMatchObject({
      serviceAccountName: "kube-vip",
      hostNetwork: true,
      nodeSelector: { "node-role.kubernetes.io/control-plane": "" },
    });
    expect(pod.volumes).toBeUndefined(); // no admin.conf, no hostPath
    const c = pod.containers[0];
    expect(c).toMatchObject({
      image: DEFAULT_KUBE_VIP_IMAGE,
      args: ["manager"],
      securityContext: { privileged: true },
    });
    // without masquerade, only NET_ADMIN and NET_RAW
    const local = renderKubeVip(arp({ loadBalancer: { enabled: true, forwardingMethod: "local" } })).daemonSet as unknown as {
      spec: { template: { spec: { containers: Record<string, unknown>[] } } };
    };
    expect(local.spec.template.spec.containers[0].securityContext).toEqual({
      capabilities: { add: ["NET_ADMIN", "NET_RAW"], drop: ["ALL"] },
    });
    expect(c.volumeMounts).toBeUndefined();
    expect(c.env).toEqual([
      { name: "address", value: "192.168.30.30" },
      { name: "port", value: "6443" },
      { name: "vip_nodename", valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } },
      { name: "vip_interface", value: "eth0" },
      { name: "cp_enable", value: "true" },
      { name: "cp_namespace", value: "kube-system" },
      { name: "vip_arp", value: "true" },
      { name: "vip_leaderelection", value: "true" },
      { name: "vip_leasename", value: KUBE_VIP_LEASE_NAME },
      { name: "vip_leaseduration", value: "15" },
      { name: "vip_renewdeadline", value: "10" },
      { name: "vip_retryperiod", value: "2" },
      { name: "svc_enable", value: "true" },
      { name: "lb_class_only", value: "true" },
      { name: "lb_class_name", value: "kube-vip.io/kube-vip-class" },
      { name: "lb_enable", value: "true" },
      { name: "lb_port", value: "6443" },
      { name: "lb_fwdmethod", value: "masquerade" },
      { name: "KUBERNETES_SERVICE_HOST", value: "localhost" },
      { name: "KUBERNETES_SERVICE_PORT", value: "7445" },
    ]);
    expect(r.loadBalancerClass).toBe("kube-vip.io/kube-vip-class");
  });

  test("RBAC: ServiceAccount, ClusterRole and binding with kube-vip's names", () => {
    expect(r.serviceAccount).toEqual({
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: { name: "kube-vip", namespace: "kube-system" },
    });
    expect(r.clusterRoleBinding).toEqual({
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRoleBinding",
      metadata: { name: "system:kube-vip-binding" },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "system:kube-vip-role" },
      subjects: [{ kind: "ServiceAccount", name: "kube-vip", namespace: "kube-system" }],
    });
    expect(r.clusterRole.rules).toEqual(KUBE_VIP_RBAC_RULES);
    expect(r.objects.map((o) => o.kind)).toEqual(["ServiceAccount", "ClusterRole", "ClusterRoleBinding", "DaemonSet"]);
    expect(parseAllDocuments(r.manifests).map((d) => d.toJS())).toEqual(r.objects);
  });

  test("every object decodes strictly into Kubernetes 1.36's types; a misspelt field is refused by name", () => {
    expect(checkK8sObjects(r.manifests)).toEqual({ ok: true, output: "ok: 4 documents" });
    const broken = r.manifests.replace("hostNetwork: true", "hostnetwork: true");
    const verdict = checkK8sObjects(broken);
    expect(verdict.ok).toBe(false);
    expect(verdict.output).toContain('document 3 (DaemonSet kube-vip-ds): unknown field "spec.template.spec.hostnetwork"');
    const wrongType = r.manifests.replace("hostNetwork: true", 'hostNetwork: "yes"');
    expect(checkK8sObjects(wrongType).ok).toBe(false);
  });
});

describe("against kube-vip's own source (v1.0.0, from the Go module cache)", () => {
  const variants: [string, KubeVipSpec][] = [
    ["arp", arp()],
    ["arp, defaults", arp({ interface: undefined, loadBalancer: undefined, services: undefined })],
    ["arp, masquerade", arp({ loadBalancer: { enabled: true, forwardingMethod: "masquerade", port: 8443 } })],
    ["bgp", bgp()],
    [
      "bgp, no password, router id",
      bgp({
        controlPlanes: [CONTROL_PLANES[0]],
        vip: "10.30.0.1",
        bgp: { localASN: 65000, routerId: "192.168.30.31", peers: [{ address: "192.168.30.1", asn: 65001 }] },
      }),
    ],
  ];

  test.each(variants)("%s: every variable name is one of config_envvar.go's, except client-go's two in-cluster variables", (_n, spec) => {
    const known = kubeVipEnvNames();
    expect(known.size).toBeGreaterThan(70);
    const names = renderKubeVip(spec).env.map((e) => e.name);
    const notKubeVip = names.filter((n) => !known.has(n));
    expect(notKubeVip).toEqual([...CLIENT_GO_ENV]);
  });

  test("KUBERNETES_SERVICE_HOST / _PORT are what client-go v0.33.3 (kube-vip v1.0.0's) reads for the in-cluster config", () => {
    const goMod = kubeVipFile("go.mod");
    expect(goMod).toMatch(/^\s*k8s\.io\/client-go v0\.33\.3$/m);
    const clientGo = pinnedModule("kube-vip", "k8s.io/client-go");
    const restConfig = fs.readFileSync(path.join(clientGo.dir, "rest", "config.go"), "utf8");
    expect(restConfig).toContain('os.Getenv("KUBERNETES_SERVICE_HOST"), os.Getenv("KUBERNETES_SERVICE_PORT")');
  });

  test("without /etc/kubernetes/admin.conf (Talos has none) kube-vip falls back to the in-cluster config", () => {
    const manager = kubeVipFile("pkg/manager/manager.go");
    expect(manager).toContain('adminConfigPath := "/etc/kubernetes/admin.conf"');
    expect(manager).toMatch(/default:\s*\n\s*clientConfig, err = k8s\.NewRestConfig\("", true, ""\)/);
    expect(renderKubeVip(arp()).manifests).not.toContain("admin.conf");
  });

  test("the ClusterRole's rules are exactly GenerateRole's (config_generator.go)", () => {
    const gen = kubeVipFile("pkg/kubevip/config_generator.go");
    const block = gen.slice(gen.indexOf("Rules: []applyRbacV1.PolicyRuleApplyConfiguration{"));
    const rules = [
      ...block.matchAll(/APIGroups: \[\]string\{([^}]*)\},\s*Resources: \[\]string\{([^}]*)\},\s*Verbs:\s*\[\]string\{([^}]*)\}/g),
    ]
      .slice(0, 6)
      .map((m) => m.slice(1).map((list) => [...list.matchAll(/"([^"]*)"/g)].map((q) => q[1])))
      .map(([apiGroups, resources, verbs]) => ({ apiGroups, resources, verbs }));
    expect(rules).toEqual(KUBE_VIP_RBAC_RULES);
    expect(gen).toContain('name = "system:kube-vip-role"');
    expect(gen).toContain('bindName = "system:kube-vip-binding"');
    expect(gen).toContain('Name:      "kube-vip-ds"');
  });

  test("the defaults this package relies on are kube-vip's (cmd/kube-vip.go flags) or stated otherwise", () => {
    const cmd = kubeVipFile("cmd/kube-vip.go");
    expect(cmd).toContain('"lbPort", 6443,');
    expect(cmd).toContain('"lbForwardingMethod", "local",');
    expect(cmd).toContain(`"lbClassName", "${DEFAULT_KUBE_VIP_CLASS}",`);
    expect(cmd).toContain(`"leaseName", "${KUBE_VIP_LEASE_NAME}",`);
    // kube-vip's own lease defaults are 5 / 3 / 1 s; this package renders 15 / 10 / 2 on purpose (types.ts).
    expect(cmd).toContain('"leaseDuration", 5,');
    expect(cmd).toContain('"leaseRenewDuration", 3,');
    expect(cmd).toContain('"leaseRetry", 1,');
    // lb_class_only and lb_class_name are read only inside `if svc_enable != ""`: svc_enable is always rendered.
    const envCode = kubeVipFile("pkg/kubevip/config_environment.go");
    const svcBlock = envCode.slice(envCode.indexOf("env = os.Getenv(svcEnable)"), envCode.indexOf("env = os.Getenv(vipSubnet)"));
    expect(svcBlock).toContain("os.Getenv(lbClassOnly)");
    expect(svcBlock).toContain("os.LookupEnv(lbClassName)");
    expect(renderKubeVip(arp({ services: undefined })).env.find((e) => e.name === "svc_enable")).toEqual({
      name: "svc_enable",
      value: "false",
    });
    // the forwarding methods kube-vip knows
    const ipvs = kubeVipFile("pkg/loadbalancer/ipvs.go");
    for (const m of ["masquerade", "local", "tunnel", "directroute", "bypass"]) expect(ipvs).toContain(`case "${m}":`);
  });

  test("bgp_peers is written in peers.go's format: address:AS:password:multihop:port, IPv6 in brackets", () => {
    const peers = kubeVipFile("pkg/bgp/peers.go");
    expect(peers).toContain('peer := strings.Split(peerStr, ":")');
    expect(peers).toMatch(
      /password = peer\[2\][\s\S]*multiHop, err = strconv\.ParseBool\(peer\[3\]\)[\s\S]*port, err = strconv\.ParseUint\(peer\[4\], 10, 16\)/,
    );
    const c = checkKubeVipSpec(bgp());
    expect(bgpPeersValue(c, ["s3cret", undefined])).toBe("10.10.0.1:64500:s3cret:false:179,[2001:db8::1]:64501::true:1790");
  });
});

describe("BGP mode", () => {
  test("every control plane announces (no leader election), its own address as router ID, the peer list from the Secret when a peer has a password", () => {
    const r = renderKubeVip(bgp());
    const env = Object.fromEntries(r.env.map((e) => [e.name, e]));
    expect(env.vip_arp).toEqual({ name: "vip_arp", value: "false" });
    expect(env.vip_leaderelection).toEqual({ name: "vip_leaderelection", value: "false" });
    expect(env.bgp_enable).toEqual({ name: "bgp_enable", value: "true" });
    expect(env.bgp_routerid).toEqual({ name: "bgp_routerid", valueFrom: { fieldRef: { fieldPath: "status.hostIP" } } });
    expect(env.bgp_as).toEqual({ name: "bgp_as", value: "4200000001" });
    expect(env.bgp_peers).toEqual({ name: "bgp_peers", valueFrom: { secretKeyRef: { name: "kube-vip-bgp", key: "bgp_peers" } } });
    expect(env.KUBERNETES_SERVICE_PORT).toEqual({ name: "KUBERNETES_SERVICE_PORT", value: "7446" });
    expect(env.vip_leaseduration).toBeUndefined();
    expect(r.manifests).not.toContain("s3cret");
  });

  test("without passwords the peer list is a plain value; an explicit router ID with one control plane", () => {
    const r = renderKubeVip(
      bgp({
        controlPlanes: [{ name: "cp-01", address: "10.10.1.11/24" }],
        bgp: { localASN: 65000, routerId: "10.10.1.11", peers: [{ address: "10.10.1.1", asn: 65001 }] },
      }),
    );
    const env = Object.fromEntries(r.env.map((e) => [e.name, e]));
    expect(env.bgp_peers).toEqual({ name: "bgp_peers", value: "10.10.1.1:65001::false:179" });
    expect(env.bgp_routerid).toEqual({ name: "bgp_routerid", value: "10.10.1.11" });
  });

  test("the Talos patch carries the Secret first, then the objects; all decode strictly", () => {
    const patch = renderKubeVipTalosPatch(bgp(), ["s3cret", undefined]);
    expect(patch.cluster.inlineManifests.map((m) => m.name)).toEqual(["kube-vip"]);
    const contents = patch.cluster.inlineManifests[0].contents;
    const docs = parseAllDocuments(contents).map((d) => d.toJS());
    expect(docs.map((d) => d.kind)).toEqual(["Secret", "ServiceAccount", "ClusterRole", "ClusterRoleBinding", "DaemonSet"]);
    expect(docs[0]).toEqual({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "kube-vip-bgp", namespace: "kube-system" },
      type: "Opaque",
      stringData: { bgp_peers: "10.10.0.1:64500:s3cret:false:179,[2001:db8::1]:64501::true:1790" },
    });
    expect(checkK8sObjects(contents)).toEqual({ ok: true, output: "ok: 5 documents" });
    expect(patch.cluster.proxy).toBeUndefined();
  });

  test("passwords kube-vip's format cannot carry, or missing ones, are refused as [secret]", () => {
    const c = checkKubeVipSpec(bgp());
    expect(() => renderKubeVipBgpSecret(c, ["pa:ss", undefined])).toThrow(
      `bgp.peers[0].password: "[secret]" must be non-empty and hold no ':', ',', '/' or whitespace`,
    );
    expect(() => renderKubeVipBgpSecret(c, [undefined, undefined])).toThrow("bgp.peers[0].password: (not set) is missing");
    expect(() => renderKubeVipBgpSecret(c, ["x", "y"])).toThrow(
      'bgp.peers[1].password: "[secret]" is given for a peer without hasPassword',
    );
  });
});

describe("the Talos patch", () => {
  const base = () => ({
    version: "v1alpha1",
    machine: { type: "controlplane" },
    cluster: { clusterName: "lab", controlPlane: { endpoint: "https://192.168.30.30:6443" } },
  });

  test.each(TALOS_REFERENCE_VERSIONS.map((v) => [v]))(
    "Talos %s's config schema accepts it merged into a control-plane config",
    (version) => {
      const validate = talosSchemaValidator(version);
      for (const spec of [arp({ kubeProxyMode: "ipvs", loadBalancer: undefined }), bgp()]) {
        const patch = renderKubeVipTalosPatch(spec, spec.mode === "bgp" ? ["s3cret", undefined] : []);
        const doc = base() as Record<string, unknown> & { cluster: Record<string, unknown> };
        doc.cluster = { ...doc.cluster, ...patch.cluster };
        expect(validate(doc)).toEqual([]);
      }
    },
  );

  test("strict ARP only when kube-vip announces Services by ARP and kube-proxy runs in IPVS mode", () => {
    expect(renderKubeVipTalosPatch(arp({ kubeProxyMode: "ipvs", loadBalancer: undefined })).cluster.proxy).toEqual({
      extraArgs: { "ipvs-strict-arp": "true" },
    });
    expect(
      renderKubeVipTalosPatch(arp({ kubeProxyMode: "ipvs", loadBalancer: undefined, services: undefined })).cluster.proxy,
    ).toBeUndefined();
    expect(renderKubeVipTalosPatch(arp()).cluster.proxy).toBeUndefined();
  });
});

describe("bad inputs are refused naming field and value", () => {
  test.each<[string, Partial<KubeVipSpec>, string]>([
    [
      "VIP outside the nodes' subnet (arp)",
      { vip: "192.168.40.30" },
      'vip: "192.168.40.30" is outside the subnet 192.168.30.0/24 of controlPlanes[0] (cp-01)',
    ],
    ["VIP equal to a node", { vip: "192.168.30.32" }, 'vip: "192.168.30.32" equals the address of controlPlanes[1] (cp-02)'],
    [
      "renew deadline = lease",
      { leaseDurationSeconds: 10, renewDeadlineSeconds: 10 },
      "renewDeadlineSeconds: 10 must be less than leaseDurationSeconds (10)",
    ],
    [
      "renew deadline > lease (default lease)",
      { renewDeadlineSeconds: 20 },
      "renewDeadlineSeconds: 20 must be less than leaseDurationSeconds (15)",
    ],
    [
      "retry = renew",
      { renewDeadlineSeconds: 5, retryPeriodSeconds: 5 },
      "retryPeriodSeconds: 5 must be less than renewDeadlineSeconds / 1.2 (5 / 1.2)",
    ],
    [
      "renew = 1.2 × retry (client-go refuses it)",
      { renewDeadlineSeconds: 6, retryPeriodSeconds: 5 },
      "retryPeriodSeconds: 5 must be less than renewDeadlineSeconds / 1.2 (6 / 1.2)",
    ],
    ["fractional lease", { leaseDurationSeconds: 1.5 }, "leaseDurationSeconds: 1.5 must be whole seconds from 1 to 3600"],
    ["bgp in arp mode", { bgp: { localASN: 1, peers: [] } }, 'bgp: {"localASN":1,"peers":[]} only applies in bgp mode'],
    ["unknown mode", { mode: "l2" }, 'mode: "l2" must be one of "arp", "bgp"'],
    [
      "unknown forwarding method",
      { loadBalancer: { enabled: true, forwardingMethod: "dsr" } },
      'loadBalancer.forwardingMethod: "dsr" must be one of',
    ],
    ["IPVS with kube-proxy IPVS", { kubeProxyMode: "ipvs" }, 'loadBalancer.enabled: true conflicts with kubeProxyMode ("ipvs")'],
    [
      "VIP in another controller's pool",
      { servicePools: ["192.168.30.16/28"] },
      'vip: "192.168.30.30" lies inside the Service pool servicePools[0] (192.168.30.16/28)',
    ],
    ["Talos version", { talosVersion: "1.8" }, 'talosVersion: "1.8" Talos 1.8 is not supported'],
  ])("arp: %s", (_name, over, message) => {
    expect(() => renderKubeVip(arp(over))).toThrow(message);
  });

  test.each<[string, Partial<NonNullable<KubeVipSpec["bgp"]>>, string]>([
    ["local ASN 0", { localASN: 0 }, "bgp.localASN: 0 must be an AS number, an integer from 1 to 4294967295"],
    ["local ASN too large", { localASN: 4294967296 }, "bgp.localASN: 4294967296 must be an AS number, an integer from 1 to 4294967295"],
    ["peer ASN too large", { peers: [{ address: "10.10.0.1", asn: 4294967296 }] }, "bgp.peers[0].asn: 4294967296 must be an AS number"],
    ["no peers", { peers: [] }, "bgp.peers: [] must list at least one BGP peer in bgp mode"],
    ["shared router ID", { routerId: "10.10.1.11" }, 'bgp.routerId: "10.10.1.11" cannot be shared by 3 control planes'],
    ["IPv6 router ID", { routerId: "2001:db8::5" }, 'bgp.routerId: "2001:db8::5" must be an IPv4 address'],
    [
      "peer is a node",
      { peers: [{ address: "10.10.2.11", asn: 1 }] },
      'bgp.peers[0].address: "10.10.2.11" is the address of controlPlanes[1] (cp-02)',
    ],
    ["bad port", { peers: [{ address: "10.10.0.1", asn: 1, port: 70000 }] }, "bgp.peers[0].port: 70000 must be a TCP port"],
  ])("bgp: %s", (_name, over, message) => {
    const spec = bgp();
    expect(() => renderKubeVip({ ...spec, bgp: { ...spec.bgp!, ...over } })).toThrow(message);
  });

  test("bgp mode accepts a VIP outside the nodes' subnets (it is routed), and refuses a missing bgp section", () => {
    expect(renderKubeVip(bgp()).checked.vip).toBe("10.30.0.1");
    expect(() => renderKubeVip(bgp({ bgp: undefined }))).toThrow("bgp: (not set) must be set in bgp mode");
  });

  test("warnings: Services without classOnly; externalTrafficPolicy advice for Services announced by ARP", () => {
    const w = renderKubeVip(arp({ services: { enabled: true } })).warnings;
    expect(w.some((x) => x.startsWith("services.classOnly: false: kube-vip also takes every LoadBalancer Service without"))).toBe(true);
    expect(w.some((x) => x.includes("externalTrafficPolicy: Local"))).toBe(true);
    expect(renderKubeVip(arp({ services: undefined })).warnings).toEqual([]);
  });
});

describe("mergeTalosPatches (kube-vip's patch beside a Service load balancer's)", () => {
  test("lists append, mappings merge, a scalar set twice differently is refused naming its path", () => {
    const kubeVip =
      'cluster:\n  inlineManifests:\n    - name: kube-vip\n      contents: a\n  proxy:\n    extraArgs:\n      ipvs-strict-arp: "true"\n';
    const metallb =
      'cluster:\n  inlineManifests:\n    - name: metallb-config\n      contents: b\n  proxy:\n    extraArgs:\n      ipvs-strict-arp: "true"\n';
    const merged = parseAllDocuments(mergeTalosPatches("extraPatch", [kubeVip, metallb])).map((d) => d.toJS());
    expect(merged).toEqual([
      {
        cluster: {
          inlineManifests: [
            { name: "kube-vip", contents: "a" },
            { name: "metallb-config", contents: "b" },
          ],
          proxy: { extraArgs: { "ipvs-strict-arp": "true" } },
        },
      },
    ]);
    expect(() =>
      mergeTalosPatches("extraPatch", [
        "cluster:\n  allowSchedulingOnControlPlanes: true\n",
        "cluster:\n  allowSchedulingOnControlPlanes: false\n",
      ]),
    ).toThrow("extraPatch.cluster.allowSchedulingOnControlPlanes: false conflicts with the value this package renders (true)");
    expect(() => mergeTalosPatches("extraPatch", ["- a\n"])).toThrow("extraPatch:");
  });
});
