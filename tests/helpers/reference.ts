/**
 * Reference data for the tests. Talos config JSON schemas come from the released
 * `github.com/siderolabs/talos/pkg/machinery` module (`config/schemas/config.schema.json`), one
 * pinned release per Talos minor in `tools/refs/talos-<minor>/go.mod`, read in place from the Go
 * module cache (see `refModules.ts`). The talosctl flag lists are still read from the data beside
 * the project (`../shared/reference`, `TALOS_ENDPOINTS_REFERENCE` overrides the location).
 */
import * as fs from "fs";
import * as path from "path";
import Ajv2020 from "ajv/dist/2020";
import addFormats from "ajv-formats";
import type { ValidateFunction } from "ajv";
import { readModuleFile } from "./refModules";

/** Root of the talosctl flag lists (the only data still read from beside the project). */
const REFERENCE_DIR = process.env.TALOS_ENDPOINTS_REFERENCE ?? path.resolve(__dirname, "..", "..", "..", "shared", "reference");

/** Reads a reference file, failing with the location that was searched. */
function readReference(rel: string): string {
  const file = path.join(REFERENCE_DIR, rel);
  if (!fs.existsSync(file)) {
    throw new Error(`reference file ${rel} not found under ${REFERENCE_DIR}; check out shared/ beside the project or set TALOS_ENDPOINTS_REFERENCE`);
  }
  return fs.readFileSync(file, "utf8");
}

/** The Talos machinery module, whose released versions carry the config schema. */
const TALOS_MACHINERY = "github.com/siderolabs/talos/pkg/machinery";

/** Talos minor versions with reference data (each pinned in `tools/refs/talos-<minor>`). */
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
  if (!(TALOS_REFERENCE_VERSIONS as readonly string[]).includes(version)) {
    throw new Error(`no Talos schema pinned for ${version}; pinned: ${TALOS_REFERENCE_VERSIONS.join(", ")}`);
  }
  const schema = JSON.parse(readModuleFile(`talos-${version}`, TALOS_MACHINERY, "config/schemas/config.schema.json"));
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
