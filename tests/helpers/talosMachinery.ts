/**
 * Talos's own code on the rendered patches: `talos-config-check-<minor>`, a small Go program built
 * from `tools/talos/check` (`-modfile=v<minor>.mod`) on `github.com/siderolabs/talos/pkg/machinery` of that minor (see
 * `tools/talos/check/main.go`). Given a cluster name, an endpoint and patches it generates a
 * machine config as `talosctl gen config` does (or takes `baseConfig`), applies the patches with
 * `configpatcher.LoadPatches` + `configpatcher.Apply` (what `talosctl patch machineconfig` runs),
 * loads the result as a node does and validates it in metal mode, strict.
 *
 * The binaries are built by `scripts/ensure-tools.sh <name>` into `.tools/bin` (a no-op when they
 * are up to date; a cold build takes about a minute per minor on 2 cores, so call
 * {@link ensureTalosConfigCheck} from `beforeAll` with a long timeout).
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { parseAllDocuments } from "yaml";
import { TALOS_REFERENCE_VERSIONS } from "./reference";

const ROOT = path.resolve(__dirname, "..", "..");

/** The Talos minors with a talos-config-check module under tools/talos (the same as the pinned schemas). */
export const TALOS_MACHINERY_VERSIONS = TALOS_REFERENCE_VERSIONS;
export type TalosMachineryVersion = (typeof TALOS_MACHINERY_VERSIONS)[number];

/** The request the program reads on stdin. */
export interface TalosCheckRequest {
  clusterName?: string;
  /** The control-plane endpoint URL given to the config generator, e.g. `https://192.168.30.30:6443`. */
  endpoint?: string;
  /** Empty: the release's default Kubernetes version. */
  kubernetesVersion?: string;
  /** `controlplane` (default), `worker` or `init`. */
  machineType?: string;
  /** Patches in `talosctl --patch` form: YAML (strategic merge) or JSON6902 text, or `@file`. */
  patches: string[];
  /** A machine config (multi-document YAML) to patch instead of a generated one. */
  baseConfig?: string;
  /**
   * A machine config whose secrets the generated config reuses (`secrets.NewBundleFromConfig`, what
   * `talosctl gen secrets --from-controlplane-config` runs) instead of a new bundle.
   */
  secretsFromConfig?: string;
}

/** A VIP the patched config declares. */
export interface TalosVip {
  /** `v1alpha1` (machine.network.interfaces[].vip) or the document kind (`Layer2VIPConfig`). */
  source: string;
  /** The link name; empty for a v1alpha1 entry with a deviceSelector. */
  link: string;
  selector?: Record<string, string>;
  ip: string;
}

/** One `machine.network.interfaces[]` entry as Talos reads it. */
export interface TalosLegacyInterface {
  interface: string;
  selector?: Record<string, string>;
  ignore: boolean;
  dhcp: boolean;
  /** Talos's own condition for a DHCPv4 operator from the entry: `DHCP() && DHCPOptions().IPv4()` (operator_config.go). */
  dhcp4: boolean;
  addresses: string[];
  vip?: string;
}

/** The program's answer. */
export interface TalosCheckResponse {
  /** The machinery release, e.g. `v1.13.9`. */
  talosVersion: string;
  /** The patched config, multi-document YAML without comments. */
  config: string;
  /** Errors of `Validate(metal, WithStrict())`: what Talos refuses (warnings count as errors). */
  validationErrors: string[];
  /** Warnings of the non-strict `Validate(metal)`. */
  warnings: string[];
  /** `RunDefaultDHCPOperators()` of the config (Talos >= 1.12), null where machinery lacks it. */
  runDefaultDHCPOperators: boolean | null;
  /** Why a field is null, and similar remarks. */
  notes: string[];
  vips: TalosVip[];
  /** Every document of the patched config in order, v1alpha1 first. */
  documents: { kind: string; name?: string }[];
  legacyInterfaces: TalosLegacyInterface[];
  /** `cluster.controlPlane.endpoint` as Talos parsed it. */
  endpoint: string;
  machineCertSANs: string[];
  apiServerCertSANs: string[];
  /** Set when generating, loading or applying failed (the other fields are then empty). */
  error?: string;
}

/** The tool name in scripts/ensure-tools.sh and .tools/bin. */
export function talosConfigCheckName(version: TalosMachineryVersion): string {
  return `talos-config-check-${version}`;
}

const ensured = new Set<string>();

/**
 * Builds `.tools/bin/talos-config-check-<version>` when it is missing or out of date (through
 * scripts/ensure-tools.sh, once per process) and returns its path.
 */
export function ensureTalosConfigCheck(version: TalosMachineryVersion): string {
  const name = talosConfigCheckName(version);
  const bin = path.join(ROOT, ".tools", "bin", name);
  if (!ensured.has(name)) {
    try {
      execFileSync("bash", [path.join(ROOT, "scripts", "ensure-tools.sh"), name], {
        cwd: ROOT,
        stdio: ["ignore", "inherit", "inherit"],
      });
    } catch (err) {
      throw new Error(`scripts/ensure-tools.sh ${name} failed (see .tools/log/${name}.log): ${(err as Error).message}`);
    }
    if (!fs.existsSync(bin)) throw new Error(`scripts/ensure-tools.sh ${name} did not produce ${bin}`);
    ensured.add(name);
  }
  return bin;
}

