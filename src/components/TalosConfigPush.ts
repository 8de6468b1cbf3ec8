/**
 * TalosConfigPush: applies each control-plane node's rendered patch with talosctl.
 */
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { componentToken, ControlPlaneNodeArgs, LinkSelectorArgs } from "./contract";
import { isPlain, validated } from "./inputs";
import { checkStatic, planTalosConfigPush, renderPatchApplyOrder, TalosConfigPushPlanSpec } from "../render/talos/pushPlan";
import { PUSH_INTERPRETER, READER_ENV, TALOSCONFIG_ENV } from "../render/talos/talosctl";
import { pushReaderCommand } from "../render/talos/pushReader";
import { ApplyMode, ConfigSource, LinkAddressing } from "../render/enums";
import { parsePatchYaml } from "../render/patchYaml";
import { InputError } from "../core/errors";
import { checkInt } from "../core/checks";
import {
  CONFIG_SOURCES,
  GeneratedPlan,
  GeneratedPlanSpec,
  planGeneratedConfigs,
  SECRETS_ENV,
  staticGeneratedChecks,
} from "../render/talos/generated";
import { checkTalosconfig, secretsFingerprint } from "../render/talos/clusterState";

/** A node listed by name and address (workers in generated mode). */
export interface TalosNodeArgs {
  /** Node name: a DNS label (`wk-01`), plain: resources are named after it. */
  name: string;
  /** The node's own address with prefix length, e.g. `192.168.30.41/24`. May be an Output. */
  address: pulumi.Input<string>;
}

/** A patch for one node (generated mode). */
export interface NodePatchArgs {
  /** The control plane's or worker's name. */
  node: string;
  /** Strategic-merge patch as YAML text (one or more documents), e.g. a hostname or install disk. */
  patch: pulumi.Input<string>;
}

