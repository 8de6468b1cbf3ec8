/**
 * The generated-config plan of `TalosConfigPush` (`configSource: "generated"`): a secrets bundle,
 * each node's machine config generated with `talosctl gen config` from it plus patches, applied
 * with `talosctl apply-config` (`--insecure` to a node in maintenance mode, authenticated to a
 * configured one), `talosctl bootstrap` once, health gates, then workers. Pure: no Pulumi imports.
 *
 * talosctl flags used, each listed for its command in the pinned v1.9-v1.13 CLI references
 * (`website/content/v1.X/reference/cli.md`; `tests/generatedPush.test.ts` runs every script
 * against the flag-checking double for each minor): `gen secrets --output-file`; `gen config
 * <cluster> <endpoint URL> --with-secrets --talos-version --kubernetes-version --output-types
 * --output --with-docs --with-examples --config-patch`; `apply-config --insecure --file --mode
 * --timeout`; `get <type> --insecure --output`; `bootstrap`; `service`; `version --short`;
 * `read`; `kubeconfig <path> --merge --force`; `config endpoint`, `config node`; the connection
 * flags `--talosconfig --nodes --endpoints` after the subcommand.
 */
import * as crypto from "crypto";
import { checkInt, checkPattern } from "../../core/checks";
import { InputError } from "../../core/errors";
import { parseIp } from "../../core/net";
import { ControlPlaneNodeSpec, validateControlPlanes, validateLayer2Vip } from "./controlPlanes";
import { checkKubernetesVersion } from "./kubernetesVersions";
import { yamlDocuments } from "./clusterState";
import { renderCertSansPatch } from "./nodeConfig";
import { ControlPlanePatchSpec, kubernetesApiUrl, renderControlPlanePatch, toYaml } from "./patch";
import {
  checkModeAndTimeout,
  checkTalosctl,
  DEFAULT_WAIT_TIMEOUT_SECONDS,
  PART_SEPARATOR,
  READER_ENV,
  TALOSCONFIG_ENV,
  WAIT_CALL_TIMEOUT_SECONDS,
} from "./talosctl";
import { parseTalosVersion } from "./version";

/** Environment variable that carries the secrets bundle into the scripts (never argv). */
export const SECRETS_ENV = "TALOS_ENDPOINTS_SECRETS";
/** Values of `TalosConfigPush.configSource` (the `ConfigSource` enum). */
export const CONFIG_SOURCES = ["patch", "generated"] as const;
/** Default number of workers applied at the same time. */
export const DEFAULT_WORKER_PARALLELISM = 2;

/** A node listed by address (a worker, in generated mode). */
export interface GeneratedNodeSpec {
  /** DNS label, used in resource names. */
  name: string;
  /** The node's own address with prefix length. */
  address: string;
}

/** A patch for one node (YAML text, like every patch input). */
export interface NodePatchSpec {
  /** A control-plane or worker name. */
  node: string;
  /** Strategic-merge patch, one or more YAML documents. */
  patch: string;
}

/** Resolved generated-mode inputs (see `TalosConfigPushArgs` for each field). */
export interface GeneratedPlanSpec extends Omit<ControlPlanePatchSpec, "extraPatch"> {
  clusterName: string;
  kubernetesVersion?: string;
  controlPlanes: readonly ControlPlaneNodeSpec[];
  workers?: readonly GeneratedNodeSpec[];
  extraPatch?: Record<string, unknown>;
  configPatches?: readonly string[];
  controlPlanePatches?: readonly string[];
  workerPatches?: readonly string[];
  nodePatches?: readonly NodePatchSpec[];
  mode?: string;
  tryTimeout?: string;
  talosctl?: string;
  waitTimeoutSeconds?: number;
  workerParallelism?: number;
}

