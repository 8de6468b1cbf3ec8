/**
 * Reference data for the tests. Talos config JSON schemas come from the released
 * `github.com/siderolabs/talos/pkg/machinery` module (`config/schemas/config.schema.json`), one
 * pinned release per Talos minor in `tools/refs/talos-<minor>/go.mod`, read in place from the Go
 * module cache (see `refModules.ts`). The talosctl flag lists are derived from the released CLI
 * reference of the `github.com/siderolabs/talos` module (see `talosctlFlags.ts`).
 */
import Ajv2020 from "ajv/dist/2020";
import addFormats from "ajv-formats";
import type { ValidateFunction } from "ajv";
import { readModuleFile } from "./refModules";

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

/** The talosctl flag lists for the talosctl double, derived from the pinned releases' cli.md. */
export { talosctlFlagsFile } from "./talosctlFlags";
export type { TalosctlFlag } from "./talosctlFlags";
