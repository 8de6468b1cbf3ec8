/**
 * Version-aware rendering of the Talos machine-config patch each control-plane node receives.
 * Pure: no Pulumi imports.
 *
 * Sources (Talos configuration reference, per minor version):
 * - `cluster.controlPlane.endpoint`: "the canonical controlplane endpoint, which can be an IP
 *   address or a DNS hostname"; the schema requires `https://`.
 * - `machine.certSANs` / `cluster.apiServer.certSANs`: extra SANs for the Talos API (apid) and the
 *   Kubernetes API server certificates; the endpoint clients use must be in both. They are lists,
 *   which Talos's strategic merge appends to, so they are not part of the every-time patch: the
 *   push adds only the names the node's config lacks (`RenderedPatch.certSANs`, nodeConfig.ts).
 * - `machine.features.kubePrism`: the node-local API load balancer, default port 7445 ("KubePrism",
 *   Talos docs); enabled by default since Talos 1.6, rendered explicitly so the setting is visible.
 * - Talos < 1.12: `machine.network.interfaces[]` with `interface` or `deviceSelector` and `vip.ip`.
 * - Talos >= 1.12: `Layer2VIPConfig` (name = VIP, link) and, for hardware
 *   selection, `LinkAliasConfig` with a CEL `selector.match` over the LinkStatus spec.
 * - Strategic-merge semantics ("Configuration Patches", Talos docs): lists are appended, objects
 *   and scalars overwritten, `machine.network.interfaces` merged by interface, documents by kind
 *   and name. JSON6902 patches are refused for multi-document configs, the 1.12+ default.
 */
import { Document } from "yaml";
import { checkDnsLabel, checkOneOf, checkPattern, checkPort } from "../../core/checks";
import { InputError } from "../../core/errors";
import { isIpLike, parseIp } from "../../core/net";
import { parseTalosVersion, TalosVersion } from "./version";
import type { PartCondition } from "./nodeConfig";
import type { LinkAddressing } from "../enums";

/** Default KubePrism port (Talos docs, "KubePrism"). */
export const DEFAULT_KUBEPRISM_PORT = 7445;
/** Kubernetes API port on control-plane nodes and on the endpoint. */
export const KUBERNETES_API_PORT = 6443;
/** Talos API (apid) port. */
export const TALOS_API_PORT = 50000;
/** Values of {@link ControlPlanePatchSpec.linkAddressing} (the `LinkAddressing` enum). */
export const LINK_ADDRESSINGS = ["dhcp", "static"] as const;

/** Link alias used for a selected link on Talos >= 1.12 when none is given. */
export const DEFAULT_LINK_ALIAS = "cplink0";

/**
 * Hardware selection of the node's link instead of a fixed interface name. Every field that is
 * set must match (logical AND). `hardwareAddr`, `permanentAddr` and `busPath` accept `*`
 * wildcards. Rendered as `deviceSelector` for Talos < 1.12 and as a `LinkAliasConfig` CEL
 * expression for Talos >= 1.12 (Talos docs, "Network Device Selector" and "LinkAliasConfig").
 */
export interface LinkSelectorSpec {
  /** MAC address, e.g. `bc:24:11:*`. */
  hardwareAddr?: string;
  /** Permanent MAC address. */
  permanentAddr?: string;
  /** Kernel driver, e.g. `virtio_net`. */
  driver?: string;
  /** PCI bus path, e.g. `0000:00:12.0`. */
  busPath?: string;
}

