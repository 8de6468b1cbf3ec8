/**
 * What the generated-config apply reads from talosctl and from its secret inputs, parsed with the
 * `yaml` library (no shell text scanning). Pure: no Pulumi imports. Used by the push's reader
 * (`pushReader.ts`: `stage`, `apiserver-ready`, `same`) and by `TalosConfigPush`.
 */
import { createHash } from "crypto";
import { Document, parseAllDocuments } from "yaml";
import { InputError } from "../../core/errors";
import { parseNodeConfig } from "./nodeConfig";

type Json = Record<string, unknown>;

/** Every document of a YAML stream (none for an empty stream). */
export function yamlDocuments(text: string, options?: { uniqueKeys?: boolean }): Document.Parsed[] {
  const docs = parseAllDocuments(text, options);
  return Array.isArray(docs) ? docs : [];
}

function isMap(v: unknown): v is Json {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** Parses `talosctl get ... -o yaml` output: one document per resource. Never quotes the text. */
function resources(text: string, what: string): Json[] {
  const out: Json[] = [];
  for (const doc of yamlDocuments(text)) {
    if (doc.errors.length > 0) throw new Error(`${what} is not valid YAML (${doc.errors[0].code})`);
    const v: unknown = doc.toJS();
    if (isMap(v)) out.push(v);
  }
  return out;
}

/**
 * The machine's stage from `talosctl get machinestatus -o yaml` (resource
 * `MachineStatuses.runtime.talos.dev`, id `machine`; `spec.stage` is a `MachineStage`:
 * `booting`, `installing`, `maintenance`, `running`, `rebooting`, ... — machinery v1.9.5
 * `resources/runtime/machine_status.go` and `machinestage.go`).
 * @returns the stage, lower case.
 * @throws Error when no resource with a `spec.stage` string is in the text.
 */
export function machineStage(text: string): string {
  for (const r of resources(text, "the machine status")) {
    const spec = r.spec;
    if (isMap(spec) && typeof spec.stage === "string") return spec.stage.toLowerCase();
  }
  throw new Error("the machine status holds no spec.stage");
}

/**
 * True when a `kube-apiserver` static pod reports `Ready` in `talosctl get staticpodstatus -o yaml`
 * (resource `StaticPodStatuses.kubernetes.talos.dev`, id `kube-system/kube-apiserver-<node>`; its
 * spec is the pod's `PodStatus` as the kubelet reports it: machinery v1.9.5
 * `resources/k8s/static_pod_status.go`, `MarshalYAML` returns the pod status map).
 */
export function apiServerReady(text: string): boolean {
  return resources(text, "the static pod status").some((r) => {
    const id = isMap(r.metadata) ? r.metadata.id : undefined;
    if (typeof id !== "string" || !/(^|\/)kube-apiserver-/.test(id)) return false;
    const conditions = isMap(r.spec) ? r.spec.conditions : undefined;
    return Array.isArray(conditions) && conditions.some((c) => isMap(c) && c.type === "Ready" && String(c.status) === "True");
  });
}

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (isMap(v))
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`)
      .join(",")}}`;
  return JSON.stringify(v ?? null);
}

/**
 * True when two machine configs (multi-document YAML) hold the same documents with the same
 * values, whatever the key order, comments or document order. Errors never quote the configs
 * (they hold the cluster's secrets).
 */
export function sameMachineConfig(a: string, b: string): boolean {
  const docs = (text: string) => parseNodeConfig(text).map(canonical).sort();
  const [x, y] = [docs(a), docs(b)];
  return x.length === y.length && x.every((d, i) => d === y[i]);
}

/**
 * Checks a talosconfig given as YAML text: a mapping with a non-empty `context` that names an
 * entry of `contexts` (talosctl's `clientconfig.Config`, machinery `client/config/config.go`).
 * The value is never quoted (it holds a client key).
 * @throws InputError naming `field` for empty text, text that is not YAML, or a missing context.
 */
export function checkTalosconfig(field: string, text: unknown): void {
  if (typeof text !== "string" || text.trim() === "")
    throw new InputError(field, "[secret]", "is empty: give the talosconfig's YAML content");
  const docs = yamlDocuments(text);
  const broken = docs.find((d) => d.errors.length > 0);
  if (broken) throw new InputError(field, "[secret]", `is not valid YAML (${broken.errors[0].code})`);
  const value: unknown = docs[0]?.toJS();
  if (!isMap(value)) throw new InputError(field, "[secret]", "is not a talosconfig (its root is not a mapping)");
  const context = value.context;
  if (typeof context !== "string" || context === "")
    throw new InputError(field, "[secret]", "names no current context (`context` is empty)");
  if (!isMap(value.contexts) || !isMap(value.contexts[context]))
    throw new InputError(field, "[secret]", `has no entry for its context ${JSON.stringify(context)} under contexts`);
}

/**
 * A secret-free fingerprint of a Talos secrets bundle (`talosctl gen secrets` output: machinery's `secrets.Bundle`,
 * `config/generate/secrets/secrets.go` v1.13.9, written by go-yaml, which lower-cases the field names): SHA-256 over the cluster ID and the public CA certificates
 * (`certs.os.crt`, `certs.k8s.crt`, `certs.etcd.crt`), never over a key or token. It changes
 * exactly when the bundle is replaced, so it can sit in plain state as part of a trigger.
 * @throws InputError (`field`, the value shown as `[secret]`) when the text is not such a bundle.
 */
export function secretsFingerprint(field: string, text: unknown): string {
  if (typeof text !== "string" || text.trim() === "")
    throw new InputError(field, "[secret]", "is empty: give the secrets bundle's YAML content");
  const docs = yamlDocuments(text);
  if (docs.some((d) => d.errors.length > 0)) throw new InputError(field, "[secret]", "is not valid YAML");
  const v: unknown = docs[0]?.toJS();
  const cluster = isMap(v) && isMap(v.cluster) ? v.cluster : undefined;
  const certs = isMap(v) && isMap(v.certs) ? v.certs : undefined;
  const crt = (name: string) => (certs && isMap(certs[name]) && typeof certs[name].crt === "string" ? certs[name].crt : undefined);
  const parts = [typeof cluster?.id === "string" ? cluster.id : undefined, crt("os"), crt("k8s"), crt("etcd")];
  if (parts.some((p) => p === undefined))
    throw new InputError(
      field,
      "[secret]",
      "is not a Talos secrets bundle (needs cluster.id and certs.os/k8s/etcd.crt, as `talosctl gen secrets` writes)",
    );
  const h = createHash("sha256");
  for (const p of parts) h.update(p as string).update("\0");
  return h.digest("hex");
}
