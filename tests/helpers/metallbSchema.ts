/**
 * Validation of rendered MetalLB objects against the CRD schemas of a MetalLB release: the CRDs in
 * `config/crd/bases/*.yaml` of the `go.universe.tf/metallb` module pinned in
 * `tools/refs/metallb/go.mod`, read in place from the Go module cache (see `refModules.ts`);
 * each CRD version's `spec.versions[].schema.openAPIV3Schema` is used unchanged. Never copied into
 * the project.
 *
 * The CRD schemas do not forbid unknown fields, so a misspelt field would pass. Like kubeconform
 * `-strict`, {@link strictSchema} adds `additionalProperties: false` to every object schema that
 * lists `properties` (and does not already say something about additional properties). ajv:
 * draft-07 class, `strict: false` (for the `x-kubernetes-*` keywords), `ajv-formats` (int32,
 * int64, date-time). CEL rules (`x-kubernetes-validations`) are not evaluated.
 */
import * as fs from "fs";
import * as path from "path";
import Ajv from "ajv";
import addFormats from "ajv-formats";
import type { ValidateFunction } from "ajv";
import { parseAllDocuments } from "yaml";
import { pinnedModule } from "./refModules";

/** MetalLB release of the reference CRDs (must match `tools/refs/metallb/go.mod`). */
export const METALLB_REFERENCE_VERSION = "v0.16.1";

/** The MetalLB module and the folder of its CRDs. */
const METALLB_MODULE = "go.universe.tf/metallb";
const CRD_DIR = "config/crd/bases";

type Json = unknown;

/** A deep copy of `schema` with `additionalProperties: false` on every object schema that lists `properties`. */
export function strictSchema(schema: Json): Json {
  if (Array.isArray(schema)) return schema.map(strictSchema);
  if (schema === null || typeof schema !== "object") return schema;
  const out: Record<string, Json> = {};
  for (const [k, v] of Object.entries(schema as Record<string, Json>)) {
    // `properties` maps field names to schemas: recurse into the schemas, never treat the map itself as a schema.
    out[k] =
      k === "properties"
        ? Object.fromEntries(Object.entries(v as Record<string, Json>).map(([p, s]) => [p, strictSchema(s)]))
        : strictSchema(v);
  }
  if (out.properties !== undefined && out.additionalProperties === undefined) out.additionalProperties = false;
  return out;
}

/** The parts of a CustomResourceDefinition that are read here. */
interface Crd {
  kind?: string;
  spec?: {
    group: string;
    names: { kind: string };
    versions: { name: string; schema?: { openAPIV3Schema?: Json } }[];
  };
}

let schemas: Map<string, { name: string; schema: Json }> | undefined;

/**
 * Every CRD version's schema of the pinned release, keyed by `apiVersion/kind` (e.g.
 * `metallb.io/v1beta1/IPAddressPool`), each with its name in the openapi2jsonschema layout
 * (`metallb/<release>/jsonschema/<kind>_<version>.json`, as kubeconform's schema locations use).
 */
function crdSchemas(): Map<string, { name: string; schema: Json }> {
  if (schemas) return schemas;
  const pinned = pinnedModule("metallb", METALLB_MODULE);
  if (pinned.version !== METALLB_REFERENCE_VERSION)
    throw new Error(`tools/refs/metallb pins MetalLB ${pinned.version}, not ${METALLB_REFERENCE_VERSION}`);
  const dir = path.join(pinned.dir, CRD_DIR);
  const found = new Map<string, { name: string; schema: Json }>();
  for (const file of fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".yaml"))
    .sort()) {
    for (const doc of parseAllDocuments(fs.readFileSync(path.join(dir, file), "utf8"))) {
      if (doc.errors.length > 0) throw new Error(`${CRD_DIR}/${file}: ${doc.errors[0].message}`);
      const crd = doc.toJS() as Crd | null;
      if (crd?.kind !== "CustomResourceDefinition" || !crd.spec) continue;
      for (const v of crd.spec.versions) {
        const schema = v.schema?.openAPIV3Schema;
        if (schema === undefined) continue;
        const name = `metallb/${METALLB_REFERENCE_VERSION}/jsonschema/${crd.spec.names.kind.toLowerCase()}_${v.name}.json`;
        found.set(`${crd.spec.group}/${v.name}/${crd.spec.names.kind}`, { name, schema });
      }
    }
  }
  if (found.size === 0) throw new Error(`no CRD schemas found in ${dir}`);
  schemas = found;
  return found;
}

/** The schema names of the reference release, keyed by `apiVersion/kind` (e.g. `metallb.io/v1beta1/IPAddressPool`); see {@link crdSchemas}. */
export function metallbSchemaFiles(): Map<string, string> {
  return new Map([...crdSchemas()].map(([key, { name }]) => [key, name]));
}

const cache = new Map<string, ValidateFunction>();

/**
 * A validator for MetalLB objects: picks the schema by `apiVersion` and `kind` and returns the
 * schema errors (empty when valid); an unknown apiVersion/kind is an error.
 *
 * @param strict add `additionalProperties: false` (default true); false validates against the
 *   CRD schema as published, to show what the strict form catches.
 */
export function metallbValidator(strict = true): (obj: Record<string, unknown>) => string[] {
  const all = crdSchemas();
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  return (obj) => {
    const key = `${obj.apiVersion}/${obj.kind}`;
    const found = all.get(key);
    if (!found) return [`${key} has no schema in MetalLB ${METALLB_REFERENCE_VERSION}`];
    const cacheKey = `${strict}:${key}`;
    if (!cache.has(cacheKey)) cache.set(cacheKey, ajv.compile((strict ? strictSchema(found.schema) : found.schema) as object));
    const validate = cache.get(cacheKey)!;
    if (validate(obj)) return [];
    return (validate.errors ?? []).map((e) => `${key}${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`);
  };
}
