/**
 * Several components' Talos patch fragments as the one document `TalosConfigPush.extraPatch`
 * takes (e.g. `KubeVipEndpoint.talosPatch` beside `MetalLbServices.talosPatch`). Pure: no Pulumi
 * imports.
 */
import { parsePatchYaml, toPatchYaml } from "../patchYaml";
import { mergeInto } from "../talos/patch";

/**
 * Merges patch fragments given as YAML text, in order: mappings merge, lists append (an item
 * already present is not repeated), scalars must agree.
 * @param field the caller's field for errors (e.g. `extraPatch`).
 * @returns one YAML document.
 * @throws InputError naming `field` when a fragment is not one YAML mapping, or `<field>.<path>`
 *   when two fragments set the same scalar differently.
 */
export function mergeTalosPatches(field: string, fragments: readonly string[]): string {
  const merged: Record<string, unknown> = {};
  fragments.forEach((text) => mergeInto(merged, parsePatchYaml(field, text), field));
  return toPatchYaml(merged);
}