/** Everything that goes into one control-plane node's patch. */
export interface ControlPlanePatchSpec {
  /** Target Talos version, 1.9 through 1.13. */
  talosVersion: string;
  /** Host name or IP clients use for the control plane (no scheme, no port). */
  endpoint: string;
  /**
   * Interface that carries the VIP, e.g. `ens18`. When neither `link` nor `linkSelector` is set, no
   * network config is rendered (cloud networks). The node's own address and routes are not
   * rendered: they come from the platform (cloud-init, DHCP) or the node's existing config, and a
   * re-applied strategic-merge patch would append them again (Talos merges lists by appending).
   */
  link?: string;
  /** Hardware selection of the link, instead of `link`. */
  linkSelector?: LinkSelectorSpec;
  /** Alias given to the selected link on Talos >= 1.12; default `cplink0`. */
  linkAlias?: string;
  /** Talos native VIP shared by the control-plane nodes; requires `link` or `linkSelector`. */
  vip?: string;
  /** KubePrism on/off; default true. */
  kubePrismEnabled?: boolean;
  /** KubePrism port, 1-65535; default 7445. */
  kubePrismPort?: number;
  /** More names or IPs to add to both certSANs lists. */
  extraCertSANs?: string[];
  /**
   * How the VIP's link gets its address when the node's config does not set it: `dhcp` (default)
   * or `static` (e.g. cloud-init/nocloud network config or the kernel's `ip=` argument). Only used
   * for Talos < 1.12, where the VIP is an `interfaces[]` entry: with `dhcp`, the push also sets
   * `dhcp: true` on that entry while the node's own entry for the link sets no addressing (see
   * {@link renderControlPlanePatch}).
   */
  linkAddressing?: LinkAddressing;
  /**
   * A further v1alpha1 strategic-merge fragment (e.g. MetalLB's). Parts that cannot be applied
   * twice are split off into {@link OneShotPart}s: `machine.nodeLabels` keys set to
   * `{$patch: delete}` (deleting an absent key fails, siderolabs/talos#11549), and
   * `cluster.inlineManifests` / `cluster.extraManifests` entries (lists are appended, and a
   * duplicate inline manifest name is invalid). The rest merges into the main document: objects
   * key by key, lists appended; a scalar that differs from what this renderer sets is an error.
   */
  extraPatch?: Record<string, unknown>;
}

/**
 * A piece of the patch that is applied only while the node's active config says it is needed
 * (judged by the push's reader, `nodeConfig.ts`): `absent` parts while an entry is missing (an
 * inline manifest's name under `cluster.inlineManifests`, an extra manifest's URL under
 * `cluster.extraManifests`), `present` parts while it is there (a key under `machine.nodeLabels`
 * that is to be deleted), `unaddressed` parts while the node's `interfaces[]` entry for a link sets
 * no addressing (Talos < 1.12, `dhcp: true` beside the VIP).
 */
export interface OneShotPart {
  condition: PartCondition;
  /** What the part does, for logs. */
  description: string;
  /** The strategic-merge patch (one v1alpha1 document). */
  yaml: string;
}

/** `applied only while ...`: a one-shot part's condition in words, for the displayed patch. */
export function describeCondition(c: PartCondition): string {
  if (c.when === "unaddressed") {
    const link = "interface" in c.link ? c.link.interface : `deviceSelector ${JSON.stringify(c.link.deviceSelector)}`;
    return `machine.network.interfaces has no entry for ${link} that sets dhcp, addresses or cidr`;
  }
  return `${c.path} ${c.when === "absent" ? "lacks" : "has"} ${JSON.stringify(c.value)}`;
}

/** One node's rendered patch. */
export interface RenderedPatch {
  /**
   * The YAML documents applied every time, in order: the v1alpha1 patch first, then network
   * documents. Without certSANs (see {@link certSANs}).
   */
  documents: Record<string, unknown>[];
  /** The documents as one multi-document YAML string. */
  yaml: string;
  /**
   * The SANs both `machine.certSANs` and `cluster.apiServer.certSANs` must hold: the endpoint, then
   * `extraCertSANs`, without duplicates. The push adds only those the node's list lacks
   * (`renderCertSansPatch` in nodeConfig.ts renders that patch); a config made from scratch needs
   * `renderCertSansPatch(certSANs, certSANs)` beside {@link yaml}.
   */
  certSANs: string[];
  /** Parts applied only when the node needs them (see {@link OneShotPart}). */
  oneShot: OneShotPart[];
}

const DNS_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*\.?$/i;

/**
 * Checks an endpoint: an IP address or a DNS host name, without scheme or port.
 * @throws InputError naming `field`.
 */
export function checkEndpoint(field: string, value: unknown): string {
  // Anything ipaddr.js reads as an address is meant as one: "10.1" is refused as an IP, not taken as a name.
  if (typeof value === "string" && isIpLike(value)) return parseIp(field, value).ip;
  const name = checkPattern(
    field,
    value,
    DNS_NAME,
    "must be a host name or IP address without scheme or port (e.g. 192.168.30.30 or api.example.org)",
  );
  return name.toLowerCase().replace(/\.$/, "");
}

/** `https://<endpoint>:6443`, with IPv6 literals in brackets. */
export function kubernetesApiUrl(endpoint: string): string {
  const host = endpoint.includes(":") ? `[${endpoint}]` : endpoint;
  return `https://${host}:${KUBERNETES_API_PORT}`;
}

function celString(value: string): string {
  return JSON.stringify(value);
}