/** One node's part of the plan. */
export interface GeneratedNodePlan {
  name: string;
  role: "controlplane" | "worker";
  ip: string;
  /** True only for the first control plane: its script runs `talosctl bootstrap` when etcd was never bootstrapped. */
  bootstrap: boolean;
  /** The patches given to `gen config` (`--config-patch`, in order): the endpoint's, then the user's. */
  patches: string[];
  /** Where each patch comes from, in the same order (`endpoint`, `configPatches[0]`, `nodePatches[1]`, ...). */
  patchSources: string[];
  /** The script's stdin: the patches separated by {@link PART_SEPARATOR} lines (nothing secret). */
  input: string;
  script: string;
  /** SHA-256 (hex) of the input and script; the component adds the secrets fingerprint. */
  hash: string;
  /** The talosctl command lines, temporary files named (never their content). */
  commandLines: string[];
  /** The nodes whose apply must finish first (by name). */
  after: string[];
}

/** The whole plan. */
export interface GeneratedPlan {
  clusterName: string;
  kubernetesVersion: string;
  endpointUrl: string;
  /** Control planes in order, then workers. */
  nodes: GeneratedNodePlan[];
  secretsScript: string;
  talosconfigScript: string;
  kubeconfigScript: string;
  /** Human-readable apply order (one line a step). */
  order: string[];
  warnings: string[];
}

/**
 * Checks a user patch: YAML, every document a mapping, and nothing that the endpoint owns (the
 * control-plane endpoint URL, and with a `vip` any VIP: `machine.network.interfaces[].vip` or a
 * `Layer2VIPConfig` document). The text itself is what talosctl receives.
 * @throws InputError naming `field`.
 */
export function checkUserPatch(field: string, text: unknown, owned: { endpointUrl?: string; vip?: string | boolean }): string {
  if (typeof text !== "string") throw new InputError(field, text, "must be YAML text (a strategic-merge patch)");
  const docs = yamlDocuments(text, { uniqueKeys: true });
  const short = excerpt(text);
  const broken = docs.find((d) => d.errors.length > 0);
  if (broken) throw new InputError(field, short, `is not valid YAML: ${broken.errors[0].message.split("\n")[0]}`);
  for (const doc of docs) {
    const v: unknown = doc.toJS();
    if (v === null || v === undefined) continue;
    if (typeof v !== "object" || Array.isArray(v))
      throw new InputError(field, short, "each YAML document must be a mapping (a machine-config patch)");
    const d = v as Record<string, unknown>;
    const cluster = d.cluster as Record<string, unknown> | undefined;
    const cp = cluster?.controlPlane as Record<string, unknown> | undefined;
    if (cp?.endpoint !== undefined && cp.endpoint !== owned.endpointUrl) {
      throw new InputError(
        field,
        short,
        `sets cluster.controlPlane.endpoint to ${JSON.stringify(cp.endpoint)}; the endpoint component owns it (${owned.endpointUrl ?? "the endpoint input"})`,
      );
    }
    if (owned.vip !== undefined && owned.vip !== false) {
      const ifaces = ((d.machine as Record<string, unknown> | undefined)?.network as Record<string, unknown> | undefined)?.interfaces;
      const withVip = Array.isArray(ifaces) && ifaces.some((i) => i !== null && typeof i === "object" && "vip" in i);
      if (withVip || d.kind === "Layer2VIPConfig") {
        throw new InputError(
          field,
          short,
          `sets a VIP; the endpoint owns the VIP (${typeof owned.vip === "string" ? `vip ${owned.vip}` : "the vip input"}): change it there`,
        );
      }
    }
  }
  return text;
}

function excerpt(text: string): string {
  const first = text.trim().split("\n")[0] ?? "";
  return first.length > 60 ? `${first.slice(0, 57)}...` : first;
}

/**
 * Checks the cluster name `gen config` gets: a DNS label (Talos puts it into the kubeconfig
 * context and discovery). @throws InputError (`clusterName`).
 */
export function checkClusterName(value: unknown): string {
  return checkPattern(
    "clusterName",
    value,
    /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/,
    "must be a DNS label (lower-case letters, digits, '-')",
  );
}