/** Arguments of {@link TalosConfigPush}. */
export interface TalosConfigPushArgs {
  /** Target Talos version, `1.9` through `1.13`. Decides the patch form and where connection flags go. */
  talosVersion: pulumi.Input<string>;
  /** The control-plane nodes, patched one at a time in this order. Same rules as `TalosVipEndpoint.controlPlanes`. */
  controlPlanes: ControlPlaneNodeArgs[];
  /**
   * The control-plane endpoint (host name or IP, no scheme/port), normally the `endpoint` output of
   * an endpoint component. Rendered as `cluster.controlPlane.endpoint = https://<endpoint>:6443` and
   * added to `machine.certSANs` and `cluster.apiServer.certSANs`.
   */
  endpoint: pulumi.Input<string>;
  /** Talos native VIP to configure on `link` (the `vip` output of `TalosVipEndpoint`). Omit for other backends. */
  vip?: pulumi.Input<string>;
  /** Interface carrying the VIP (e.g. `ens18` on Proxmox). Omit, with `linkSelector`, where Talos patches configure no network (clouds, external load balancers). */
  link?: pulumi.Input<string>;
  /** Hardware selection of the link instead of `link`. */
  linkSelector?: pulumi.Input<LinkSelectorArgs>;
  /** Alias given to the selected link on Talos >= 1.12. Default `cplink0`. */
  linkAlias?: pulumi.Input<string>;
  /** KubePrism (node-local API load balancer). Default `true`. */
  kubePrismEnabled?: pulumi.Input<boolean>;
  /** KubePrism port. Default `7445` (Talos docs, "KubePrism"). */
  kubePrismPort?: pulumi.Input<number>;
  /**
   * More host names or IPs to add to both certSANs lists. Default none. The push adds to
   * `machine.certSANs` and `cluster.apiServer.certSANs` only the names (the endpoint and these)
   * the node's list lacks, so the lists do not grow on every push (Talos's strategic merge appends
   * lists); names are compared case-insensitively, IPs in canonical form. Removing a name here
   * does not remove it from the nodes.
   */
  extraCertSANs?: pulumi.Input<pulumi.Input<string>[]>;
  /**
   * How the VIP's link gets its address, for Talos 1.9–1.11 with a `vip` (ignored otherwise):
   * `dhcp` (default) or `static`. Before 1.12 the VIP is a `machine.network.interfaces[]` entry,
   * and any entry makes Talos stop its default DHCP on that link (Talos v1.9.5/v1.11.5
   * `internal/app/machined/pkg/controllers/network/link_config.go` and `operator_config.go`), so
   * with `dhcp` the push also sets `dhcp: true` on the entry while the node's own entry for the
   * link (matched by the same `interface` name or `deviceSelector`) sets neither `dhcp`,
   * `addresses` nor `cidr`. Use `static` when the address comes from the platform's network
   * config (cloud-init/nocloud), the kernel's `ip=` argument or elsewhere outside that entry:
   * then no DHCP is added.
   * @throws InputError (`linkAddressing`) for any other value.
   */
  linkAddressing?: pulumi.Input<LinkAddressing>;
  /**
   * A further v1alpha1 strategic-merge fragment as YAML text, merged into every node's patch, e.g.
   * the `talosPatch` output of `MetalLbServices` (`cluster:\n  allowSchedulingOnControlPlanes: true`).
   * One document whose root is a mapping. Objects merge, lists append; changing a value this
   * package renders (endpoint, certSANs, KubePrism) is an error. When it is a Pulumi secret, the
   * patches are secret too. Default none.
   * @throws InputError (`extraPatch`) when it is not YAML, holds several documents or is not a mapping.
   */
  extraPatch?: pulumi.Input<string>;
  /**
   * The talosconfig (YAML content, not a path). Required with `configSource: patch`; ignored with
   * `generated` (the component makes its own from the secrets bundle: the `talosconfig` output).
   * Always stored as a Pulumi secret: it reaches talosctl through a 0600 file in a private
   * temporary directory that is removed afterwards, never through the command line.
   * @throws InputError (`talosconfig`, shown as `[secret]`) when missing in patch mode, empty, not
   *   YAML, or without a current context that `contexts` holds.
   */
  talosconfig?: pulumi.Input<string>;
  /**
   * `patch` (default): patch the control planes' current configs with `talosctl patch
   * machineconfig` (existing clusters). `generated`: generate every node's whole config with
   * `talosctl gen config` from a secrets bundle and patches, apply it with `talosctl apply-config`
   * (`--insecure` to a node in maintenance mode), bootstrap etcd once, then the workers (new
   * clusters; also existing ones given their `secretsBundle`). Plain, not an Input: it decides
   * which resources exist.
   * @throws InputError (`configSource`) for any other value.
   */
  configSource?: ConfigSource;
  /** Generated mode: the cluster name given to `talosctl gen config`, a DNS label. Default `talos`. */
  clusterName?: pulumi.Input<string>;
  /**
   * Generated mode: Kubernetes version (`1.32.3`), checked against Talos's support matrix
   * (`pkg/machinery/compatibility/talos1<minor>`: 1.9 runs 1.27–1.32, 1.11 1.29–1.34, 1.12
   * 1.30–1.35, 1.13 1.31–1.36). Default: the pinned talosctl release's own default (1.9: 1.32.3,
   * 1.11: 1.34.1, 1.12: 1.35.4, 1.13: 1.36.3; required for 1.10).
   * @throws InputError (`kubernetesVersion`) when malformed or outside that range.
   */
  kubernetesVersion?: pulumi.Input<string>;
  /**
   * The worker nodes, applied after every control plane, `workerParallelism` at a time. Generated
   * mode: each gets its whole generated worker config. Patch mode: each is patched with
   * `cluster.controlPlane.endpoint` (the URL it joins and reaches the API through) and KubePrism,
   * no certSANs or VIP, then the push waits for its Talos API. Default none.
   * @throws InputError (`workers[i].name` / `.address`) for a name that is not a DNS label, an
   *   address without prefix, or a name or address a control plane or another worker has.
   */
  workers?: TalosNodeArgs[];
  /**
   * Generated mode: a Talos secrets bundle (`talosctl gen secrets` output, YAML), as a secret: an
   * existing cluster's (`talosctl gen secrets --from-controlplane-config`). Default: generated once
   * by a `<name>-secrets` command and kept only as a Pulumi secret (its stdout; never logged).
   * @throws InputError (`secretsBundle`, shown as `[secret]`) when it lacks cluster.id or the CA certificates.
   */
  secretsBundle?: pulumi.Input<string>;
  /**
   * Generated mode: patches (YAML text, strategic merge, one or more documents) for every node,
   * passed to `gen config --config-patch` after the endpoint's own. A patch that sets
   * `cluster.controlPlane.endpoint` to another URL, or a VIP while `vip` is set, is refused.
   */
  configPatches?: pulumi.Input<pulumi.Input<string>[]>;
  /** Generated mode: patches for the control planes only (after `configPatches`). */
  controlPlanePatches?: pulumi.Input<pulumi.Input<string>[]>;
  /** Generated mode: patches for the workers only (after `configPatches`). */
  workerPatches?: pulumi.Input<pulumi.Input<string>[]>;
  /** Generated mode: patches for single nodes (applied last), by node name. */
  nodePatches?: pulumi.Input<pulumi.Input<NodePatchArgs>[]>;
  /**
   * How many workers are applied at the same time, 1–64. Default 2. Plain: it shapes the dependency graph.
   * @throws InputError (`workerParallelism`) outside 1–64.
   */
  workerParallelism?: number;
  /**
   * `talosctl patch --mode`: `auto`, `no-reboot`, `reboot`, `staged` or `try`. Default
   * `no-reboot` (applies live; fails instead of rebooting when a change needs a reboot). With
   * `try`, Talos rolls the change back after `tryTimeout` unless a later apply confirms it; the
   * push does not confirm it. Use it to test a change, then switch to `no-reboot`: the new mode
   * changes the hash, so the next `pulumi up` applies the change for good.
   */
  mode?: pulumi.Input<ApplyMode>;
  /** Rollback timeout for `try` mode, a Go duration (`90s`, `2m`). Default talosctl's `1m0s`. Only with `mode: try`. */
  tryTimeout?: pulumi.Input<string>;
  /** The talosctl program, a name on PATH or an absolute path. Default `talosctl`. */
  talosctl?: pulumi.Input<string>;
  /**
   * Bound, in seconds, on each of the push's waits: for the node's Talos API before patching (a
   * VM may still be booting), and for its etcd service to be healthy again afterwards (so the next
   * node is patched only once this one is back). 0 skips both. Default 600.
   */
  waitTimeoutSeconds?: pulumi.Input<number>;
}