/** Runs the program of `version` on `request`. Throws only when the program itself fails; Talos's refusals are in the answer. */
export function talosCheck(version: TalosMachineryVersion, request: TalosCheckRequest): TalosCheckResponse {
  const bin = ensureTalosConfigCheck(version);
  const input = JSON.stringify({
    clusterName: "lab",
    endpoint: "https://192.168.30.30:6443",
    kubernetesVersion: "",
    machineType: "controlplane",
    ...request,
  });
  const stdout = execFileSync(bin, [], { input, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  return JSON.parse(stdout) as TalosCheckResponse;
}

/** The documents of a multi-document YAML text as plain objects. */
export function yamlDocuments(text: string): Record<string, any>[] {
  return parseAllDocuments(text).map((d) => d.toJS() as Record<string, any>);
}

/** The v1alpha1 document of a config (the one without `kind`). */
export function v1alpha1Of(config: string): Record<string, any> {
  const doc = yamlDocuments(config).find((d) => d.kind === undefined);
  if (!doc) throw new Error("the config has no v1alpha1 document");
  return doc;
}

// ---- Checks for the defects of issue #10 item 5 (report-only until the renderer is fixed) ----

/** Document kinds Talos counts as link configuration (config.NetworkCommonLinkConfig) or DHCP configuration. */
const LINK_AND_DHCP_KINDS = [
  "LinkConfig",
  "BondConfig",
  "BridgeConfig",
  "VLANConfig",
  "DummyLinkConfig",
  "WireguardConfig",
  "VRFConfig",
  "DHCPv4Config",
  "DHCPv6Config",
];

/** What a patch does to Talos's default DHCP, read from the config before and after it. */
export interface DefaultDhcpEffect {
  talosVersion: string;
  /** RunDefaultDHCPOperators() of the generated config (null before 1.12). */
  before: boolean | null;
  /** RunDefaultDHCPOperators() after the patch (null before 1.12). */
  after: boolean | null;
  /** Link or DHCP documents after the patch (`LinkConfig/eth0`): on >= 1.12 any one stops default DHCP on every link. */
  linkDocuments: string[];
  /**
   * machine.network.interfaces[] entries that name a link but neither enable DHCPv4 nor give it an
   * address: Talos configures the link from the machine config (a LinkSpec of layer
   * `ConfigMachineConfiguration`, link_config.go) and runs no default DHCPv4 on it
   * (operator_config.go; both Talos v1.9.5 and v1.11.5).
   */
  interfacesWithoutAddressing: TalosLegacyInterface[];
  /** True when the patch takes default DHCP away from some link. */
  stopsDefaultDhcp: boolean;
}

/** Applies `patches` to a generated config of `version` and reports the effect on default DHCP. */
export function defaultDhcpEffect(version: TalosMachineryVersion, patches: string[]): DefaultDhcpEffect {
  const base = talosCheck(version, { patches: [] });
  const after = talosCheck(version, { patches });
  if (base.error || after.error) throw new Error(`talos-config-check ${version}: ${base.error ?? after.error}`);
  const linkDocuments = after.documents.filter((d) => LINK_AND_DHCP_KINDS.includes(d.kind)).map((d) => `${d.kind}/${d.name ?? ""}`);
  const interfacesWithoutAddressing = after.legacyInterfaces.filter((i) => !i.ignore && !i.dhcp4 && i.addresses.length === 0);
  return {
    talosVersion: after.talosVersion,
    before: base.runDefaultDHCPOperators,
    after: after.runDefaultDHCPOperators,
    linkDocuments,
    interfacesWithoutAddressing,
    stopsDefaultDhcp:
      (base.runDefaultDHCPOperators === true && after.runDefaultDHCPOperators === false) || interfacesWithoutAddressing.length > 0,
  };
}

/** One place where the config differs between one and two applications of the same patch. */
export interface ReapplyChange {
  /** Document (`v1alpha1`, `LinkConfig/eth0`) and the path inside it, e.g. `v1alpha1 machine.certSANs`. */
  path: string;
  once: unknown;
  twice: unknown;
}

function diff(doc: string, keys: string[], a: unknown, b: unknown, out: ReapplyChange[]): void {
  const isMap = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);
  if (isMap(a) && isMap(b)) {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) diff(doc, [...keys, k], a[k], b[k], out);
  } else if (JSON.stringify(a) !== JSON.stringify(b)) {
    out.push({ path: `${doc} ${keys.join(".")}`.trim(), once: a, twice: b });
  }
}

function documentKey(doc: Record<string, any>): string {
  return doc.kind === undefined ? "v1alpha1" : `${doc.kind}/${doc.name ?? ""}`;
}

/**
 * Applies `first` to a generated config of `version`, then `again` (default: `first`) to the
 * result, as a second push would; returns every difference between the two configs. An
 * idempotent patch returns `[]`; a list Talos appends to shows up with both values.
 */
export function reapplyChanges(version: TalosMachineryVersion, first: string[], again: string[] = first): ReapplyChange[] {
  const once = talosCheck(version, { patches: first });
  if (once.error) throw new Error(`talos-config-check ${version}: ${once.error}`);
  const twice = talosCheck(version, { patches: again, baseConfig: once.config });
  if (twice.error) throw new Error(`talos-config-check ${version}: ${twice.error}`);
  const byKey = (config: string) => new Map(yamlDocuments(config).map((d) => [documentKey(d), d]));
  const a = byKey(once.config);
  const b = byKey(twice.config);
  const out: ReapplyChange[] = [];
  for (const key of new Set([...a.keys(), ...b.keys()])) diff(key, [], a.get(key), b.get(key), out);
  return out;
}
