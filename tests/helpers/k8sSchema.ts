/**
 * Kubernetes objects checked by Kubernetes' own types: `.tools/bin/k8s-object-check`, built from
 * `tools/k8s/check` on k8s.io/api v0.36.3 (Kubernetes 1.36.3, Talos 1.13.9's default) by
 * `scripts/ensure-tools.sh`. It decodes each YAML document into its typed object with
 * sigs.k8s.io/json's `UnmarshalStrict` (case-sensitive, unknown and duplicate fields refused) and
 * names the bad field. Call {@link ensureK8sObjectCheck} from `beforeAll` (a cold build takes
 * about 15 s; a no-op when the binary is current).
 */
import { execFileSync } from "child_process";
import * as path from "path";

const ROOT = path.resolve(__dirname, "..", "..");
/** The checker binary. */
export const K8S_OBJECT_CHECK = path.join(ROOT, ".tools", "bin", "k8s-object-check");
/** The k8s.io/api release the checker is built on (must match tools/k8s/check/go.mod). */
export const K8S_API_VERSION = "v0.36.3";

/** Builds the checker when missing or stale. */
export function ensureK8sObjectCheck(): void {
  execFileSync("bash", [path.join(ROOT, "scripts", "ensure-tools.sh"), "k8s-object-check"], { stdio: "inherit" });
}

/** The checker's verdict on a multi-document YAML stream. */
export interface K8sCheckResult {
  /** True when every document decoded strictly. */
  ok: boolean;
  /** One line per bad document (`document <i> (<kind> <name>): <error>`), or the success line. */
  output: string;
}

/** Runs the checker on `yaml` (multi-document). */
export function checkK8sObjects(yaml: string): K8sCheckResult {
  try {
    const output = execFileSync(K8S_OBJECT_CHECK, [], { input: yaml, encoding: "utf8", stdio: ["pipe", "pipe", "pipe"] });
    return { ok: true, output: output.trim() };
  } catch (err) {
    const e = err as { status?: number; stdout?: string; stderr?: string };
    if (e.status === 1) return { ok: false, output: (e.stdout ?? "").trim() };
    throw new Error(`k8s-object-check failed (status ${e.status}): ${e.stderr ?? ""}`);
  }
}