/** Quotes one word for bash, leaving `"$VAR..."` words alone. */
function word(w: string): string {
  if (/^"[$@][^"]*"$/.test(w) || /^"@\$[^"]*"$/.test(w)) return w;
  if (/^[A-Za-z0-9_./:=@%+-]+$/.test(w)) return w;
  return `'${w.replace(/'/g, `'\\''`)}'`;
}
const line = (ws: readonly string[]) => ws.map(word).join(" ");

const TC_FILE = '"$WORKDIR/talosconfig"';

function prelude(opts: { ip?: string; secrets: boolean; talosconfig: boolean; reader: boolean; wait: number }): string[] {
  const who = opts.ip ?? "talos-endpoints";
  const need = (env: string, what: string) =>
    `if [ -z "\${${env}:-}" ]; then echo "talos-endpoints: ${env} is empty: ${what}" >&2; exit 2; fi`;
  return [
    "set -euo pipefail",
    "umask 077",
    `say() { printf 'talos-endpoints: %s: %s\\n' '${who}' "$*"; }`,
    `die() { printf 'talos-endpoints: %s: %s\\n' '${who}' "$*" >&2; exit 1; }`,
    ...(opts.secrets ? [need(SECRETS_ENV, "set the secrets bundle (TalosConfigPush passes it)")] : []),
    ...(opts.talosconfig ? [need(TALOSCONFIG_ENV, "set the talosconfig (TalosConfigPush passes it)")] : []),
    ...(opts.reader
      ? [need(READER_ENV, "it names the reader the push runs (set by TalosConfigPush)"), `mapfile -t READER <<<"$${READER_ENV}"`]
      : []),
    `WORKDIR="$(mktemp -d "\${TMPDIR:-/tmp}/talos-endpoints.XXXXXXXX")"`,
    `trap 'rm -rf "$WORKDIR"' EXIT`,
    `trap 'exit 130' INT TERM HUP`,
    ...(opts.secrets ? [`printf '%s' "$${SECRETS_ENV}" > "$WORKDIR/secrets.yaml"`, `unset ${SECRETS_ENV}`] : []),
    ...(opts.talosconfig ? [`printf '%s' "$${TALOSCONFIG_ENV}" > "$WORKDIR/talosconfig"`, `unset ${TALOSCONFIG_ENV}`] : []),
    `WAIT=${opts.wait}`,
    `TO=(); if command -v timeout >/dev/null 2>&1; then TO=(timeout ${WAIT_CALL_TIMEOUT_SECONDS}); fi`,
    "until_ok() {",
    '  local what=$1 fn=$2 last="" deadline=$((SECONDS + WAIT))',
    "  while :; do",
    `    if last=$("$fn" 2>&1); then if [[ -n $last ]]; then printf '%s\\n' "$last"; fi; return 0; fi`,
    "    if ((SECONDS >= deadline)); then die \"$what: not ready after $WAIT s; last error: ${last##*$'\\n'}\"; fi",
    "    sleep 5",
    "  done",
    "}",
  ];
}

function genConfigArgs(p: { clusterName: string; url: string; tag: string; k8s: string; type: string; output: string }): string[] {
  return [
    "gen",
    "config",
    p.clusterName,
    p.url,
    "--with-secrets",
    '"$WORKDIR/secrets.yaml"',
    "--talos-version",
    p.tag,
    "--kubernetes-version",
    p.k8s,
    "--output-types",
    p.type,
    "--output",
    p.output,
    "--with-docs=false",
    "--with-examples=false",
  ];
}

function display(talosctl: string, args: readonly string[]): string {
  return [talosctl, ...args]
    .map((w) =>
      w === '"$WORKDIR/secrets.yaml"'
        ? "<secrets bundle: temporary 0600 file>"
        : w === TC_FILE
          ? "<talosconfig: temporary 0600 file>"
          : w.replace(/^"\$WORKDIR\/([^"]+)"$/, "<temporary $1>"),
    )
    .join(" ");
}

/**
 * Checks the worker list against itself and the control planes: names DNS labels, addresses with
 * a prefix, no name or address used twice.
 * @returns each worker's name and IP (no prefix).
 * @throws InputError naming `workers[i].name` or `workers[i].address`.
 */
export function validateWorkers(
  list: readonly GeneratedNodeSpec[] | undefined,
  cps: readonly { name: string; address: { ip: string } }[],
): { name: string; ip: string }[] {
  const workers = (list ?? []).map((w, i) => {
    const name = checkPattern(`workers[${i}].name`, w?.name, /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, "must be a DNS label");
    const address = typeof w?.address === "string" ? w.address : "";
    const ip = parseIp(`workers[${i}].address`, address.split("/")[0]).ip;
    if (!/\/\d+$/.test(address)) throw new InputError(`workers[${i}].address`, w?.address, "needs a prefix length, e.g. 192.168.30.41/24");
    return { name, ip };
  });
  const seenName = new Map<string, string>(cps.map((n, i) => [n.name, `controlPlanes[${i}]`]));
  const seenIp = new Map<string, string>(cps.map((n, i) => [n.address.ip, `controlPlanes[${i}]`]));
  workers.forEach((w, i) => {
    if (seenName.has(w.name)) throw new InputError(`workers[${i}].name`, w.name, `is also the name of ${seenName.get(w.name)}`);
    if (seenIp.has(w.ip)) throw new InputError(`workers[${i}].address`, w.ip, `duplicates the address of ${seenIp.get(w.ip)}`);
    seenName.set(w.name, `workers[${i}]`);
    seenIp.set(w.ip, `workers[${i}]`);
  });
  return workers;
}

/**
 * The checks that need only the plain fields, run by the component before any child resource
 * (fields that are still Outputs are skipped here; {@link planGeneratedConfigs} checks everything
 * when they resolve).
 * @throws InputError naming the field and value.
 */
export function staticGeneratedChecks(spec: Partial<GeneratedPlanSpec>, owned: { vip: boolean }): void {
  const plain = (v: unknown): v is string => typeof v === "string";
  if (plain(spec.talosVersion)) {
    parseTalosVersion(spec.talosVersion);
    if (spec.kubernetesVersion === undefined || plain(spec.kubernetesVersion))
      checkKubernetesVersion(spec.talosVersion, spec.kubernetesVersion);
  }
  if (plain(spec.clusterName)) checkClusterName(spec.clusterName);
  if (spec.workerParallelism !== undefined) checkInt("workerParallelism", spec.workerParallelism, { min: 1, max: 64, what: "a count" });
  const endpointUrl = plain(spec.endpoint) ? kubernetesApiUrl(spec.endpoint) : undefined;
  for (const field of ["configPatches", "controlPlanePatches", "workerPatches"] as const) {
    const list: unknown = spec[field];
    if (Array.isArray(list)) list.forEach((t, i) => plain(t) && checkUserPatch(`${field}[${i}]`, t, { endpointUrl, vip: owned.vip }));
  }
  const names = new Set([...(spec.controlPlanes ?? []), ...(spec.workers ?? [])].map((n) => n?.name));
  const nodePatches: unknown = spec.nodePatches;
  if (Array.isArray(nodePatches))
    nodePatches.forEach((p: Partial<NodePatchSpec> | undefined, i) => {
      if (p && plain(p.node) && !names.has(p.node))
        throw new InputError(`nodePatches[${i}].node`, p.node, "names no control plane or worker");
      if (p && plain(p.patch)) checkUserPatch(`nodePatches[${i}].patch`, p.patch, { endpointUrl, vip: owned.vip });
    });
}

/** Renders the whole plan from resolved inputs. @throws InputError naming the field and value. */
export function planGeneratedConfigs(spec: GeneratedPlanSpec): GeneratedPlan {
  const version = parseTalosVersion(spec.talosVersion);
  const clusterName = checkClusterName(spec.clusterName);
  const k8s = checkKubernetesVersion(spec.talosVersion, spec.kubernetesVersion);
  const { nodes: cps, warnings } = validateControlPlanes("controlPlanes", spec.controlPlanes);
  const workers = validateWorkers(spec.workers, cps);
  const seenName = new Set<string>([...cps.map((n) => n.name), ...workers.map((w) => w.name)]);
  // Everything TalosVipEndpoint checks about a VIP: on the nodes' subnet, unused (no node, no worker).
  if (spec.vip !== undefined) {
    validateLayer2Vip(
      "vip",
      spec.vip,
      cps,
      "controlPlanes",
      workers.map((w, i) => ({ field: `workers[${i}].address (${w.name})`, ip: w.ip })),
    );
  }
  const { mode, tryTimeout } = checkModeAndTimeout(spec.mode, spec.tryTimeout);
  const talosctl = checkTalosctl(spec.talosctl ?? "talosctl");
  const wait = checkInt("waitTimeoutSeconds", spec.waitTimeoutSeconds ?? DEFAULT_WAIT_TIMEOUT_SECONDS, {
    min: 0,
    max: 86400,
    what: "whole seconds",
  });
  const parallelism = checkInt("workerParallelism", spec.workerParallelism ?? DEFAULT_WORKER_PARALLELISM, {
    min: 1,
    max: 64,
    what: "a count",
  });

  // The endpoint's own patch for control planes: the push's main patch, the certSANs and every
  // one-shot part (each one's condition holds on a freshly generated config: no inline manifest of
  // that name, the exclude-from-external-load-balancers label present, no interfaces[] entry).
  const rendered = renderControlPlanePatch({ ...spec, extraPatch: spec.extraPatch });
  const url = kubernetesApiUrl(rendered.certSANs[0]);
  const sans = renderCertSansPatch(rendered.certSANs, rendered.certSANs);
  const cpPatch = [
    { source: "main", text: rendered.yaml },
    ...(sans === undefined ? [] : [{ source: "certSANs", text: sans }]),
    ...rendered.oneShot.map((p) => ({ source: p.description, text: p.yaml })),
  ];
  const kubePrism = { enabled: spec.kubePrismEnabled ?? true, port: spec.kubePrismPort ?? 7445 };
  const workerPatch = toYaml([{ machine: { features: { kubePrism } } }]);
  const owned = { endpointUrl: url, vip: spec.vip };
  const user = (field: string, list: readonly string[] | undefined) =>
    (list ?? []).map((t, i) => ({ source: `${field}[${i}]`, text: checkUserPatch(`${field}[${i}]`, t, owned) }));
  const all = user("configPatches", spec.configPatches);
  const cpUser = user("controlPlanePatches", spec.controlPlanePatches);
  const wUser = user("workerPatches", spec.workerPatches);
  const perNode = new Map<string, { source: string; text: string }[]>();
  (spec.nodePatches ?? []).forEach((p, i) => {
    if (!seenName.has(p?.node)) throw new InputError(`nodePatches[${i}].node`, p?.node, "names no control plane or worker");
    const list = perNode.get(p.node) ?? [];
    list.push({ source: `nodePatches[${i}]`, text: checkUserPatch(`nodePatches[${i}].patch`, p.patch, owned) });
    perNode.set(p.node, list);
  });

  const plans: GeneratedNodePlan[] = [];
  const nodeList = [
    ...cps.map((n) => ({ name: n.name, ip: n.address.ip, role: "controlplane" as const })),
    ...workers.map((w) => ({ ...w, role: "worker" as const })),
  ];
  const lastCp = cps[cps.length - 1].name;
  nodeList.forEach((n, index) => {
    // One --config-patch per part: a patch file may hold one v1alpha1 document only
    // (configpatcher.LoadPatches: "duplicate document /v1alpha1/ is not allowed").
    const own = n.role === "controlplane" ? cpPatch : [{ source: "main", text: workerPatch }];
    const patches = [...own, ...all, ...(n.role === "controlplane" ? cpUser : wUser), ...(perNode.get(n.name) ?? [])];
    const bootstrap = index === 0;
    const after =
      n.role === "controlplane"
        ? index === 0
          ? []
          : [nodeList[index - 1].name]
        : [lastCp, ...(index - cps.length >= parallelism ? [nodeList[index - parallelism].name] : [])];
    const gen = genConfigArgs({ clusterName, url, tag: version.tag, k8s, type: n.role, output: '"$WORKDIR/config.yaml"' });
    const conn = ["--talosconfig", TC_FILE, "--nodes", n.ip, "--endpoints", n.ip];
    const applyArgs = [
      "apply-config",
      ...conn,
      "--file",
      '"$WORKDIR/config.yaml"',
      "--mode",
      mode,
      ...(tryTimeout ? ["--timeout", tryTimeout] : []),
    ];
    const insecureArgs = ["apply-config", "--insecure", "--nodes", n.ip, "--endpoints", n.ip, "--file", '"$WORKDIR/config.yaml"'];
    const script = renderNodeScript({
      ip: n.ip,
      role: n.role,
      bootstrap,
      gen,
      patchCount: patches.length,
      applyArgs,
      insecureArgs,
      talosctl,
      wait,
      mode,
      minor: version.minor,
    });
    const patchFlags = patches.map((p) => `--config-patch <temporary ${p.source} patch>`).join(" ");
    plans.push({
      name: n.name,
      role: n.role,
      ip: n.ip,
      bootstrap,
      patches: patches.map((p) => p.text),
      patchSources: patches.map((p) => p.source),
      input: patches.map((p, i) => (i === 0 ? ensureNewline(p.text) : `${PART_SEPARATOR}\n${ensureNewline(p.text)}`)).join(""),
      script,
      hash: "",
      commandLines: [
        `${display(talosctl, gen)} ${patchFlags}`,
        `maintenance mode: ${display(talosctl, insecureArgs)}`,
        `configured (only when the generated config differs from the node's): ${display(talosctl, applyArgs)}`,
        ...(bootstrap ? [`once, when etcd was never bootstrapped: ${display(talosctl, ["bootstrap", ...conn])}`] : []),
      ],
      after,
    });
  });
  for (const p of plans) p.hash = crypto.createHash("sha256").update(p.input).update("\0").update(p.script).digest("hex");

  const cpIps = cps.map((n) => n.address.ip);
  const order = [
    `1. secrets bundle (talosctl gen secrets, once; a Pulumi secret)`,
    ...plans
      .filter((p) => p.role === "controlplane")
      .map(
        (p, i) =>
          `${i + 2}. ${p.name} (${p.ip}): gen config controlplane, apply-config${p.bootstrap ? ", bootstrap etcd once" : ""}, wait for etcd and kube-apiserver`,
      ),
    ...(workers.length > 0
      ? [
          `${cps.length + 2}. workers, ${parallelism} at a time: ${plans
            .filter((p) => p.role === "worker")
            .map((p) => `${p.name} (${p.ip})`)
            .join(", ")}`,
        ]
      : []),
    `${cps.length + (workers.length > 0 ? 3 : 2)}. kubeconfig from ${cps[0].name} (server ${url})`,
  ];
  const tcGen = genConfigArgs({ clusterName, url, tag: version.tag, k8s, type: "talosconfig", output: TC_FILE });
  const talosconfigScript = [
    ...prelude({ secrets: true, talosconfig: false, reader: false, wait: 0 }),
    `${word(talosctl)} ${line(tcGen)} >&2`,
    `${word(talosctl)} config endpoint ${line(cpIps)} --talosconfig ${TC_FILE} >&2`,
    `${word(talosctl)} config node ${line([cpIps[0]])} --talosconfig ${TC_FILE} >&2`,
    `cat ${TC_FILE}`,
    "",
  ].join("\n");
  const secretsScript = [
    ...prelude({ secrets: false, talosconfig: false, reader: false, wait: 0 }),
    `${word(talosctl)} gen secrets --output-file "$WORKDIR/secrets.yaml" >&2`,
    `cat "$WORKDIR/secrets.yaml"`,
    "",
  ].join("\n");
  const first = cpIps[0];
  const kubeconfigScript = [
    ...prelude({ secrets: false, talosconfig: true, reader: false, wait }),
    `fetch() { "\${TO[@]}" ${word(talosctl)} kubeconfig "$WORKDIR/kubeconfig" --talosconfig ${TC_FILE} --nodes ${first} --endpoints ${first} --merge=false --force >/dev/null; }`,
    wait === 0 ? `fetch` : `until_ok "the kubeconfig from ${first}" fetch >&2`,
    `cat "$WORKDIR/kubeconfig"`,
    "",
  ].join("\n");
  return {
    clusterName,
    kubernetesVersion: k8s,
    endpointUrl: url,
    nodes: plans,
    secretsScript,
    talosconfigScript,
    kubeconfigScript,
    order,
    warnings,
  };
}

