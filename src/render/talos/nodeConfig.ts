/**
 * What the push decides from the node's own state, read with a YAML library instead of text
 * scanning. Pure: no Pulumi imports, no I/O (the command-line wrapper is `pushReader.ts`).
 *
 * Two inputs, both printed by talosctl on the machine that runs the push:
 *
 * - The node's active machine config, as `talosctl get machineconfig v1alpha1 -o 'jsonpath={.spec}'`
 *   prints it: the config's own multi-document YAML (a v1alpha1 document without `kind`, then
 *   documents with `kind`/`name`). Why that output is the raw config: the node's MachineConfig
 *   resource marshals its spec as the config's YAML text (Talos >= 1.12, annotation
 *   `talos.dev/yaml-spec`: pkg/machinery/resources/config/machine_config.go, v1.12.7 and v1.13.9);
 *   for older nodes talosctl >= 1.12 wraps the raw bytes the same way (`mcYamlRepr`,
 *   cmd/talosctl/cmd/talos/output/yaml.go and json.go, v1.12.6 and v1.13.9), and talosctl 1.9's
 *   own jsonpath output does so too (output/json.go, v1.9.5). A JSON rendering of the v1alpha1
 *   document (what an older client could print) is YAML as well and reads the same way.
 * - The output of `talosctl version --short`: `Client:`, then the client's short version
 *   (`Talos v1.13.9`), then `Server:` and for each node the long form with a `Tag:` line
 *   (cmd/talosctl/cmd/talos/version.go and pkg/machinery/version/version.go, identical in
 *   v1.9.5, v1.11.5, v1.12.6 and v1.13.9: `--short` shortens only the client part).
 */
import { parseAllDocuments } from "yaml";
import { isIpLike, tryParseIp } from "../../core/net";
import { toYaml } from "./patch";

/** Oldest talosctl minor that reads a Talos >= 1.12 node's multi-document config whole (see {@link checkVersions}). */
export const MIN_CLIENT_MINOR_FOR_MULTIDOC = 12;

/** A condition on the node's active config under which a one-shot part is applied. */
export type PartCondition =
  | {
      /** `absent`: applied while the entry is missing; `present`: while it is there. */
      when: "absent" | "present";
      /** Dotted path of the block from the v1alpha1 document's root, e.g. `machine.nodeLabels`. */
      path: string;
      /** `key`: a key of the mapping at `path`; `name`: a list item whose `name` is `value`; `item`: a scalar list item. */
      match: "key" | "name" | "item";
      value: string;
    }
  | {
      /**
       * Applied while no `machine.network.interfaces[]` entry for `link` (same `interface` name,
       * or the same `deviceSelector`) sets `dhcp`, `addresses` or `cidr`, or `ignore: true`:
       * the link's addressing then comes from outside the machine config's entry (Talos's
       * default DHCP), which an entry of the push would otherwise switch off (see patch.ts).
       */
      when: "unaddressed";
      link: { interface: string } | { deviceSelector: Record<string, string> };
    };

/** One one-shot part as the reader sees it: its condition, its file (one of the script's stdin parts) and a label. */
export interface ReaderPart {
  condition: PartCondition;
  /** File name inside the push's private directory, e.g. `part-1.yaml`. */
  file: string;
  description: string;
}

/** Everything the push asks about the node's config. */
export interface ReaderRequest {
  /** The main patch's file (always applied). */
  main: string;
  /** One-shot parts, applied in this order after the main patch while their condition holds. */
  parts: ReaderPart[];
  /** SANs both `machine.certSANs` and `cluster.apiServer.certSANs` must hold; only missing ones are added. */
  certSANs: string[];
  /** Talos >= 1.12 with a VIP: delete the other `Layer2VIPConfig` documents on this link. */
  staleVips?: { link: string; vip: string };
}

/** A file the reader writes into the push's private directory. */
export interface ReaderFile {
  file: string;
  content: string;
}

/** The reader's answer: files to write, the `--patch` files in order, and lines for the log. */
export interface ReaderAnswer {
  files: ReaderFile[];
  /** File names in `talosctl patch --patch` order. */
  patches: string[];
  messages: string[];
}

/** File name of the generated Layer2VIPConfig deletes. */
export const STALE_VIPS_FILE = "stale-vips.yaml";
/** File name of the patch that deletes a legacy `machine.network.interfaces[].vip` (a cluster upgraded from < 1.12). */
export const LEGACY_VIPS_FILE = "legacy-vips.yaml";
/** File name of the patch that puts those interfaces entries back without their `vip`. */
export const LEGACY_VIPS_READD_FILE = "legacy-vips-readd.yaml";
/** File name of the generated certSANs patch. */
export const CERT_SANS_FILE = "cert-sans.yaml";

type Json = Record<string, unknown>;

