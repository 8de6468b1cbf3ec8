/**
 * TalosConfigPush: applies each control-plane node's rendered patch with talosctl.
 */
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { componentToken, ControlPlaneNodeArgs, LinkSelectorArgs } from "./contract";
import { validated } from "./inputs";
import { checkStatic, planTalosConfigPush, TalosConfigPushPlanSpec } from "../render/talos/pushPlan";
import { PUSH_INTERPRETER, READER_ENV, TALOSCONFIG_ENV } from "../render/talos/talosctl";
import { pushReaderCommand } from "../render/talos/pushReader";
import { ApplyMode, LinkAddressing } from "../render/enums";
import { parsePatchYaml } from "../render/patchYaml";

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
   * The talosconfig (YAML content, not a path). Always stored as a Pulumi secret: it reaches
   * talosctl through a 0600 file in a private temporary directory that is removed afterwards,
   * never through the command line.
   */
  talosconfig: pulumi.Input<string>;
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
 * control-plane node with `talosctl patch machineconfig`.
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
 * the Node.js that runs the Pulumi program; its path reaches the script in the environment
 * variable `TALOS_ENDPOINTS_READER`, so installing the package elsewhere re-runs the push, which
 * then changes nothing): the node's Talos minor must equal `talosVersion`'s, and a node on 1.12
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
 */
export class TalosConfigPush extends pulumi.ComponentResource {
  /** The patch each node receives, by node name: the main patch, then each one-shot part with the condition it is applied under. */
  public readonly patches!: pulumi.Output<Record<string, string>>;
  /** The talosctl command line run for each node, by node name (file paths shown as placeholders). */
  public readonly commandLines!: pulumi.Output<Record<string, string>>;
  /** SHA-256 (hex) of each node's patch and command: the replacement trigger. */
  public readonly patchHashes!: pulumi.Output<Record<string, string>>;

  constructor(name: string, args: TalosConfigPushArgs, opts?: pulumi.ComponentResourceOptions) {
    const { talosconfig, ...rest } = args;
    // The endpoint is usually an Output of an endpoint component: check what is plain right now.
    const { talosVersion, controlPlanes, mode, tryTimeout, talosctl, linkAddressing } = rest;
    validated({ talosVersion, controlPlanes, mode, tryTimeout, talosctl, linkAddressing }, (a) =>
      checkStatic(a as Parameters<typeof checkStatic>[0]),
    );
    // The fragment arrives as YAML text: parsed now when plain (errors before any resource), else when it resolves.
    const { extraPatch } = rest;
    const parsedExtraPatch =
      extraPatch === undefined
        ? undefined
        : typeof extraPatch === "string"
          ? parsePatchYaml("extraPatch", extraPatch)
          : pulumi.output(extraPatch).apply((text) => parsePatchYaml("extraPatch", text));
    const plans = validated({ ...rest, extraPatch: parsedExtraPatch }, (a) => planTalosConfigPush(a as TalosConfigPushPlanSpec));
    super(componentToken("TalosConfigPush"), name, {}, opts);

    const secretConfig = pulumi.secret(talosconfig);
    // Where the reader is installed: an environment value, so the script's hash does not depend on it.
    const reader = pushReaderCommand().join("\n");
    const commands: command.local.Command[] = [];
    for (const node of args.controlPlanes) {
      const plan = plans.apply((p) => p[node.name]);
      const previous = commands[commands.length - 1];
      commands.push(
        new command.local.Command(
          `${name}-${node.name}`,
          {
            interpreter: [...PUSH_INTERPRETER],
            create: plan.script,
            stdin: plan.input,
            environment: { [TALOSCONFIG_ENV]: secretConfig, [READER_ENV]: reader },
            triggers: [plan.hash],
          },
          // The first node waits for whatever the component waits for (e.g. the VMs): Pulumi does
          // not pass a component's dependsOn on to its children. Each later node waits for the
          // previous one, so a patch the node rejects stops the rollout there.
          { parent: this, dependsOn: previous ? [previous] : opts?.dependsOn },
        ),
      );
    }
    this.patches = plans.apply((p) => mapValues(p, (v) => v.patch));
    this.commandLines = plans.apply((p) => mapValues(p, (v) => v.commandLine));
    this.patchHashes = plans.apply((p) => mapValues(p, (v) => v.hash));
    this.registerOutputs({ patches: this.patches, commandLines: this.commandLines, patchHashes: this.patchHashes });
  }
}

function mapValues<T, R>(record: Record<string, T>, fn: (v: T) => R): Record<string, R> {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, fn(v)]));
}
