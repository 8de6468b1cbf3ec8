/**
 * HaproxyKeepalivedEndpoint: the bare-metal control-plane endpoint — HAProxy on two or more hosts
 * with Keepalived moving a floating VIP, a single HAProxy, or DNS round-robin.
 */
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { InputError, withFieldNames } from "../core/errors";
import { kubernetesApiUrl } from "../render/talos/patch";
import { componentToken, ControlPlaneEndpoint, ControlPlaneNodeArgs } from "./contract";
import { checkAuthPass } from "../render/haproxyKeepalived/keepalivedConfig";
import {
  checkMode,
  componentField,
  defaultPriority,
  HaproxyKeepalivedPlanSpec,
  planHaproxyKeepalived,
} from "../render/haproxyKeepalived/plan";
import { LoadBalancerTuningArgs } from "../render/haproxyKeepalived/tuning";
import { DnsRecordType, LoadBalancerMode, TuningProfile } from "../render/enums";
import { validated } from "./inputs";

/** How to reach a load-balancer host over SSH. */
export interface SshConnectionArgs {
  /** Host name or IP to connect to. Default: the host's `address` without prefix. */
  host?: pulumi.Input<string>;
  /** SSH port. Default 22. */
  port?: pulumi.Input<number>;
  /** SSH user. Default `root`; any other user runs the install with `sudo -n` (passwordless sudo needed). */
  user?: pulumi.Input<string>;
  /** The private key (PEM/OpenSSH text, not a path). Always stored as a Pulumi secret. */
  privateKey: pulumi.Input<string>;
}

/** One load-balancer host (Debian/Ubuntu with the `haproxy` and `keepalived` packages installed). */
export interface LoadBalancerHostArgs {
  /** Host name, a DNS label (`lb-01`). Plain string: the host's child resource is named after it. */
  name: string;
  /** The host's own address with prefix on the VRRP interface (`192.168.30.21/24`). */
  address: pulumi.Input<string>;
  /**
   * VRRP priority 1–254, unique. Default 250 for the first host, 240 for the second, … Priorities
   * decide an election between hosts that start together; with the default `nopreempt` a host
   * that holds the VIP keeps it until it fails, whatever its priority (so on a fresh install the
   * first host pushed, the one with the lowest priority, takes it).
   */
  priority?: pulumi.Input<number>;
  /** SSH connection for the push. Required in `ha-pair` and `single-haproxy` modes. */
  ssh?: pulumi.Input<SshConnectionArgs>;
}

/** One DNS record to create for `dns-round-robin` (this package creates no DNS records itself). */
export interface DnsRecord {
  /** The record name: the endpoint (`dnsName`). */
  name: string;
  /** `A` or `AAAA`, by the control plane's address family. */
  type: DnsRecordType;
  /** The control-plane address. */
  value: string;
  /** Time to live, seconds (`dnsTtl`). */
  ttl: number;
}

/** Arguments of {@link HaproxyKeepalivedEndpoint}. */
export interface HaproxyKeepalivedEndpointArgs {
  /**
   * `ha-pair` (default), `single-haproxy` or `dns-round-robin` (`LoadBalancerMode`). Plain, not an
   * Input: it decides which resources exist.
   */
  mode?: LoadBalancerMode;
  /** Target Talos version, 1.9–1.13: decides the status HAProxy's `/readyz` check expects (401 up to 1.13). */
  talosVersion: pulumi.Input<string>;
  /** The control-plane nodes behind the load balancer: name + address with prefix. Same rules as `TalosVipEndpoint.controlPlanes`. */
  controlPlanes: ControlPlaneNodeArgs[];
  /** The load-balancer hosts: at least 2 in `ha-pair`, exactly 1 in `single-haproxy`, none in `dns-round-robin`. Plain list. */
  loadBalancers?: LoadBalancerHostArgs[];
  /**
   * `ha-pair`: the floating VIP, plain or with the hosts' prefix (`192.168.30.30/24`): unused,
   * inside the load-balancer hosts' subnet, equal to no host and no control-plane node.
   */
  vip?: pulumi.Input<string>;
  /** `ha-pair`: the interface carrying the host addresses and the VIP on the load-balancer hosts (`eth0`). */
  vrrpInterface?: pulumi.Input<string>;
  /** `ha-pair`: VRRP `virtual_router_id`, 1–255, unique per VIP on the segment. Default 51. */
  virtualRouterId?: pulumi.Input<number>;
  /**
   * `ha-pair` with VRRPv2 only: the `auth_pass` (1–8 characters), always stored as a Pulumi secret.
   * The default VRRPv3 has no authentication (RFC 5798 removed it: a cleartext password protects
   * against misconfiguration, not attackers); keep VRRP on a trusted segment instead.
   */
  vrrpAuthPass?: pulumi.Input<string>;
  /** `default` or `fast` (`TuningProfile`): `DEFAULT_TUNING`, or `FAST_TUNING` with sub-second VRRPv3 adverts (src/render/haproxyKeepalived/tuning.ts). Default `default`. */
  tuningProfile?: pulumi.Input<TuningProfile>;
  /** Overrides on top of the profile, every field with its unit in its name (see `tuning.ts`). Default none. */
  tuning?: pulumi.Input<LoadBalancerTuningArgs>;
  /** `dns-round-robin`: the DNS name clients use (`api.cluster.example.org`). */
  dnsName?: pulumi.Input<string>;
  /** `dns-round-robin`: TTL of the records, seconds, 1–86400. Default 30. */
  dnsTtl?: pulumi.Input<number>;
}