function isMap(v: unknown): v is Json {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/**
 * Parses the node's multi-document machine config.
 * @returns every document as a plain object (empty documents dropped).
 * @throws Error naming the first YAML error (line and column); the config text is never quoted,
 *   since it holds the cluster's secrets.
 */
export function parseNodeConfig(text: string): Json[] {
  const docs = parseAllDocuments(text, { uniqueKeys: false });
  const out: Json[] = [];
  for (const doc of Array.isArray(docs) ? docs : [docs]) {
    if (doc.errors.length > 0) {
      const e = doc.errors[0];
      const at = e.linePos?.[0] ? ` at line ${e.linePos[0].line}, column ${e.linePos[0].col}` : "";
      throw new Error(`the node's machine config is not valid YAML${at} (${e.code})`);
    }
    const value: unknown = doc.toJS({ maxAliasCount: -1 });
    if (value === null || value === undefined) continue;
    if (!isMap(value))
      throw new Error(`a document of the node's machine config is not a mapping (a ${Array.isArray(value) ? "list" : typeof value})`);
    out.push(value);
  }
  return out;
}

/** The v1alpha1 document (the one without `kind`), or an empty object. */
export function v1alpha1Document(docs: readonly Json[]): Json {
  return docs.find((d) => d.kind === undefined) ?? {};
}

function at(doc: Json, path: string): unknown {
  let cur: unknown = doc;
  for (const key of path.split(".")) {
    if (!isMap(cur)) return undefined;
    cur = cur[key];
  }
  return cur;
}

/** Compares SANs as Talos's certificates would: case-insensitive names, IPs in canonical form. */
export function normalizeSan(value: unknown): string {
  const text = String(value).trim().toLowerCase().replace(/\.$/, "");
  if (isIpLike(text)) return tryParseIp(text)?.ip ?? text;
  return text;
}

function sameSelector(a: unknown, b: Record<string, string>): boolean {
  if (!isMap(a)) return false;
  const keys = Object.keys(a).filter((k) => a[k] !== undefined && a[k] !== null);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((k) => b[k] !== undefined && String(a[k]).toLowerCase() === b[k].toLowerCase());
}

/** True when `condition` holds on the node's v1alpha1 document `doc`. */
export function conditionHolds(condition: PartCondition, doc: Json): boolean {
  if (condition.when === "unaddressed") {
    const entries = at(doc, "machine.network.interfaces");
    const list = Array.isArray(entries) ? entries.filter(isMap) : [];
    const link = condition.link;
    const mine = list.filter((e) =>
      "interface" in link ? e.interface === link.interface : sameSelector(e.deviceSelector, link.deviceSelector),
    );
    const addressed = (e: Json) =>
      e.dhcp !== undefined ||
      (Array.isArray(e.addresses) && e.addresses.length > 0) ||
      (e.cidr !== undefined && e.cidr !== "") ||
      e.ignore === true;
    return !mine.some(addressed);
  }
  const block = at(doc, condition.path);
  let found = false;
  if (condition.match === "key") found = isMap(block) && Object.prototype.hasOwnProperty.call(block, condition.value);
  else if (condition.match === "name") found = Array.isArray(block) && block.some((i) => isMap(i) && String(i.name) === condition.value);
  else found = Array.isArray(block) && block.some((i) => !isMap(i) && !Array.isArray(i) && String(i) === condition.value);
  return condition.when === "absent" ? !found : found;
}

/** The SANs of `wanted` that `present` lacks, in `wanted`'s order (compared with {@link normalizeSan}). */
export function missingSans(wanted: readonly string[], present: unknown): string[] {
  const have = new Set((Array.isArray(present) ? present : []).map(normalizeSan));
  return wanted.filter((s) => !have.has(normalizeSan(s)));
}

/**
 * The certSANs patch: `machine.certSANs` and `cluster.apiServer.certSANs` with exactly the given
 * names, each list only when non-empty. Talos's strategic merge appends lists, so this adds them.
 * @returns the YAML text, or `undefined` when both lists are empty.
 */
export function renderCertSansPatch(machine: readonly string[], apiServer: readonly string[]): string | undefined {
  const doc: Json = {};
  if (machine.length > 0) doc.machine = { certSANs: [...machine] };
  if (apiServer.length > 0) doc.cluster = { apiServer: { certSANs: [...apiServer] } };
  return Object.keys(doc).length === 0 ? undefined : toYaml([doc]);
}

/**
 * The legacy VIPs (`machine.network.interfaces[].vip`, the < 1.12 form) on the interface named
 * `link` in a node's v1alpha1 document: each entry with its `vip` and the entry without it (to put
 * back). Entries chosen by `deviceSelector` are not matched (the link they select is not known
 * here); entries holding WireGuard settings (private keys) are only named in `kept`, so no key is
 * copied into a patch file.
 */
export function legacyVipsOn(main: Json, link: string): { entries: { interface: string; ip: string; without: Json }[]; kept: string[] } {
  const interfaces = at(main, "machine.network.interfaces");
  if (!Array.isArray(interfaces)) return { entries: [], kept: [] };
  const withVip = interfaces.filter((e): e is Json => isMap(e) && String(e.interface) === link && isMap(e.vip));
  const kept = withVip.filter((e) => e.wireguard !== undefined).map(() => link);
  const entries = withVip
    .filter((e) => e.wireguard === undefined)
    .map((e) => {
      const { vip, ...without } = e;
      return { interface: link, ip: String((vip as Json).ip ?? ""), without };
    });
  return { entries, kept };
}

/**
 * Decides the push for one node from its active config.
 *
 * Order of the `--patch` files (talosctl applies them in order): the deletes of stale
 * `Layer2VIPConfig` documents, the delete of a legacy `interfaces[].vip` on the VIP's link (a
 * cluster upgraded from < 1.12), the main patch, the certSANs the node lacks, then every one-shot
 * part whose condition holds.
 *
 * @throws Error when the config is not YAML (see {@link parseNodeConfig}).
 */
export function decidePush(configText: string, request: ReaderRequest): ReaderAnswer {
  const docs = parseNodeConfig(configText);
  const main = v1alpha1Document(docs);
  const files: ReaderFile[] = [];
  const patches: string[] = [];
  const messages: string[] = [];

  if (request.staleVips) {
    const { link, vip } = request.staleVips;
    const stale = docs
      .filter((d) => d.kind === "Layer2VIPConfig" && String(d.link) === link && normalizeSan(d.name) !== normalizeSan(vip))
      .map((d) => String(d.name));
    if (stale.length > 0) {
      files.push({
        file: STALE_VIPS_FILE,
        content: toYaml(stale.map((name) => ({ apiVersion: "v1alpha1", kind: "Layer2VIPConfig", name, $patch: "delete" }))),
      });
      patches.push(STALE_VIPS_FILE);
      messages.push(`removing Layer2VIPConfig for: ${stale.join(" ")}`);
    }
  }

  if (request.staleVips) {
    // A cluster upgraded from < 1.12 keeps the VIP it had under machine.network.interfaces[] on the
    // same link: deleting only Layer2VIPConfig documents would leave it announced beside the new one.
    const legacy = legacyVipsOn(main, request.staleVips.link);
    if (legacy.kept.length > 0)
      messages.push(
        `left: the legacy VIP on ${legacy.kept.join(" ")} (its entry holds WireGuard keys, which the push does not copy: remove its vip by hand)`,
      );
    if (legacy.entries.length > 0) {
      // Talos's patcher cannot delete a key inside a list element ("cannot delete an inner key"),
      // so the entry is deleted whole and put back without its vip.
      files.push({
        file: LEGACY_VIPS_FILE,
        content: toYaml([
          { machine: { network: { interfaces: legacy.entries.map((e) => ({ interface: e.interface, $patch: "delete" })) } } },
        ]),
      });
      patches.push(LEGACY_VIPS_FILE);
      const readd = legacy.entries.map((e) => e.without).filter((e) => Object.keys(e).length > 1);
      if (readd.length > 0) {
        files.push({ file: LEGACY_VIPS_READD_FILE, content: toYaml([{ machine: { network: { interfaces: readd } } }]) });
        patches.push(LEGACY_VIPS_READD_FILE);
      }
      messages.push(
        `removing the legacy machine.network.interfaces[].vip on: ${legacy.entries.map((e) => `${e.interface} (${e.ip})`).join(" ")}`,
      );
    }
  }

  patches.push(request.main);

  const machineMissing = missingSans(request.certSANs, at(main, "machine.certSANs"));
  const apiMissing = missingSans(request.certSANs, at(main, "cluster.apiServer.certSANs"));
  const sans = renderCertSansPatch(machineMissing, apiMissing);
  if (sans !== undefined) {
    files.push({ file: CERT_SANS_FILE, content: sans });
    patches.push(CERT_SANS_FILE);
    if (machineMissing.length > 0) messages.push(`adding machine.certSANs: ${machineMissing.join(" ")}`);
    if (apiMissing.length > 0) messages.push(`adding cluster.apiServer.certSANs: ${apiMissing.join(" ")}`);
  } else if (request.certSANs.length > 0) {
    messages.push("already done: certSANs");
  }

  for (const part of request.parts) {
    if (conditionHolds(part.condition, main)) {
      patches.push(part.file);
      messages.push(part.description);
    } else {
      messages.push(`already done: ${part.description}`);
    }
  }
  return { files, patches, messages };
}

/** The versions `talosctl version` printed. */
export interface TalosctlVersions {
  /** The client's tag, e.g. `v1.13.9`. */
  client: string;
  /** The node's tag. */
  server: string;
}

const TAG = /v?(\d+)\.(\d+)(?:\.\d+)?[^\s]*/;

/**
 * Reads the client and server tags out of `talosctl version [--short]` output.
 * @throws Error when either is missing.
 */
export function parseTalosctlVersion(output: string): TalosctlVersions {
  const lines = output.split(/\r?\n/);
  const client = lines.indexOf("Client:");
  const server = lines.indexOf("Server:");
  if (client < 0 || server < 0 || server < client) throw new Error("`talosctl version` printed no Client: and Server: sections");
  const tagIn = (section: string[]): string | undefined => {
    for (const line of section) {
      const long = /^\s*Tag:\s*(\S+)\s*$/.exec(line);
      if (long) return long[1];
      const short = /^\S+ (v?\d+\.\d+\S*)\s*$/.exec(line); // `Talos v1.13.9`
      if (short) return short[1];
    }
    return undefined;
  };
  const c = tagIn(lines.slice(client + 1, server));
  const s = tagIn(lines.slice(server + 1));
  if (c === undefined) throw new Error("`talosctl version` printed no client version");
  if (s === undefined) throw new Error("`talosctl version` printed no server version (is the node answering?)");
  return { client: c, server: s };
}

function minorOf(tag: string): { major: number; minor: number } | undefined {
  const m = TAG.exec(tag);
  return m ? { major: Number(m[1]), minor: Number(m[2]) } : undefined;
}

/**
 * Compares the versions before anything is applied.
 *
 * - The node's minor must be on the same side of 1.12 as `talosVersion`'s: the patch's form
 *   depends on it (the VIP under `machine.network.interfaces` before 1.12, `Layer2VIPConfig` from
 *   1.12), so a patch rendered for the other side would be refused by the node or configure the
 *   wrong thing. Another minor on the same side is accepted (a rolling upgrade has nodes of two
 *   minors) and named in the log line.
 * - Against a node of 1.12 or later, talosctl must be 1.12 or later. talosctl 1.11 and older read
 *   the node's config with `yaml.Marshal(mc.Spec())` (cmd/talosctl/cmd/talos/patch.go, v1.11.5);
 *   1.12 nodes send the spec as the config's YAML text instead (annotation `talos.dev/yaml-spec`,
 *   pkg/machinery/resources/config/machine_config.go, v1.12.7), and talosctl 1.12 replaced that
 *   read with `extractMachineConfigBody` (patch.go, v1.12.6 and v1.13.9), whose comment says the
 *   `yaml.Marshal` path "will cut off all documents after the first one". The older client would
 *   patch and send back a config without the node's other documents (or fail).
 *
 * @param expectedMinor the minor of the component's `talosVersion` (9 to 13).
 * @returns a line for the log.
 * @throws Error with the reason and "nothing was applied" on a mismatch or unreadable output.
 */
export function checkVersions(output: string, expectedMinor: number): string {
  const { client, server } = parseTalosctlVersion(output);
  const c = minorOf(client);
  const s = minorOf(server);
  if (!s) throw new Error(`cannot read the node's Talos version from ${JSON.stringify(server)}; nothing was applied`);
  if (!c) throw new Error(`cannot read talosctl's version from ${JSON.stringify(client)}; nothing was applied`);
  const form = (minor: number) => minor >= MIN_CLIENT_MINOR_FOR_MULTIDOC;
  if (s.major !== 1 || form(s.minor) !== form(expectedMinor)) {
    throw new Error(
      `the node runs Talos ${server}, but talosVersion is 1.${expectedMinor}: the patch is rendered for 1.${expectedMinor} ` +
        `(set talosVersion to the node's minor version, or upgrade the node first); nothing was applied`,
    );
  }
  if (s.minor >= MIN_CLIENT_MINOR_FOR_MULTIDOC && c.major === 1 && c.minor < MIN_CLIENT_MINOR_FOR_MULTIDOC) {
    throw new Error(
      `talosctl ${client} is older than 1.${MIN_CLIENT_MINOR_FOR_MULTIDOC} and the node runs Talos ${server}: talosctl 1.11 and older ` +
        `read the node's config through yaml.Marshal, which Talos's own talosctl 1.12 replaced because it cuts a multi-document config after its first document (cmd/talosctl/cmd/talos/patch.go), ` +
        `so the patch would drop the node's other documents; use talosctl 1.${MIN_CLIENT_MINOR_FOR_MULTIDOC} or newer; nothing was applied`,
    );
  }
  const skew = s.minor === expectedMinor ? "" : ` (talosVersion is 1.${expectedMinor}: a rolling upgrade? the patch has the same form)`;
  return `node Talos ${server}, talosctl ${client}${skew}`;
}
