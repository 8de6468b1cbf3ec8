/**
 * Talos version handling. Pure: no Pulumi imports.
 *
 * The package renders machine-config patches and talosctl command lines whose shape depends on
 * the Talos minor version. The facts encoded here come from the Talos configuration reference
 * and CLI reference of each minor release (website/content/v1.X/schemas/config.schema.json and
 * website/content/v1.X/reference/cli.md in siderolabs/talos):
 *
 * - Talos 1.12 introduced multi-document network configuration (`LinkConfig`,
 *   `Layer2VIPConfig`, `LinkAliasConfig`) and removed `machine.network.interfaces` from the
 *   published schema (the legacy fields are deprecated; 1.13 drops `machine.network` from the
 *   schema entirely).
 * - From Talos 1.11 the talosctl connection flags (`--nodes`, `--endpoints`, `--talosconfig`,
 *   `--context`, `--cluster`) are declared on each command that talks to a node instead of on
 *   the root command.
 */
import { InputError } from "../../core/errors";

/** Oldest Talos minor version this package renders for. */
export const MIN_TALOS_MINOR = 9;
/** Newest Talos minor version this package renders for. */
export const MAX_TALOS_MINOR = 13;

/** A parsed, supported Talos version. */
export interface TalosVersion {
  /** Always 1. */
  major: number;
  /** 9 through 13. */
  minor: number;
  /** The canonical `v1.<minor>` form, e.g. `v1.12`. */
  tag: string;
  /** True from 1.12: VIPs and links are configured with `Layer2VIPConfig` / `LinkConfig` documents. */
  multiDocNetwork: boolean;
  /** True from 1.11: connection flags are per command rather than root persistent flags. */
  perCommandConnectionFlags: boolean;
}

/**
 * Parses a Talos version such as `1.11`, `v1.12.3` or `1.13.9`.
 *
 * @param value the version string; a leading `v` and a patch component are optional.
 * @param field the input field the value came from, named in the error.
 * @throws InputError when the value is malformed or outside 1.9–1.13.
 */
export function parseTalosVersion(value: unknown, field = "talosVersion"): TalosVersion {
  const text = typeof value === "number" ? String(value) : value;
  const match = typeof text === "string" ? /^v?(\d+)\.(\d+)(?:\.\d+)?(?:[-+][0-9A-Za-z.-]+)?$/.exec(text.trim()) : null;
  if (!match) {
    throw new InputError(field, value, 'must be a Talos version such as "1.12" or "v1.12.3"');
  }
  const major = Number(match[1]);
  const minor = Number(match[2]);
  if (major !== 1 || minor < MIN_TALOS_MINOR || minor > MAX_TALOS_MINOR) {
    throw new InputError(
      field,
      value,
      `Talos ${major}.${minor} is not supported; supported versions are 1.${MIN_TALOS_MINOR} through 1.${MAX_TALOS_MINOR}`,
    );
  }
  return {
    major,
    minor,
    tag: `v1.${minor}`,
    multiDocNetwork: minor >= 12,
    perCommandConnectionFlags: minor >= 11,
  };
}
