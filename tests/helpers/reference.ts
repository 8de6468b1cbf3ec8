/**
 * Access to the reference data beside the project (`../shared/reference`, see its README):
 * Talos JSON schemas and talosctl flag lists per version, MetalLB CRD schemas. The tests read
 * them in place; they are never copied into the project. `TALOS_ENDPOINTS_REFERENCE` overrides
 * the location.
 */
import * as fs from "fs";
import * as path from "path";
import Ajv2020 from "ajv/dist/2020";
import addFormats from "ajv-formats";
import type { ValidateFunction } from "ajv";

/** Root of the reference data. */
export const REFERENCE_DIR = process.env.TALOS_ENDPOINTS_REFERENCE ?? path.resolve(__dirname, "..", "..", "..", "shared", "reference");

/** Reads a reference file, failing with the location that was searched. */
export function readReference(rel: string): string {
  const file = path.join(REFERENCE_DIR, rel);
  if (!fs.existsSync(file)) {
    throw new Error(`reference file ${rel} not found under ${REFERENCE_DIR}; check out shared/ beside the project or set TALOS_ENDPOINTS_REFERENCE`);
  }
  return fs.readFileSync(file, "utf8");
}

/** Talos minor versions with reference data. */
export const TALOS_REFERENCE_VERSIONS = ["1.9", "1.11", "1.12", "1.13"] as const;

const talosValidators = new Map<string, (doc: Record<string, unknown>) => string[]>();

/**
 * A validator for one Talos version: takes one config document and returns schema errors (empty
 * when valid). The v1alpha1 document (no `kind`) is checked against `v1alpha1.Config`, other
 * documents against the `$def` whose `kind` enum names their kind; an unknown kind is an error.
 */
export function talosSchemaValidator(version: string): (doc: Record<string, unknown>) => string[] {
  const cached = talosValidators.get(version);
  if (cached) return cached;
  const schema = JSON.parse(readReference(`talos/v${version}/config.schema.json`));
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema(schema);
  const defs = schema.$defs as Record<string, { properties?: { kind?: { enum?: string[] } } }>;
  const byDef = new Map<string, ValidateFunction>();
  const compile = (def: string) => {
    if (!byDef.has(def)) byDef.set(def, ajv.compile({ $ref: `${schema.$id}#/$defs/${def}` }));
    return byDef.get(def)!;
  };
  const validator = (doc: Record<string, unknown>): string[] => {
    let def = "v1alpha1.Config";
    if (typeof doc.kind === "string") {
      const found = Object.keys(defs).find((d) => defs[d].properties?.kind?.enum?.includes(doc.kind as string));
      if (!found) return [`kind ${doc.kind} is not in the Talos ${version} schema`];
      def = found;
    }
    const validate = compile(def);
    if (validate(doc)) return [];
    return (validate.errors ?? []).map((e) => `${def}${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`);
  };
  talosValidators.set(version, validator);
  return validator;
}

/** One talosctl flag from the reference list. */
export interface TalosctlFlag {
  long: string;
  short?: string;
  type: string;
  values?: string[];
  default?: string;
}

/** Path of the talosctl flag list for a version. */
export function talosctlFlagsFile(version: string): string {
  readReference(`talos/v${version}/talosctl-flags.json`);
  return path.join(REFERENCE_DIR, `talos/v${version}/talosctl-flags.json`);
}
