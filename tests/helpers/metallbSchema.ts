/**
 * Validation of rendered MetalLB objects against the CRD schemas of the reference data
 * (`metallb/v0.16.1/jsonschema/<kind>_<version>.json`: each CRD version's openAPIV3Schema with an
 * added `x-kubernetes-group-version-kind`). Read in place from the same REFERENCE_DIR as
 * `reference.ts`; never copied into the project.
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
import { readReference, REFERENCE_DIR } from "./reference";

/** MetalLB release of the reference CRDs. */
export const METALLB_REFERENCE_VERSION = "v0.16.1";

type Json = unknown;

/** A deep copy of `schema` with `additionalProperties: false` on every object schema that lists `properties`. */
export function strictSchema(schema: Json): Json {
  if (Array.isArray(schema)) return schema.map(strictSchema);
  if (schema === null || typeof schema !== "object") return schema;
  const out: Record<string, Json> = {};
  for (const [k, v] of Object.entries(schema as Record<string, Json>)) {
    // `properties` maps field names to schemas: recurse into the schemas, never treat the map itself as a schema.
    out[k] = k === "properties" ? Object.fromEntries(Object.entries(v as Record<string, Json>).map(([p, s]) => [p, strictSchema(s)])) : strictSchema(v);
  }
  if (out.properties !== undefined && out.additionalProperties === undefined) out.additionalProperties = false;
  return out;
}

interface Gvk {
  group: string;
  version: string;
  kind: string;
}

/** The schema files of the reference release, keyed by `apiVersion/kind` (e.g. `metallb.io/v1beta1/IPAddressPool`). */
export function metallbSchemaFiles(): Map<string, string> {
  const dir = `metallb/${METALLB_REFERENCE_VERSION}/jsonschema`;
  readReference(`${dir}/ipaddresspool_v1beta1.json`); // fails with the searched location when the data is missing
  const files = new Map<string, string>();
  for (const file of fs.readdirSync(path.join(REFERENCE_DIR, dir)).filter((f) => f.endsWith(".json"))) {
    const schema = JSON.parse(readReference(`${dir}/${file}`)) as { "x-kubernetes-group-version-kind"?: Gvk[] };
    for (const gvk of schema["x-kubernetes-group-version-kind"] ?? []) files.set(`${gvk.group}/${gvk.version}/${gvk.kind}`, `${dir}/${file}`);
  }
  return files;
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
  const files = metallbSchemaFiles();
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  return (obj) => {
    const key = `${obj.apiVersion}/${obj.kind}`;
    const file = files.get(key);
    if (!file) return [`${key} has no schema in MetalLB ${METALLB_REFERENCE_VERSION}`];
    const cacheKey = `${strict}:${file}`;
    if (!cache.has(cacheKey)) {
      const raw = JSON.parse(readReference(file));
      cache.set(cacheKey, ajv.compile((strict ? strictSchema(raw) : raw) as object));
    }
    const validate = cache.get(cacheKey)!;
    if (validate(obj)) return [];
    return (validate.errors ?? []).map((e) => `${key}${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`);
  };
}
