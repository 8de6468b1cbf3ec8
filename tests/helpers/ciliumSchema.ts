/**
 * Validation of rendered Cilium objects and Helm values against Cilium's own schemas, per minor:
 * the CRDs in `pkg/k8s/apis/cilium.io/client/crds/{v2,v2alpha1}/*.yaml` and the chart's
 * `install/kubernetes/cilium/values.schema.json` of the `github.com/cilium/cilium` module pinned
 * in `tools/refs/cilium-<minor>/go.mod`, read in place from the Go module cache (see
 * `refModules.ts`). Never copied into the project.
 *
 * As for MetalLB (`metallbSchema.ts`), unknown fields are refused: {@link strictSchema} adds
 * `additionalProperties: false` to every object schema that lists `properties`. The CRDs use
 * `format: cidr` (Kubernetes: what Go's `net.ParseCIDR` accepts), added here; the `int32`/`int64`
 * formats come from ajv-formats. CEL rules (`x-kubernetes-validations`) are not evaluated.
 */
import * as fs from "fs";
import * as path from "path";
import Ajv from "ajv";
import addFormats from "ajv-formats";
import type { ValidateFunction } from "ajv";
import * as ipaddr from "ipaddr.js";
import { parseAllDocuments } from "yaml";
import { pinnedModule } from "./refModules";
import { strictSchema } from "./metallbSchema";

export { strictSchema };

/** The Cilium module. */
export const CILIUM_MODULE = "github.com/cilium/cilium";
/** The pinned release of each minor (must match `tools/refs/cilium-<minor>/go.mod`). */
export const CILIUM_REFERENCE_VERSIONS: Readonly<Record<string, string>> = { "1.16": "v1.16.19", "1.17": "v1.17.16", "1.18": "v1.18.11" };
/** Where the CRDs are in the module. */
export const CILIUM_CRD_DIR = "pkg/k8s/apis/cilium.io/client/crds";
/** Where the Helm chart is in the module. */
export const CILIUM_CHART_DIR = "install/kubernetes/cilium";

/** The module directory of the pinned release of `minor` (`1.16`, `1.17`, `1.18`). */
export function ciliumModuleDir(minor: string): string {
  const want = CILIUM_REFERENCE_VERSIONS[minor];
  if (!want) throw new Error(`no Cilium release pinned for ${minor}; pinned: ${Object.keys(CILIUM_REFERENCE_VERSIONS).join(", ")}`);
  const pinned = pinnedModule(`cilium-${minor}`, CILIUM_MODULE);
  if (pinned.version !== want) throw new Error(`tools/refs/cilium-${minor} pins Cilium ${pinned.version}, not ${want}`);
  return pinned.dir;
}

type Json = unknown;

interface Crd {
  kind?: string;
  spec?: {
    group: string;
    names: { kind: string };
    versions: { name: string; served?: boolean; storage?: boolean; schema?: { openAPIV3Schema?: Json } }[];
  };
}

const crdCache = new Map<string, Map<string, Json>>();

/** Every served CRD version's schema of the pinned release of `minor`, keyed by `apiVersion/kind` (e.g. `cilium.io/v2alpha1/CiliumL2AnnouncementPolicy`). */
export function ciliumCrdSchemas(minor: string): Map<string, Json> {
  const cached = crdCache.get(minor);
  if (cached) return cached;
  const root = path.join(ciliumModuleDir(minor), CILIUM_CRD_DIR);
  const found = new Map<string, Json>();
  for (const sub of ["v2", "v2alpha1"]) {
    const dir = path.join(root, sub);
    if (!fs.existsSync(dir)) continue;
    for (const file of fs
      .readdirSync(dir)
      .filter((f) => f.endsWith(".yaml"))
      .sort()) {
      for (const doc of parseAllDocuments(fs.readFileSync(path.join(dir, file), "utf8"))) {
        if (doc.errors.length > 0) throw new Error(`${CILIUM_CRD_DIR}/${sub}/${file}: ${doc.errors[0].message}`);
        const crd = doc.toJS() as Crd | null;
        if (crd?.kind !== "CustomResourceDefinition" || !crd.spec) continue;
        for (const v of crd.spec.versions) {
          if (v.served === false || v.schema?.openAPIV3Schema === undefined) continue;
          found.set(`${crd.spec.group}/${v.name}/${crd.spec.names.kind}`, v.schema.openAPIV3Schema);
        }
      }
    }
  }
  if (found.size === 0) throw new Error(`no CRD schemas found in ${root}`);
  crdCache.set(minor, found);
  return found;
}

/**
 * The storage version of `kind` in the pinned release of `minor` (the apiVersion Cilium keeps
 * objects in), read from whichever CRD file of `crds/v2` or `crds/v2alpha1` defines the kind.
 */