/**
 * Pushes the endpoint (and, with the Talos VIP backend, the VIP and link config) to every
 * control-plane node with `talosctl patch machineconfig` (`configSource: "patch"`, the default, for
 * existing clusters), or generates and applies every node's whole config (`configSource:
 * "generated"`, for new clusters; described at the end).
 *
 * Children: one `command:local:Command` per node, named `<name>-<node>`; the first depends on
 * this component's own `dependsOn` (e.g. the VMs), each later one on the previous one, so nodes
 * are patched one at a time in the order given, each after the previous one's etcd is healthy
 * again, and a patch a node rejects stops the rollout there. Each command runs the script from
 * `renderPushScript` (talosconfig from a secret environment variable into a 0600 temporary file,
 * the patches from stdin; all removed on exit). It runs again when the SHA-256 of the node's
 * patches and script changes (its `triggers`: a new hash replaces the command) and also when any
 * other input changes, the talosconfig secret included: pulumi-command 1.2.1 runs `create` again
 * on any input change when, as here, no `update` command is given.
 *
 * Before patching, the script checks versions with the package's reader (`pushReader.js`, run by
 * the `node` on PATH; its path, relative to the program's directory, reaches the script in the
 * environment variable `TALOS_ENDPOINTS_READER`, so the same project on another machine or in CI
 * does not re-run the push; installing the package elsewhere re-runs it, which then changes
 * nothing): the node's Talos minor must be on the same side of 1.12 as
 * `talosVersion`'s (the patch's form depends on it), and a node on 1.12
 * or later needs talosctl 1.12 or later; otherwise it stops with the reason and nothing is
 * applied. The reader then reads the node's active config with the `yaml` library and decides
 * what is sent: the main patch always; the certSANs the node's `machine.certSANs` and
 * `cluster.apiServer.certSANs` lack (nothing when they hold them all: Talos appends lists, so a
 * fixed list would grow on every push); one-shot parts only while needed; on Talos >= 1.12 the
 * deletes of an earlier VIP's `Layer2VIPConfig` on the same link. Re-running is therefore safe,
 * and a second push with unchanged inputs changes nothing on the node.
 *
 * Destroy: removes nothing from the nodes, on purpose. The patch sets
 * `cluster.controlPlane.endpoint`, which every kubelet, worker and kubeconfig of the cluster uses;
 * there is no earlier value to restore that would still be valid, and removing the VIP or the
 * certSANs under a running cluster cuts its clients off. See the README ("Destroy") for the manual
 * removal patch.
 *
 * Errors (InputError naming the field; before any resource when the inputs are plain, else when
 * they resolve): a Talos version outside 1.9–1.13; an empty node list, a node name that is not a
 * DNS label or is used twice, a node address without prefix or used twice; an `endpoint` that is
 * not a host name or IP (a scheme or port included); a `vip` that is not an IP, or given without
 * `link`/`linkSelector`; both `link` and `linkSelector`; a link name or `linkAlias` that is not an
 * interface name / DNS label; a `kubePrismPort` outside 1–65535; an `extraCertSANs` entry that is
 * not a host name or IP; an `extraPatch` that is not one YAML mapping, holds a list or a
 * `$patch` directive Talos would apply again on every push, or changes a value this component
 * renders (endpoint, certSANs, KubePrism); an unknown `mode`; a `tryTimeout` that is not a
 * positive Go duration, or given without `mode: try`; a `waitTimeoutSeconds` that is not a
 * non-negative integer; a `talosctl` that is not a program name or absolute path; a
 * `linkAddressing` other than `dhcp` or `static`. Construction also fails (plain Error) when the
 * package runs from its TypeScript sources and tsx, which then runs the reader, is not installed.
 * In patch mode also: a missing `talosconfig`, or one that is empty, not YAML, or without a
 * current `context` that `contexts` holds; in both modes a `vip` off the control planes' subnet or
 * equal to a node's address (as `TalosVipEndpoint` checks it).
 *
 * Generated mode (`src/render/talos/generated.ts` renders the scripts; Talos 1.9–1.13 sources
 * cited there). Children: `<name>-secrets` (unless `secretsBundle` is given: `talosctl gen
 * secrets`, run once, stdout a secret, never logged, later script changes ignored),
 * `<name>-talosconfig` (`gen config --output-types talosconfig`, endpoints = the control planes'
 * addresses; stdout a secret), `<name>-<node>` for each control plane in order, each after the
 * previous, then each worker after the last control plane and after the worker
 * `workerParallelism` places before it, and `<name>-kubeconfig` after the last control plane
 * (stdout a secret; server = the endpoint URL). Each node's script generates its config with
 * `talosctl gen config` (secrets bundle and talosconfig from secret environment variables into a
 * 0700 temporary directory removed on exit; the patches on stdin), applies it with `apply-config
 * --insecure` when the node answers in maintenance mode or with `apply-config --mode <mode>` when
 * it is configured and its active config differs, bootstraps etcd on the first control plane
 * unless it is healthy (`AlreadyExists` counts as done), and waits (bounded by
 * `waitTimeoutSeconds`) for etcd and kube-apiserver on control planes, for stage `running` on
 * workers. Triggers: the SHA-256 of the node's patches and script plus a secret-free fingerprint
 * of the bundle (`secretsFingerprint`). Further errors (InputError, before any resource when
 * plain): a `configSource` other than `patch`/`generated`; a `clusterName` that is not a DNS label;
 * a `kubernetesVersion` outside the Talos version's supported range (Talos's
 * `pkg/machinery/compatibility`); a patch that is not YAML, whose documents are not mappings,
 * that sets `cluster.controlPlane.endpoint` to another URL or a VIP while `vip` is set; a
 * `nodePatches` entry naming no node; worker names or addresses that repeat a node's; a
 * `workerParallelism` outside 1–64; a `secretsBundle` without `cluster.id` and the CA
 * certificates. An even number of control planes is logged as a warning.
 */
