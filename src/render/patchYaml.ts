/**
 * Talos machine-config patch fragments as YAML text: the form in which they cross component
 * boundaries (`MetalLbServices.talosPatch` → `TalosConfigPush.extraPatch`), so every Pulumi
 * language can pass them as a plain string. Parsing and printing use the `yaml` library.
 */
import { parseAllDocuments, stringify } from "yaml";
import { InputError } from "../core/errors";

/**
 * Prints a strategic-merge patch fragment (a v1alpha1 mapping such as `{ cluster: { … } }`) as
 * one YAML document, keys in insertion order, no anchors, no folded lines.
 */
export function toPatchYaml(fragment: Record<string, unknown>): string {
  return stringify(fragment, { aliasDuplicateObjects: false, lineWidth: 0 });
}

/**
 * Parses a patch fragment given as YAML text: exactly one document whose root is a mapping.
 * An empty text or a document holding only `{}` gives `{}`.
 * @param field the component's own field, for the error (e.g. `extraPatch`).
 * @throws InputError naming the field when the text is not YAML, holds several documents, or its
 *   root is not a mapping (a list, a scalar).
 */
export function parsePatchYaml(field: string, text: string): Record<string, unknown> {
  if (typeof text !== "string") throw new InputError(field, text, "must be YAML text (a strategic-merge patch fragment)");
  if (text.trim() === "") return {};
  const docs = parseAllDocuments(text, { uniqueKeys: true });
  if (!Array.isArray(docs)) return {}; // only comments or directives: an empty stream
  const broken = docs.find((d) => d.errors.length > 0);
  if (broken) throw new InputError(field, excerpt(text), `is not valid YAML: ${broken.errors[0].message.split("\n")[0]}`);
  if (docs.length > 1) throw new InputError(field, excerpt(text), "must hold one YAML document (a v1alpha1 patch fragment), not several");
  const value: unknown = docs[0].toJS();
  if (value === null || value === undefined) return {};
  if (typeof value !== "object" || Array.isArray(value)) {
    throw new InputError(field, excerpt(text), "must be a YAML mapping such as `cluster: {...}` (a v1alpha1 patch fragment)");
  }
  return value as Record<string, unknown>;
}

function excerpt(text: string): string {
  const line = text.trim().split("\n")[0];
  return line.length > 60 ? `${line.slice(0, 57)}...` : line;
}