export function ciliumStorageVersion(minor: string, kind: string): string {
  const root = path.join(ciliumModuleDir(minor), CILIUM_CRD_DIR);
  for (const sub of ["v2", "v2alpha1"]) {
    for (const file of fs.readdirSync(path.join(root, sub)).filter((f) => f.endsWith(".yaml"))) {
      for (const doc of parseAllDocuments(fs.readFileSync(path.join(root, sub, file), "utf8"))) {
        const crd = doc.toJS() as Crd | null;
        if (crd?.spec?.names.kind !== kind) continue;
        const storage = crd.spec.versions.find((v) => v.storage);
        if (storage) return `${crd.spec.group}/${storage.name}`;
      }
    }
  }
  throw new Error(`no CRD with a storage version of ${kind} in Cilium ${CILIUM_REFERENCE_VERSIONS[minor]}`);
}

/** Kubernetes' `cidr` format: an address with a prefix length, host bits allowed (Go's `net.ParseCIDR`). */
function isCidr(value: string): boolean {
  try {
    const [addr] = ipaddr.parseCIDR(value);
    return addr.kind() === "ipv6" || ipaddr.IPv4.isValidFourPartDecimal(value.split("/")[0]);
  } catch {
    return false;
  }
}

function newAjv(): Ajv {
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addFormat("cidr", { type: "string", validate: isCidr });
  return ajv;
}

const validators = new Map<string, ValidateFunction>();

/**
 * A validator for Cilium objects of the pinned release of `minor`: picks the schema by
 * `apiVersion` and `kind` and returns the schema errors (empty when valid); an apiVersion/kind
 * that release does not serve is an error.
 * @param strict add `additionalProperties: false` (default true).
 */
export function ciliumValidator(minor: string, strict = true): (obj: Record<string, unknown>) => string[] {
  const all = ciliumCrdSchemas(minor);
  const ajv = newAjv();
  return (obj) => {
    const key = `${obj.apiVersion}/${obj.kind}`;
    const schema = all.get(key);
    if (schema === undefined) return [`${key} is not served by Cilium ${CILIUM_REFERENCE_VERSIONS[minor]}`];
    const cacheKey = `${minor}:${strict}:${key}`;
    if (!validators.has(cacheKey)) validators.set(cacheKey, ajv.compile((strict ? strictSchema(schema) : schema) as object));
    const validate = validators.get(cacheKey)!;
    if (validate(obj)) return [];
    return (validate.errors ?? []).map((e) => `${key}${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`);
  };
}

/** Every `.Values.<key>` the chart's templates read, as top-level keys. */
function templateValueKeys(minor: string): Set<string> {
  const dir = path.join(ciliumModuleDir(minor), CILIUM_CHART_DIR, "templates");
  const keys = new Set<string>();
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const text = fs.readFileSync(path.join(entry.parentPath, entry.name), "utf8");
    for (const m of text.matchAll(/\.Values\.([A-Za-z0-9_]+)/g)) keys.add(m[1]);
  }
  return keys;
}

/**
 * A validator for Helm values of the chart of the pinned release of `minor`
 * (`values.schema.json`, unknown keys refused). The schema is generated from the uncommented
 * entries of values.yaml, so a few keys the templates read are absent from it (e.g.
 * `kubeProxyReplacement` before 1.18, commented out there): a top-level key outside the schema
 * passes only when the chart's templates read `.Values.<key>`. Returns the errors (empty when valid).
 */
export function ciliumValuesValidator(minor: string): (values: Record<string, unknown>) => string[] {
  const file = path.join(ciliumModuleDir(minor), CILIUM_CHART_DIR, "values.schema.json");
  const schema = JSON.parse(fs.readFileSync(file, "utf8")) as { properties: Record<string, Json> };
  const validate = newAjv().compile(strictSchema(schema) as object);
  const read = templateValueKeys(minor);
  return (values) => {
    const inSchema: Record<string, unknown> = {};
    const errors: string[] = [];
    for (const [k, v] of Object.entries(values)) {
      if (k in schema.properties) inSchema[k] = v;
      else if (!read.has(k)) errors.push(`values/${k} is neither in values.schema.json nor read by the chart's templates`);
    }
    if (!validate(inSchema))
      errors.push(...(validate.errors ?? []).map((e) => `values${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`));
    return errors;
  };
}

/** The chart's `version` in `Chart.yaml` of the pinned release of `minor`. */
export function ciliumChartVersion(minor: string): string {
  const text = fs.readFileSync(path.join(ciliumModuleDir(minor), CILIUM_CHART_DIR, "Chart.yaml"), "utf8");
  const m = /^version:\s*(\S+)/m.exec(text);
  if (!m) throw new Error(`no version in ${CILIUM_CHART_DIR}/Chart.yaml`);
  return m[1];
}

/** A file of the pinned release of `minor` (e.g. `Documentation/network/l2-announcements.rst`). */
export function ciliumFile(minor: string, rel: string): string {
  return fs.readFileSync(path.join(ciliumModuleDir(minor), rel), "utf8");
}