export class TalosConfigPush extends pulumi.ComponentResource {
  /** The patch each node receives, by node name: the main patch, then each one-shot part with the condition it is applied under. */
  public readonly patches!: pulumi.Output<Record<string, string>>;
  /** The talosctl command line run for each node, by node name (file paths shown as placeholders). */
  public readonly commandLines!: pulumi.Output<Record<string, string>>;
  /** SHA-256 (hex) of each node's patch and command: the replacement trigger. */
  public readonly patchHashes!: pulumi.Output<Record<string, string>>;
  /**
   * Generated mode: the talosconfig (secret), whose endpoints are the control planes' own
   * addresses (never the VIP: Talos's VIP is only held while etcd is healthy). Patch mode: the
   * talosconfig given.
   */
  public readonly talosconfig!: pulumi.Output<string | undefined>;
  /** Generated mode: the admin kubeconfig (secret) from the first control plane; its server is the endpoint URL. Undefined in patch mode. */
  public readonly kubeconfig!: pulumi.Output<string | undefined>;
  /** The apply order, one line a step (generated mode), or the patch order (patch mode). */
  public readonly applyOrder!: pulumi.Output<string[]>;

  constructor(name: string, args: TalosConfigPushArgs, opts?: pulumi.ComponentResourceOptions) {
    const source = checkConfigSource(args.configSource);
    if (source === "generated") {
      // Every check that plain inputs allow runs before the component registers.
      const prepared = prepareGenerated(args);
      super(componentToken("TalosConfigPush"), name, {}, opts);
      this.generated(name, args, prepared, opts);
      return;
    }
    const {
      talosconfig: givenTalosconfig,
      configSource: _source,
      clusterName: _c,
      kubernetesVersion: _k,
      secretsBundle: _s,
      configPatches: _p1,
      controlPlanePatches: _p2,
      workerPatches: _p3,
      nodePatches: _p4,
      ...rest
    } = args;
    if (givenTalosconfig === undefined)
      throw new InputError("talosconfig", undefined, 'is required with configSource "patch" (a talosconfig the nodes trust)');
    if (typeof givenTalosconfig === "string") checkTalosconfig("talosconfig", givenTalosconfig);
    if (args.workerParallelism !== undefined) checkInt("workerParallelism", args.workerParallelism, { min: 1, max: 64, what: "a count" });
    const talosconfig = pulumi.output(givenTalosconfig).apply((t) => {
      checkTalosconfig("talosconfig", t);
      return t;
    });
    // The endpoint is usually an Output of an endpoint component: check what is plain right now.
    const { talosVersion, controlPlanes, mode, tryTimeout, talosctl, linkAddressing } = rest;
    validated({ talosVersion, controlPlanes, mode, tryTimeout, talosctl, linkAddressing }, (a) =>
      checkStatic(a as Parameters<typeof checkStatic>[0]),
    );
    // The fragment arrives as YAML text: parsed now when plain (errors before any resource), else when it resolves.
    const parsedExtraPatch = parseExtraPatch(rest.extraPatch);
    const plans = validated({ ...rest, extraPatch: parsedExtraPatch }, (a) => planTalosConfigPush(a as TalosConfigPushPlanSpec));
    super(componentToken("TalosConfigPush"), name, {}, opts);

    const secretConfig = pulumi.secret(talosconfig);
    // Where the reader is installed: an environment value, so the script's hash does not depend on it.
    const reader = pushReaderCommand().join("\n");
    // One push command per node, the same for control planes and workers; only the order differs.
    const pushNode = (node: string, dependsOn: pulumi.ResourceOptions["dependsOn"]): command.local.Command => {
      const plan = plans.apply((p) => p[node]);
      return new command.local.Command(
        `${name}-${node}`,
        {
          interpreter: [...PUSH_INTERPRETER],
          create: plan.script,
          stdin: plan.input,
          environment: { [TALOSCONFIG_ENV]: secretConfig, [READER_ENV]: reader },
          triggers: [plan.hash],
        },
        { parent: this, dependsOn },
      );
    };
    const commands: command.local.Command[] = [];
    for (const node of args.controlPlanes) {
      const previous = commands[commands.length - 1];
      // The first node waits for whatever the component waits for (e.g. the VMs): Pulumi does
      // not pass a component's dependsOn on to its children. Each later node waits for the
      // previous one, so a patch the node rejects stops the rollout there.
      commands.push(pushNode(node.name, previous ? [previous] : opts?.dependsOn));
    }
    // Workers after the last control plane, `workerParallelism` at a time (each waits for the
    // worker that many places before it).
    const lastCp = commands[commands.length - 1];
    const parallelism = args.workerParallelism ?? 2;
    const workerCommands: command.local.Command[] = [];
    (args.workers ?? []).forEach((worker, i) => {
      workerCommands.push(pushNode(worker.name, [lastCp, ...(i >= parallelism ? [workerCommands[i - parallelism]] : [])]));
    });
    this.patches = plans.apply((p) => mapValues(p, (v) => v.patch));
    this.commandLines = plans.apply((p) => mapValues(p, (v) => v.commandLine));
    this.patchHashes = plans.apply((p) => mapValues(p, (v) => v.hash));
    this.talosconfig = secretConfig;
    this.kubeconfig = pulumi.output(undefined);
    this.applyOrder = pulumi.output(
      renderPatchApplyOrder(
        args.controlPlanes.map((n) => n.name),
        (args.workers ?? []).map((w) => w.name),
        parallelism,
      ),
    );
    this.registerOutputs({
      patches: this.patches,
      commandLines: this.commandLines,
      patchHashes: this.patchHashes,
      talosconfig: this.talosconfig,
      kubeconfig: this.kubeconfig,
      applyOrder: this.applyOrder,
    });
  }