/**
 * The bare-metal control-plane endpoint (design notes, "For bare metal"): HAProxy in front of the
 * control planes on 6443 (Kubernetes API, checked with `GET /readyz` over TLS) and 50000 (Talos
 * API, TCP check), with Keepalived moving a floating VIP between two or more HAProxy hosts.
 *
 * Children (`ha-pair`, `single-haproxy`): one `command:remote:Command` per load-balancer host,
 * named `<name>-<host>`, that runs the push script over SSH: the rendered haproxy.cfg and
 * keepalived.conf are staged in temporary files, validated with `haproxy -dW -c -f` and
 * `keepalived -t -f`, and only then moved into place and reloaded. A file the validators refuse
 * leaves the running configuration untouched and fails the resource with the validator's message.
 * The script travels on stdin (it holds the VRRP password, if any), never on a command line.
 * Hosts are updated one at a time, lowest VRRP priority first, each after the previous succeeded
 * (with `nopreempt` that is not necessarily the BACKUP: see `LoadBalancerHostArgs.priority`);
 * a host's command runs again when its rendered script changes (its SHA-256 is the command's
 * `triggers`: a new hash replaces the command) and also when any other input of the command
 * changes, secrets included: a rotated SSH key, another SSH port or user, a new VRRP password
 * (pulumi-command 1.2.1 runs `create` again on any input change when, as here, no `update`
 * command is given). Such a re-run is harmless: unchanged files are not moved and nothing is
 * reloaded (the script compares before it installs). Destroy
 * leaves the hosts as they are (removing the load balancer under a running cluster would cut it
 * off). `dns-round-robin` has no children.
 *
 * Outputs: the endpoint contract; `haproxyConfigs` and `keepalivedConfigs` by host (the latter a
 * secret when a VRRP password is set); `dnsRecords` to create (`dns-round-robin`); `warnings`.
 *
 * Errors (InputError, before any resource when the inputs are plain): an unknown mode or tuning
 * profile; everything `TalosVipEndpoint` rejects about the control planes and the version; fewer
 * than 2 hosts in `ha-pair` or not exactly 1 in `single-haproxy`; a host name that is not a DNS
 * label; a host address without prefix, duplicated or equal to a control plane; a missing SSH
 * key; a missing, malformed or clashing VIP (equal to a host or a node, outside the hosts'
 * subnet); duplicate priorities; `virtualRouterId` outside 1–255; a VRRP password with VRRPv3;
 * tuning values out of range; a missing or IP `dnsName`.
 */
export class HaproxyKeepalivedEndpoint extends pulumi.ComponentResource implements ControlPlaneEndpoint {
  /** The VIP (`ha-pair`), the HAProxy host's address (`single-haproxy`) or the DNS name (`dns-round-robin`). */
  public readonly endpoint!: pulumi.Output<string>;
  /** `https://<endpoint>:6443`. */
  public readonly kubernetesApiUrl!: pulumi.Output<string>;
  /** The control-plane addresses, for talosconfig endpoints. */
  public readonly talosApiEndpoints!: pulumi.Output<string[]>;
  /** The rendered haproxy.cfg by host name. */
  public readonly haproxyConfigs!: pulumi.Output<Record<string, string>>;
  /** The rendered keepalived.conf by host name (`ha-pair` only), the VRRP password shown as `********`. */
  public readonly keepalivedConfigs!: pulumi.Output<Record<string, string>>;
  /** `dns-round-robin`: the A/AAAA records to create, one per control plane. Empty otherwise. */
  public readonly dnsRecords!: pulumi.Output<DnsRecord[]>;
  /** Warnings about the chosen setup (e.g. no health checking with DNS round-robin). */
  public readonly warnings!: pulumi.Output<string[]>;

