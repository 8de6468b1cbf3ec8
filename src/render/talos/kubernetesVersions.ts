/**
 * Which Kubernetes versions each supported Talos minor runs. Pure: no Pulumi imports.
 *
 * Source: Talos's own support matrix, `pkg/machinery/compatibility/talos1<minor>/talos1<minor>.go`
 * (`MinimumKubernetesVersion`, `MaximumKubernetesVersion`) of the machinery module pinned for each
 * minor in `tools/refs/talos-<minor>` (v1.9.5, v1.11.6, v1.12.7, v1.13.9; 1.10 from v1.11.6's
 * `talos110`). `tests/generatedConfigs.test.ts` reads those files from the Go module cache and
 * compares them with this table. Talos checks the same ranges in
 * `compatibility.KubernetesVersion.SupportedWith` before an upgrade; the generator itself does not.
 */
import { InputError } from "../../core/errors";
import { parseTalosVersion } from "./version";

/** A Kubernetes range: lowest and highest supported `major.minor` (inclusive), as Talos states it. */
export interface KubernetesRange {
  /** `MinimumKubernetesVersion` (e.g. `1.27.0`). */
  minimum: string;
  /** `MaximumKubernetesVersion` (e.g. `1.32.99`: any 1.32 patch release). */
  maximum: string;
}

/** Talos minor -> supported Kubernetes range (see the module comment for the source). */
export const KUBERNETES_SUPPORT: Readonly<Record<number, KubernetesRange>> = {
  9: { minimum: "1.27.0", maximum: "1.32.99" },
  10: { minimum: "1.28.0", maximum: "1.33.99" },
  11: { minimum: "1.29.0", maximum: "1.34.99" },
  12: { minimum: "1.30.0", maximum: "1.35.99" },
  13: { minimum: "1.31.0", maximum: "1.36.99" },
};

/**
 * The Kubernetes version `talosctl gen config` of each pinned release uses by default
 * (`constants.DefaultKubernetesVersion`, machinery v1.9.5, v1.11.6, v1.12.7, v1.13.9). The
 * component passes it explicitly (`--kubernetes-version`) when none is given, so the generated
 * config does not depend on which talosctl release is installed. None for 1.10: no machinery 1.10
 * release is pinned here to read it from, so Talos 1.10 needs `kubernetesVersion`.
 */
export const DEFAULT_KUBERNETES_VERSION: Readonly<Partial<Record<number, string>>> = {
  9: "1.32.3",
  11: "1.34.1",
  12: "1.35.4",
  13: "1.36.3",
};

function parts(v: string): number[] {
  return v.split(".").map(Number);
}

function compare(a: number[], b: number[]): number {
  for (let i = 0; i < 3; i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) - (b[i] ?? 0);
  return 0;
}

/**
 * Checks a Kubernetes version against the Talos version's support matrix.
 * @param kubernetesVersion `1.32.3` or `v1.32.3` (major.minor.patch); undefined gives the default above (required for 1.10).
 * @returns the version without `v`, e.g. `1.32.3`.
 * @throws InputError (`kubernetesVersion`) when malformed or outside the range Talos supports,
 *   naming the range and its source; (`talosVersion`) for an unsupported Talos version.
 */
export function checkKubernetesVersion(talosVersion: string, kubernetesVersion: unknown): string {
  const { minor } = parseTalosVersion(talosVersion);
  if (kubernetesVersion === undefined) {
    const dflt = DEFAULT_KUBERNETES_VERSION[minor];
    if (dflt === undefined)
      throw new InputError("kubernetesVersion", kubernetesVersion, `is required with Talos 1.${minor} (no default is pinned for it)`);
    return dflt;
  }
  const m = typeof kubernetesVersion === "string" ? /^v?(\d+)\.(\d+)\.(\d+)$/.exec(kubernetesVersion.trim()) : null;
  if (!m) throw new InputError("kubernetesVersion", kubernetesVersion, 'must be a Kubernetes release such as "1.32.3" (major.minor.patch)');
  const version = `${m[1]}.${m[2]}.${m[3]}`;
  const range = KUBERNETES_SUPPORT[minor];
  if (compare(parts(version), parts(range.minimum)) < 0 || compare(parts(version), parts(range.maximum)) > 0) {
    const hi = parts(range.maximum);
    throw new InputError(
      "kubernetesVersion",
      kubernetesVersion,
      `Talos 1.${minor} supports Kubernetes ${range.minimum.replace(/\.0$/, "")} through ${hi[0]}.${hi[1]} ` +
        `(pkg/machinery/compatibility/talos1${minor}/talos1${minor}.go)`,
    );
  }
  return version;
}