  /** `configSource: generated`: secrets, talosconfig, one apply per node, kubeconfig. */
  private generated(
    name: string,
    args: TalosConfigPushArgs,
    prepared: ReturnType<typeof prepareGenerated>,
    opts?: pulumi.ComponentResourceOptions,
  ): void {
    const mutable = this as unknown as Record<string, unknown>;
    const { secretsBundle } = args;
    const workerNames = (args.workers ?? []).map((w) => w.name);
    const parallelism = args.workerParallelism;
    const { plan, warnings } = prepared;
    warnings.forEach((w) => pulumi.log.warn(w, this));
    const reader = pushReaderCommand().join("\n");
    const bundle: pulumi.Output<string> =
      secretsBundle !== undefined
        ? pulumi.secret(secretsBundle)
        : pulumi.secret(
            new command.local.Command(
              `${name}-secrets`,
              { interpreter: [...PUSH_INTERPRETER], create: plan.secretsScript, logging: "none" },
              // Never generated again: a new bundle would be a new cluster. Changing talosctl's path changes the script, not the cluster.
              { parent: this, additionalSecretOutputs: ["stdout"], ignoreChanges: ["create"] },
            ).stdout,
          );
    // A given bundle must be one; the generated one is what talosctl wrote (empty only under the
    // mock runtime, whose commands print nothing).
    const fingerprint = pulumi.unsecret(
      bundle.apply((b) => (secretsBundle === undefined && b === "" ? "" : secretsFingerprint("secretsBundle", b))),
    );
    const talosconfig = pulumi.secret(
      new command.local.Command(
        `${name}-talosconfig`,
        {
          interpreter: [...PUSH_INTERPRETER],
          create: plan.talosconfigScript,
          environment: { [SECRETS_ENV]: bundle },
          triggers: [fingerprint],
          logging: "none",
        },
        { parent: this, additionalSecretOutputs: ["stdout"] },
      ).stdout,
    );
    const byName = new Map<string, command.local.Command>();
    const names = [...args.controlPlanes.map((n) => n.name), ...workerNames];
    const cpCount = args.controlPlanes.length;
    const p = parallelism ?? 2;
    names.forEach((node, index) => {
      const nodePlan = plan.apply((pl) => pl.nodes.find((n) => n.name === node) as GeneratedPlan["nodes"][number]);
      const after =
        index < cpCount
          ? index === 0
            ? []
            : [names[index - 1]]
          : [names[cpCount - 1], ...(index - cpCount >= p ? [names[index - p]] : [])];
      const deps = after.map((a) => byName.get(a) as command.local.Command);
      byName.set(
        node,
        new command.local.Command(
          `${name}-${node}`,
          {
            interpreter: [...PUSH_INTERPRETER],
            create: nodePlan.script,
            stdin: nodePlan.input,
            environment: { [SECRETS_ENV]: bundle, [TALOSCONFIG_ENV]: talosconfig, [READER_ENV]: reader },
            triggers: [nodePlan.hash, fingerprint],
          },
          { parent: this, dependsOn: index === 0 ? opts?.dependsOn : deps },
        ),
      );
    });
    const lastCp = byName.get(names[cpCount - 1]) as command.local.Command;
    const kubeconfig = pulumi.secret(
      new command.local.Command(
        `${name}-kubeconfig`,
        {
          interpreter: [...PUSH_INTERPRETER],
          create: plan.kubeconfigScript,
          environment: { [TALOSCONFIG_ENV]: talosconfig },
          // A new endpoint URL re-applies every node and changes the kubeconfig's server: fetch it again.
          triggers: [fingerprint, plan.endpointUrl],
          logging: "none",
        },
        { parent: this, additionalSecretOutputs: ["stdout"], dependsOn: [lastCp] },
      ).stdout,
    );
    mutable.patches = plan.apply((pl) =>
      Object.fromEntries(
        pl.nodes.map((n) => [
          n.name,
          n.patches.map((t, i) => `---\n# --config-patch ${i + 1}: ${n.patchSources[i]}\n${t.replace(/^---\n/, "")}`).join(""),
        ]),
      ),
    );
    mutable.commandLines = plan.apply((pl) => Object.fromEntries(pl.nodes.map((n) => [n.name, n.commandLines.join("\n")])));
    mutable.patchHashes = plan.apply((pl) => Object.fromEntries(pl.nodes.map((n) => [n.name, n.hash])));
    mutable.talosconfig = talosconfig;
    mutable.kubeconfig = kubeconfig;
    mutable.applyOrder = plan.apply((pl) => pl.order);
    this.registerOutputs({
      patches: this.patches,
      commandLines: this.commandLines,
      patchHashes: this.patchHashes,
      talosconfig,
      kubeconfig,
      applyOrder: this.applyOrder,
    });
  }
}