function ensureNewline(s: string): string {
  return s === "" || s.endsWith("\n") ? s : `${s}\n`;
}

interface NodeScriptSpec {
  ip: string;
  role: "controlplane" | "worker";
  bootstrap: boolean;
  gen: string[];
  patchCount: number;
  applyArgs: string[];
  insecureArgs: string[];
  talosctl: string;
  wait: number;
  mode: string;
  minor: number;
}

/**
 * One node's script. Secrets reach it only through the environment ({@link SECRETS_ENV},
 * `TALOS_ENDPOINTS_TALOSCONFIG`) and are written under `umask 077` into a fresh `mktemp -d`
 * directory removed on every exit the shell sees; the generated config is written there too and
 * never printed. Steps: split stdin into the patch files; `gen config` with them; find out whether
 * the node is in maintenance mode (`get machinestatus --insecure` answers with stage
 * `maintenance`) or configured (the authenticated `get machinestatus` answers); maintenance:
 * `apply-config --insecure`; configured: check the versions, read the node's active config and
 * apply only when it differs from the generated one; wait for the authenticated API; on the
 * first control plane bootstrap etcd unless it is healthy already (`AlreadyExists` counts as
 * bootstrapped); control planes: wait for etcd and kube-apiserver; workers: wait for `running`.
 */