/** CEL expression over the LinkStatus spec that matches what `selector` describes (Talos >= 1.12). */
export function linkSelectorToCel(selector: LinkSelectorSpec): string {
  const terms: string[] = [];
  const glob = (pattern: string, expr: string) =>
    pattern.includes("*") ? `glob(${celString(pattern)}, ${expr})` : `${expr} == ${celString(pattern)}`;
  if (selector.hardwareAddr) terms.push(glob(selector.hardwareAddr.toLowerCase(), "mac(link.hardware_addr)"));
  if (selector.permanentAddr) terms.push(glob(selector.permanentAddr.toLowerCase(), "mac(link.permanent_addr)"));
  if (selector.driver) terms.push(glob(selector.driver, "link.driver"));
  if (selector.busPath) terms.push(glob(selector.busPath, "link.bus_path"));
  return terms.join(" && ");
}

function checkSelector(field: string, selector: LinkSelectorSpec): LinkSelectorSpec {
  const allowed = ["hardwareAddr", "permanentAddr", "driver", "busPath"];
  const keys = Object.keys(selector).filter((k) => (selector as Record<string, unknown>)[k] !== undefined);
  const unknown = keys.filter((k) => !allowed.includes(k));
  if (unknown.length > 0)
    throw new InputError(
      `${field}.${unknown[0]}`,
      (selector as Record<string, unknown>)[unknown[0]],
      `is not a selector field; use ${allowed.join(", ")}`,
    );
  if (keys.length === 0) throw new InputError(field, selector, `must set at least one of ${allowed.join(", ")}`);
  for (const k of keys) {
    const v = (selector as Record<string, unknown>)[k];
    if (typeof v !== "string" || v.length === 0 || /["\\\n]/.test(v))
      throw new InputError(`${field}.${k}`, v, "must be a non-empty string without quotes or backslashes");
  }
  return selector;
}

function dedupe(values: string[]): string[] {
  return [...new Set(values)];
}

/** Documents as multi-document YAML, each with `---`, no anchors, no folded lines. */
export function toYaml(documents: Record<string, unknown>[]): string {
  return documents.map((doc) => new Document(doc, { aliasDuplicateObjects: false }).toString({ directives: true, lineWidth: 0 })).join("");
}

/**
 * Renders the patch for one control-plane node.
 *
 * Every part applied every time is idempotent under Talos's strategic merge: scalars and objects
 * are overwritten, network entries are merged by interface or document name, and it holds no
 * list (Talos appends lists on every merge): the certSANs are returned apart ({@link
 * RenderedPatch.certSANs}) for the push to add only where missing.
 *
 * Talos < 1.12 with a VIP: the VIP is an entry of `machine.network.interfaces`. Any such entry
 * makes the link "configured by the machine configuration": LinkConfigController makes a LinkSpec
 * of layer `ConfigMachineConfiguration` for every non-ignored entry (`processDevicesConfiguration`,
 * internal/app/machined/pkg/controllers/network/link_config.go), and OperatorConfigController
 * runs default DHCPv4 only on physical links without such a spec ("interface is configured
 * explicitly, don't run default dhcp4", operator_config.go), a DHCPv4 operator from the config
 * only for entries with `dhcp: true` (both files as of Talos v1.9.5 and v1.11.5). A node that got
 * its address from default DHCP would lose it. So with `linkAddressing: dhcp` (the default) a
 * one-shot part adds `dhcp: true` to the same entry while the node's entry for that link (if any)
 * sets neither `dhcp`, `addresses` nor `cidr` (the push's reader judges it on the node's config).
 * Without a VIP no entry is rendered at all.
 *
 * @returns the documents and their YAML. For Talos 1.9-1.11 a single v1alpha1 document (VIP under
 *   `machine.network.interfaces`); for 1.12-1.13 the v1alpha1 document plus `LinkAliasConfig`
 *   (selector only) and `Layer2VIPConfig` (VIP only); never a `LinkConfig`, which would stop
 *   Talos's default DHCP on every link. The certSANs. The one-shot parts: the `dhcp: true` part
 *   (above), then the parts split off `extraPatch`.
 * @throws InputError for an unsupported version, a malformed endpoint, VIP, selector or port, a
 *   VIP without a link, a `linkAddressing` other than `dhcp`/`static`, or an `extraPatch` that
 *   would change a rendered value.
 */
export function renderControlPlanePatch(spec: ControlPlanePatchSpec): RenderedPatch {
  const version: TalosVersion = parseTalosVersion(spec.talosVersion);
  const endpoint = checkEndpoint("endpoint", spec.endpoint);
  const kubePrismPort = checkPort("kubePrismPort", spec.kubePrismPort ?? DEFAULT_KUBEPRISM_PORT);
  const kubePrismEnabled = spec.kubePrismEnabled ?? true;
  const sans = dedupe([endpoint, ...(spec.extraCertSANs ?? []).map((s, i) => checkEndpoint(`extraCertSANs[${i}]`, s))]);

  if (spec.link !== undefined && spec.linkSelector !== undefined) {
    throw new InputError("linkSelector", spec.linkSelector, "cannot be combined with link; set one of them");
  }
  const link = spec.link === undefined ? undefined : checkLinkName("link", spec.link);
  const selector = spec.linkSelector === undefined ? undefined : checkSelector("linkSelector", spec.linkSelector);
  const hasLink = link !== undefined || selector !== undefined;
  const vip = spec.vip === undefined ? undefined : parseIp("vip", spec.vip).ip;
  if (!hasLink && vip !== undefined) throw new InputError("vip", spec.vip, "needs link or linkSelector: the VIP is assigned to a link");

  const addressing = checkOneOf("linkAddressing", spec.linkAddressing ?? "dhcp", LINK_ADDRESSINGS);

  const machine: Record<string, unknown> = {
    features: { kubePrism: { enabled: kubePrismEnabled, port: kubePrismPort } },
  };
  const main: Record<string, unknown> = {
    machine,
    cluster: {
      controlPlane: { endpoint: kubernetesApiUrl(endpoint) },
    },
  };
  const documents: Record<string, unknown>[] = [main];
  const oneShot: OneShotPart[] = [];

  if (hasLink && !version.multiDocNetwork && vip) {
    // Talos merges machine.network.interfaces by `interface`/`deviceSelector`, and `vip` is an
    // object, so applying this again changes nothing.
    const key: Record<string, unknown> = selector ? { deviceSelector: { ...selector } } : { interface: link };
    machine.network = { interfaces: [{ ...key, vip: { ip: vip } }] };
    if (addressing === "dhcp") {
      oneShot.push({
        condition: {
          when: "unaddressed",
          link: selector ? { deviceSelector: { ...(selector as Record<string, string>) } } : { interface: link as string },
        },
        description: `keep DHCP on ${link ?? "the selected link"} (dhcp: true beside the VIP)`,
        yaml: toYaml([{ machine: { network: { interfaces: [{ ...structuredClone(key), dhcp: true }] } } }]),
      });
    }
  } else if (hasLink && version.multiDocNetwork) {
    // Documents are merged by kind and name: applying them again changes nothing.
    let linkName = link as string;
    if (selector) {
      linkName = checkDnsLabel("linkAlias", spec.linkAlias ?? DEFAULT_LINK_ALIAS);
      documents.push({ apiVersion: "v1alpha1", kind: "LinkAliasConfig", name: linkName, selector: { match: linkSelectorToCel(selector) } });
    }
    // No LinkConfig: any link config document makes Talos stop its default DHCP on every physical
    // link (`RunDefaultDHCPOperators()`, pkg/machinery/config/container/container.go, v1.12.7 and
    // v1.13.9), so a node addressed by default DHCP would lose its address. Layer2VIPConfig needs
    // only `link`; the link is up already (default DHCP, or the platform's network config).
    if (vip) documents.push({ apiVersion: "v1alpha1", kind: "Layer2VIPConfig", name: vip, link: linkName });
  }
  if (spec.extraPatch !== undefined) {
    const { rest, parts } = splitOneShot(spec.extraPatch, "extraPatch");
    mergeInto(main, rest, "extraPatch");
    oneShot.push(...parts);
  }
  return { documents, yaml: toYaml(documents), certSANs: sans, oneShot };
}

/** The link name the VIP is assigned to on Talos >= 1.12 (the alias when a selector is used). */
export function vipLinkName(spec: Pick<ControlPlanePatchSpec, "link" | "linkSelector" | "linkAlias">): string | undefined {
  if (spec.linkSelector !== undefined) return spec.linkAlias ?? DEFAULT_LINK_ALIAS;
  return spec.link;
}

/**
 * Splits the parts of a v1alpha1 fragment that must not be applied twice off the rest.
 * @throws InputError naming the path when an inline manifest has no name or a manifest URL is not a string.
 */
export function splitOneShot(fragment: Record<string, unknown>, field: string): { rest: Record<string, unknown>; parts: OneShotPart[] } {
  if (!isObject(fragment)) throw new InputError(field, fragment, "must be an object (a v1alpha1 patch fragment)");
  const rest = structuredClone(fragment);
  const parts: OneShotPart[] = [];
  const machine = rest.machine;
  if (isObject(machine) && isObject(machine.nodeLabels)) {
    const labels = machine.nodeLabels;
    for (const [key, value] of Object.entries(labels)) {
      if (isObject(value) && value.$patch === "delete") {
        delete labels[key];
        parts.push({
          condition: { when: "present", path: "machine.nodeLabels", match: "key", value: key },
          description: `remove node label ${key}`,
          yaml: toYaml([{ machine: { nodeLabels: { [key]: { $patch: "delete" } } } }]),
        });
      }
    }
    if (Object.keys(labels).length === 0) delete machine.nodeLabels;
    if (Object.keys(machine).length === 0) delete rest.machine;
  }
  const cluster = rest.cluster;
  if (isObject(cluster)) {
    const inline = cluster.inlineManifests;
    if (Array.isArray(inline)) {
      inline.forEach((m, i) => {
        if (!isObject(m) || typeof m.name !== "string")
          throw new InputError(`${field}.cluster.inlineManifests[${i}].name`, isObject(m) ? m.name : m, "must be a string");
        parts.push({
          condition: { when: "absent", path: "cluster.inlineManifests", match: "name", value: m.name },
          description: `add inline manifest ${m.name}`,
          yaml: toYaml([{ cluster: { inlineManifests: [m] } }]),
        });
      });
      delete cluster.inlineManifests;
    }
    const extra = cluster.extraManifests;
    if (Array.isArray(extra)) {
      extra.forEach((url, i) => {
        if (typeof url !== "string") throw new InputError(`${field}.cluster.extraManifests[${i}]`, url, "must be a URL string");
        parts.push({
          condition: { when: "absent", path: "cluster.extraManifests", match: "item", value: url },
          description: `add extra manifest ${url}`,
          yaml: toYaml([{ cluster: { extraManifests: [url] } }]),
        });
      });
      delete cluster.extraManifests;
    }
    if (Object.keys(cluster).length === 0) delete rest.cluster;
  }
  checkRepeatable(rest, field);
  return { rest, parts };
}

/**
 * What stays in the every-time patch must be safe to apply again: no lists (Talos appends them
 * on every merge) and no `$patch` directives (a delete of a missing key fails).
 * @throws InputError naming the path.
 */
function checkRepeatable(value: unknown, field: string): void {
  if (Array.isArray(value)) {
    throw new InputError(
      field,
      value,
      "is a list: Talos appends lists on every merge, so it would grow with each push (certSANs: use extraCertSANs)",
    );
  }
  if (!isObject(value)) return;
  for (const [k, v] of Object.entries(value)) {
    if (k === "$patch")
      throw new InputError(
        `${field}.$patch`,
        v,
        "is only supported on machine.nodeLabels keys (deleting a missing key fails, siderolabs/talos#11549)",
      );
    checkRepeatable(v, `${field}.${k}`);
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/**
 * Deep-merges `fragment` into `target` (mutating it): objects key by key, lists appended without
 * duplicates, equal scalars kept.
 * @throws InputError naming the path when a scalar would change or types differ.
 */
export function mergeInto(target: Record<string, unknown>, fragment: unknown, field: string): void {
  if (!isObject(fragment)) throw new InputError(field, fragment, "must be an object (a v1alpha1 patch fragment)");
  for (const [key, value] of Object.entries(fragment)) {
    const path = `${field}.${key}`;
    const current = target[key];
    if (current === undefined) {
      target[key] = structuredClone(value);
    } else if (isObject(current) && isObject(value)) {
      mergeInto(current, value, path);
    } else if (Array.isArray(current) && Array.isArray(value)) {
      const seen = new Set(current.map((v) => JSON.stringify(v)));
      for (const item of value) if (!seen.has(JSON.stringify(item))) current.push(structuredClone(item));
    } else if (JSON.stringify(current) !== JSON.stringify(value)) {
      throw new InputError(path, value, `conflicts with the value this package renders (${JSON.stringify(current)})`);
    }
  }
}

/**
 * Checks an interface name (Linux IFNAMSIZ: at most 15 characters, no `/`, whitespace or `:`).
 * @throws InputError naming `field`.
 */
export function checkLinkName(field: string, value: unknown): string {
  return checkPattern(
    field,
    value,
    /^[A-Za-z0-9][A-Za-z0-9._-]{0,14}$/,
    "must be a network interface name such as eth0 or ens18 (at most 15 characters)",
  );
}