  constructor(name: string, args: HaproxyKeepalivedEndpointArgs, opts?: pulumi.ComponentResourceOptions) {
    // The SSH connections hold the private keys: keep them out of the plan, or every rendered file
    // and the endpoint itself would be tainted as secret.
    const { vrrpAuthPass, ...rest } = args;
    const planArgs = {
      ...rest,
      loadBalancers: args.loadBalancers?.map(({ ssh: _ssh, ...host }) => host),
      vrrpAuthPassSet: vrrpAuthPass !== undefined,
    };
    const plan = validated(planArgs, (a) => planHaproxyKeepalived(a as HaproxyKeepalivedPlanSpec));
    checkSshGiven(args);
    // The plan checks the password against the VRRP version (with a mask); its format here.
    if (typeof vrrpAuthPass === "string") withFieldNames(componentField, () => checkAuthPass(vrrpAuthPass, 2));
    super(componentToken("HaproxyKeepalivedEndpoint"), name, {}, opts);

    const pushes: command.remote.Command[] = [];
    const mode = checkMode(args.mode);
    if (mode !== "dns-round-robin") {
      // Resources are created outside apply, so their order must be known now: by priority when
      // the priorities are plain values, else in the order given.
      for (const host of orderedHosts(args.loadBalancers ?? [])) {
        const hostPlan = plan.apply((p) => p.hosts[host.name]);
        const index = (args.loadBalancers ?? []).indexOf(host);
        // An Output or Promise connection is checked when it resolves, before the push uses it.
        const ssh = pulumi.output(host.ssh).apply((s) => checkSshResolved(index, s as pulumi.Unwrap<SshConnectionArgs> | undefined));
        const previous = pushes[pushes.length - 1];
        pushes.push(
          new command.remote.Command(
            `${name}-${host.name}`,
            {
              connection: {
                host: pulumi.all([ssh, host.address]).apply(([s, address]) => s.host ?? address.split("/")[0]),
                port: ssh.apply((s) => s.port ?? 22),
                user: ssh.apply((s) => s.user ?? "root"),
                privateKey: pulumi.secret(ssh.apply((s) => s.privateKey)),
              },
              create: ssh.apply((s) => ((s.user ?? "root") === "root" ? "bash -s" : "sudo -n bash -s")),
              // The real script (with the VRRP password, if any) exists only inside this secret.
              stdin: pulumi.secret(pulumi.all([hostPlan, vrrpAuthPass]).apply(([p, pass]) => p.scriptWith(pass))),
              triggers: [hostPlan.hash],
            },
            { parent: this, dependsOn: previous ? [previous] : opts?.dependsOn },
          ),
        );
      }
    }
    this.endpoint = plan.apply((p) => {
      p.warnings.forEach((w) => pulumi.log.warn(w, this));
      return p.endpoint;
    });
    this.kubernetesApiUrl = this.endpoint.apply(kubernetesApiUrl);
    this.talosApiEndpoints = plan.talosApiEndpoints;
    this.haproxyConfigs = plan.apply((p) => Object.fromEntries(Object.entries(p.hosts).map(([h, v]) => [h, v.haproxyConfig])));
    const keepalived = plan.apply((p) =>
      Object.fromEntries(Object.entries(p.hosts).flatMap(([h, v]) => (v.keepalivedConfig ? [[h, v.keepalivedConfig]] : []))),
    );
    this.keepalivedConfigs = keepalived;
    this.dnsRecords = plan.dnsRecords;
    this.warnings = plan.warnings;
    this.registerOutputs({
      endpoint: this.endpoint,
      kubernetesApiUrl: this.kubernetesApiUrl,
      talosApiEndpoints: this.talosApiEndpoints,
      haproxyConfigs: this.haproxyConfigs,
      keepalivedConfigs: this.keepalivedConfigs,
      dnsRecords: this.dnsRecords,
      warnings: this.warnings,
    });
  }
}

/**
 * Every load-balancer host needs an SSH connection with a private key (checked where plain).
 * @throws InputError naming the host.
 */
function checkSshGiven(args: HaproxyKeepalivedEndpointArgs): void {
  if (checkMode(args.mode) === "dns-round-robin") return;
  (args.loadBalancers ?? []).forEach((lb, i) => {
    const ssh = lb.ssh;
    // An Output or a Promise is checked when it resolves (checkSshResolved).
    if (pulumi.Output.isInstance(ssh) || ssh instanceof Promise) return;
    checkSshResolved(i, ssh as pulumi.Unwrap<SshConnectionArgs> | undefined);
  });
}

/**
 * The connection of `loadBalancers[index]` once resolved: it must hold a private key.
 * @throws InputError naming `loadBalancers[<index>].ssh.privateKey`.
 */
function checkSshResolved(index: number, ssh: pulumi.Unwrap<SshConnectionArgs> | undefined): pulumi.Unwrap<SshConnectionArgs> {
  if (ssh === undefined || ssh === null || ssh.privateKey === undefined || ssh.privateKey === "") {
    throw new InputError(`loadBalancers[${index}].ssh.privateKey`, undefined, "must be set: the configuration is pushed over SSH");
  }
  return ssh;
}

/** Hosts in push order: ascending priority (defaults 250, 240, … by position) when priorities are plain. */
function orderedHosts(hosts: LoadBalancerHostArgs[]): LoadBalancerHostArgs[] {
  const priorities = hosts.map((h, i) =>
    typeof h.priority === "number" ? h.priority : h.priority === undefined ? defaultPriority(i) : undefined,
  );
  if (priorities.some((p) => p === undefined)) return hosts;
  return hosts
    .map((h, i) => ({ h, p: priorities[i] as number }))
    .sort((a, b) => a.p - b.p)
    .map((x) => x.h);
}