function renderNodeScript(s: NodeScriptSpec): string {
  const tc = `"\${TO[@]}" ${word(s.talosctl)}`;
  const conn = `--talosconfig ${TC_FILE} --nodes ${s.ip} --endpoints ${s.ip}`;
  const insecureConn = `--insecure --nodes ${s.ip} --endpoints ${s.ip}`;
  const waitOr = (what: string, fn: string) =>
    s.wait === 0 ? `${fn} >/dev/null || die "${what}: not ready (waitTimeoutSeconds is 0)"` : `until_ok "${what}" ${fn}`;
  return [
    ...prelude({ ip: s.ip, secrets: true, talosconfig: true, reader: true, wait: s.wait }),
    `awk -v dir="$WORKDIR" 'BEGIN { n = 0; f = dir "/part-0.yaml"; printf "" > f } $0 == "${PART_SEPARATOR}" { n++; f = dir "/part-" n ".yaml"; printf "" > f; next } { print > f }'`,
    `GEN_PATCHES=(); for ((i = 0; i < ${s.patchCount}; i++)); do GEN_PATCHES+=(--config-patch "@$WORKDIR/part-$i.yaml"); done`,
    `set +e`,
    `GEN_OUT=$(${word(s.talosctl)} ${line(s.gen)} "\${GEN_PATCHES[@]}" 2>&1)`,
    `rc=$?`,
    `set -e`,
    `if ((rc != 0)); then die "talosctl gen config failed (nothing was applied): \${GEN_OUT##*$'\\n'}"; fi`,
    `stage_insecure() { local out; out=$(${tc} get machinestatus ${insecureConn} --output yaml) || return 1; printf '%s\\n' "$out" | "\${READER[@]}" stage; }`,
    `stage_auth() { local out; out=$(${tc} get machinestatus ${conn} --output yaml) || return 1; printf '%s\\n' "$out" | "\${READER[@]}" stage; }`,
    `node_state() { local st; if st=$(stage_insecure 2>/dev/null) && [[ $st == maintenance ]]; then echo maintenance; return 0; fi; if st=$(stage_auth 2>&1); then echo "configured $st"; return 0; fi; echo "$st"; return 1; }`,
    `running() { local st; st=$(stage_auth) || return 1; if [[ $st == running ]]; then return 0; fi; echo "stage $st"; return 1; }`,
    `authenticated() { stage_auth >/dev/null; }`,
    `etcd_ok() { local out; out=$(${tc} service ${conn} etcd) || return 1; if [[ $out =~ (^|$'\\n')HEALTH[[:space:]]+OK ]]; then return 0; fi; echo "etcd is not healthy yet"; return 1; }`,
    `apiserver_ok() { local out r; out=$(${tc} get staticpodstatus ${conn} --output yaml) || return 1; r=$(printf '%s\\n' "$out" | "\${READER[@]}" apiserver-ready) || return 1; if [[ $r == ready ]]; then return 0; fi; echo "kube-apiserver is not ready yet"; return 1; }`,
    `boot_id() { ${tc} read ${conn} /proc/sys/kernel/random/boot_id; }`,
    `rebooted() { local now; now=$(boot_id) || return 1; if [[ -n $now && $now != "$BOOT_ID" ]]; then return 0; fi; echo "the node has not rebooted yet"; return 1; }`,
    s.wait === 0
      ? `STATE=$(node_state) || die "cannot reach the node's Talos API (maintenance or configured): \${STATE##*$'\\n'}"`
      : `STATE=$(until_ok "the node's Talos API (maintenance or configured)" node_state) || exit 1`,
    `if [[ $STATE == maintenance ]]; then`,
    `  say "maintenance mode: applying the generated ${s.role} config (--insecure)"`,
    `  set +e; APPLY_OUT=$(${word(s.talosctl)} ${line(s.insecureArgs)} 2>&1); rc=$?; set -e`,
    `  printf '%s\\n' "$APPLY_OUT"`,
    `  if ((rc != 0)); then die "the node refused the generated config: \${APPLY_OUT##*$'\\n'}"; fi`,
    `else`,
    `  say "configured (\${STATE#configured })"`,
    `  VERSION_OUT=$(${tc} version ${conn} --short 2>&1) || die "cannot read the node's Talos version: \${VERSION_OUT##*$'\\n'}"`,
    `  VERSIONS=$(printf '%s\\n' "$VERSION_OUT" | "\${READER[@]}" versions ${s.minor} 2>&1) || die "$VERSIONS"`,
    `  CURRENT=$(${tc} get machineconfig v1alpha1 ${conn} --output 'jsonpath={.spec}') || die "cannot read the node's machine config"`,
    `  SAME=$(printf '%s\\n' "$CURRENT" | "\${READER[@]}" same "$WORKDIR/config.yaml") || die "cannot compare the node's machine config with the generated one: nothing was applied"`,
    `  unset CURRENT`,
    `  if [[ $SAME == same ]]; then`,
    `    say "the node's config equals the generated one: nothing applied"`,
    `  else`,
    `    BOOT_ID=$(boot_id 2>/dev/null || true)`,
    `    set +e; APPLY_OUT=$(${word(s.talosctl)} ${line(s.applyArgs)} 2>&1); rc=$?; set -e`,
    `    printf '%s\\n' "$APPLY_OUT"`,
    `    if ((rc != 0)); then die "the node refused the generated config: \${APPLY_OUT##*$'\\n'}"; fi`,
    ...(s.wait === 0
      ? []
      : [
          `    if [[ ${s.mode === "reboot" ? "1 == 1" : `"$APPLY_OUT" == *"with a reboot"*`} ]]; then say "waiting for the reboot"; until_ok "the node's reboot" rebooted; fi`,
        ]),
    `  fi`,
    `fi`,
    waitOr("the node's authenticated Talos API", "authenticated"),
    ...(s.bootstrap
      ? [
          `bootstrap_once() { local out; if out=$(${tc} bootstrap ${conn} 2>&1); then echo "bootstrapped etcd"; return 0; fi; if [[ $out == *AlreadyExists* ]]; then echo "etcd was bootstrapped before (AlreadyExists): not bootstrapped again"; return 0; fi; echo "$out"; return 1; }`,
          `if etcd_ok >/dev/null 2>&1; then say "etcd is healthy: the cluster was bootstrapped before"; else ${s.wait === 0 ? `bootstrap_once || die "bootstrap failed"` : `until_ok "etcd bootstrap" bootstrap_once`}; fi`,
        ]
      : []),
    ...(s.role === "controlplane"
      ? [waitOr("etcd on the node", "etcd_ok"), waitOr("kube-apiserver on the node", "apiserver_ok")]
      : [waitOr("the worker's boot (stage running)", "running")]),
    `say "done"`,
    "",
  ].join("\n");
}