/**
 * Generated mode, before the component registers: parses `extraPatch`, runs every check the plain
 * inputs allow (throwing InputError), and returns the plan (an Output, checked again when the
 * inputs resolve) and the warnings known now.
 */
function prepareGenerated(args: TalosConfigPushArgs): { plan: pulumi.Output<GeneratedPlan>; warnings: string[] } {
  const { talosconfig: _t, configSource: _s, secretsBundle: _b, extraPatch, ...rest } = args;
  const parsedExtraPatch = parseExtraPatch(extraPatch);
  const spec = { ...rest, clusterName: rest.clusterName ?? "talos", extraPatch: parsedExtraPatch };
  staticGeneratedChecks(spec as unknown as Partial<GeneratedPlanSpec>, { vip: args.vip !== undefined });
  const warnings = isPlain(spec) ? planGeneratedConfigs(spec as unknown as GeneratedPlanSpec).warnings : [];
  const plan = validated(spec, (a) => planGeneratedConfigs(a as unknown as GeneratedPlanSpec));
  return { plan, warnings };
}

/** `extraPatch` parsed now when plain (errors before any resource), else when it resolves. */
function parseExtraPatch(extraPatch: pulumi.Input<string> | undefined) {
  if (extraPatch === undefined) return undefined;
  return typeof extraPatch === "string"
    ? parsePatchYaml("extraPatch", extraPatch)
    : pulumi.output(extraPatch).apply((text) => parsePatchYaml("extraPatch", text));
}

function checkConfigSource(value: unknown): ConfigSource {
  if (value === undefined) return "patch";
  if (!(CONFIG_SOURCES as readonly unknown[]).includes(value)) {
    throw new InputError(
      "configSource",
      value,
      `must be one of ${CONFIG_SOURCES.join(", ")} (a plain value: it decides which resources exist)`,
    );
  }
  return value as ConfigSource;
}

function mapValues<T, R>(record: Record<string, T>, fn: (v: T) => R): Record<string, R> {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, fn(v)]));
}
