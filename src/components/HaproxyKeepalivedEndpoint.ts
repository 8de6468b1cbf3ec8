/**
 * HaproxyKeepalivedEndpoint: the bare-metal control-plane endpoint — HAProxy on two or more hosts
 * with Keepalived moving a floating VIP, a single HAProxy, or DNS round-robin.
 */
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { withFieldNames } from "../core/errors";
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
import { checkSshConnection, checkSshEndpoint, checkSshPrivateKey, SshConnectionSpec } from "../render/haproxyKeepalived/ssh";
import { HaproxyMonitorArgs, LoadBalancerTuningArgs } from "../render/haproxyKeepalived/tuning";
import { BalanceAlgorithm, DnsRecordType, LoadBalancerMode, TuningProfile } from "../render/enums";
import { isPlain, validated } from "./inputs";
import { checkKubernetesApiCheckCertificates, checkKubernetesApiCheckKey } from "../render/haproxyKeepalived/checkTls";

/**
 * How to reach a load-balancer host over SSH. Checked before any resource when plain, else when it
 * resolves (before the push uses it); errors name `loadBalancers[<i>].ssh.<field>` and the value.
 */
export interface SshConnectionArgs {
  /**
   * Host name or IP address to connect to: no scheme (`ssh://`), user, port, prefix or spaces.
   * Default: the host's `address` without prefix. Errors: empty, a scheme, spaces, a malformed
   * IP address, anything else that is not a host name.
   */
  host?: pulumi.Input<string>;
  /** SSH port, an integer 1–65535. Default 22. */
  port?: pulumi.Input<number>;
  /**
   * SSH user, a Unix user name (letters, digits, `_ . @ -`, not starting with `-` or `.`, at most
   * 64 characters, no spaces). Default `root`; any other user runs the install with `sudo -n`
   * (passwordless sudo needed).
   */
  user?: pulumi.Input<string>;
  /**
   * The private key (PEM/OpenSSH text, not a path). Required. Pass it as a Pulumi secret
   * (`pulumi.secret(...)`, `config.requireSecret(...)`): a plain string is still stored as a secret
   * in this component's resources, but a warning is logged for each host, because the place it came
   * from (a plain config value, a file in the program) is not protected.
   */
  privateKey: pulumi.Input<string>;
  /**
   * The host's SSH public key, one line `<type> <base64> [comment]` (e.g. `ssh-keyscan -t ed25519
   * <host> | cut -d' ' -f2-`). When set, the push refuses a host that presents another key
   * (pulumi-command's `connection.hostKey`: golang.org/x/crypto/ssh `FixedHostKey`). Default none:
   * the host key is not checked (pulumi-command ignores it), so a machine that takes over the
   * host's address receives the configuration; a warning says so for each host.
   * Errors: not one public key line.
   */
  hostKey?: pulumi.Input<string>;
}

/** One load-balancer host (Debian/Ubuntu with the `haproxy` and `keepalived` packages installed). */
export interface LoadBalancerHostArgs {
  /** Host name, a DNS label (`lb-01`). Plain string: the host's child resource is named after it. */
  name: string;
  /** The host's own address with prefix on the VRRP interface (`192.168.30.21/24`). */
  address: pulumi.Input<string>;
  /**
   * VRRP priority, an integer 1–254. Default 200 for every host: with equal priorities a host that
   * returns never takes the VIP back (a BACKUP only preempts a lower-priority MASTER), so the VIP
   * moves only when its holder fails or sees no Kubernetes API node (its priority then drops by 50
   * and a peer that sees one takes over). Distinct priorities make the highest one take the VIP
   * back whenever it returns, a second move that breaks every long-lived stream again.
   */
  priority?: pulumi.Input<number>;
  /** SSH connection for the push. Required in `ha-pair` and `single-haproxy` modes. */
  ssh?: pulumi.Input<SshConnectionArgs>;
}

/**
 * Credentials of HAProxy's authenticated Kubernetes API check: a client certificate signed by the
 * cluster's Kubernetes CA. Any authenticated identity may read `/readyz` (Kubernetes' default
 * `system:public-info-viewer` ClusterRole binds it to `system:authenticated`), so the certificate
 * needs no other permission; give it its own subject (e.g. `CN=talos-endpoints-haproxy-check`).
 * With it, HAProxy expects `/readyz` to answer 200, so a node whose kube-apiserver serves but is
 * not ready (500) leaves the rotation within `checkIntervalMs + (checkFall − 1) ×
 * checkFastIntervalMs` (≈ 1.25 s with the defaults). Installed beside haproxy.cfg as
 * `/etc/haproxy/talos-endpoints-kubernetes-ca-<hash>.pem` (0644) and
 * `/etc/haproxy/talos-endpoints-kubernetes-client-<hash>.pem` (certificate and key, 0600, owned by
 * haproxy); the hash covers the certificates only.
 */
export interface KubernetesApiCheckArgs {
  /** The cluster's Kubernetes CA certificate (PEM; Talos: `cluster.ca.crt` of the machine config, base64-decoded). Errors: not a PEM CA certificate. */
  caCertificate: pulumi.Input<string>;
  /** The client certificate (PEM), signed by `caCertificate` and valid now. Errors: unreadable, not signed by the CA, expired. */
  clientCertificate: pulumi.Input<string>;
  /** The client certificate's private key (PEM). Always stored as a Pulumi secret; pass it as one. Errors: not a PEM key, or not the certificate's key. */
  clientKey: pulumi.Input<string>;
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
   * inside the load-balancer hosts' subnet, equal to no host and no control-plane node. Required in
   * `ha-pair` mode (an error names it when missing).
   */
  vip?: pulumi.Input<string>;
  /** `ha-pair`: the interface carrying the host addresses and the VIP on the load-balancer hosts (`eth0`). Required in `ha-pair` mode. */
  vrrpInterface?: pulumi.Input<string>;
  /** `ha-pair`: VRRP `virtual_router_id`, an integer 1–255, unique per VIP on the segment. Default 51. */
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
  /**
   * HAProxy `balance` of both backends (`BalanceAlgorithm`): `roundrobin` (default, each node in
   * turn) or `leastconn` (the node with the fewest connections; the HAProxy manual recommends it
   * "where very long sessions are expected", such as Kubernetes watches, which round-robin leaves
   * piled on the nodes that were up longest after a node restarts). Errors: any other value.
   */
  balance?: pulumi.Input<BalanceAlgorithm>;
  /**
   * `ha-pair`: whether a host gives up the VIP (FAULT) as soon as no Kubernetes API node is UP in
   * its HAProxy. Default false: a host releases the VIP at once only when its HAProxy is dead or
   * hung or serves no node at all (neither Talos API nor Kubernetes API); while it sees no
   * Kubernetes API node its VRRP priority drops by 50 (`chk_kubernetes_api`), so a peer that still
   * sees one takes the VIP, and when kube-apiserver is down everywhere (etcd without quorum, a
   * fresh cluster before the first node serves) the VIP stays and `talosctl` through
   * `<VIP>:50000` keeps working, which is when it is needed to repair the cluster (measured in the
   * namespace lab). true: the old behaviour, FAULT on no Kubernetes API node: then no host holds
   * the VIP while no kube-apiserver serves, and the Talos API is reachable only through the node
   * addresses (`talosApiEndpoints`). No effect in `single-haproxy` (no Keepalived).
   */
  failWhenNoKubernetesBackend?: pulumi.Input<boolean>;
  /**
   * The HTTP status HAProxy's unauthenticated `GET /readyz` check expects from a serving
   * kube-apiserver, 100–599. Default by `talosVersion`: 401 (Talos runs kube-apiserver with
   * `anonymous-auth=false`, so 401 proves TLS and HTTP are served; source: Talos 1.1 release notes
   * and siderolabs/talos#5713). Set 200 if the cluster allows anonymous `/readyz` (e.g.
   * `cluster.apiServer.extraArgs` `anonymous-auth: "true"`): with the wrong status every node is
   * marked DOWN and the endpoint serves no Kubernetes API at all. Errors: outside 100–599 or not an
   * integer.
   */
  kubernetesApiCheckStatus?: pulumi.Input<number>;
  /**
   * Credentials for an authenticated Kubernetes API check (`KubernetesApiCheckArgs`), which sees
   * readiness. Default none: the unauthenticated check, and a warning (in `warnings`) that it
   * cannot see readiness. With it `kubernetesApiCheckStatus` must be unset or 200.
   */
  kubernetesApiCheck?: pulumi.Input<KubernetesApiCheckArgs>;
  /**
   * HAProxy's monitor endpoint, which Keepalived's check script probes: address, port and URI
   * (`HaproxyMonitorArgs`). Default `127.0.0.1:8404` `/healthz`; change the port if 8404 is taken
   * on the hosts. haproxy.cfg and the check script always get the same values (a new port also
   * renames the check script, whose path holds a hash of its content). Errors: a non-loopback
   * address, a port outside 1–65535, a URI that is not an absolute path, an unknown field.
   */
  monitor?: pulumi.Input<HaproxyMonitorArgs>;
  /** `dns-round-robin`: the DNS name clients use (`api.cluster.example.org`). Required in `dns-round-robin` mode. */
  dnsName?: pulumi.Input<string>;
  /** `dns-round-robin`: TTL of the records, whole seconds, 1–86400. Default 30. */
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
 * (with equal priorities that is not necessarily the BACKUP: see `LoadBalancerHostArgs.priority`);
 * a host's command runs again when its rendered script changes (its SHA-256 is the command's
 * `triggers`: a new hash replaces the command) and also when any other input of the command
 * changes, secrets included: a rotated SSH key, another SSH port or user, a new VRRP password
 * (pulumi-command 1.2.1 runs `create` again on any input change when, as here, no `update`
 * command is given). Such a re-run is harmless: unchanged files are not moved and nothing is
 * reloaded (the script compares before it installs). Destroy
 * leaves the hosts as they are (removing the load balancer under a running cluster would cut it
 * off). `dns-round-robin` has no children.
 *
 * Outputs: the endpoint contract; `haproxyConfigs` and `keepalivedConfigs` by host (the VRRP
 * password masked); `files`, every file the push installs by host and path; `dnsRecords` to
 * create (`dns-round-robin`); `warnings`.
 *
 * Errors (InputError, before any resource when the inputs are plain): an unknown mode or tuning
 * profile; everything `TalosVipEndpoint` rejects about the control planes and the version; fewer
 * than 2 hosts in `ha-pair` or not exactly 1 in `single-haproxy`; a host name that is not a DNS
 * label; a host address without prefix, duplicated or equal to a control plane; a missing SSH
 * key, a bad SSH host, port or user; a missing, malformed or clashing VIP (equal to a host or a
 * node, outside the hosts' subnet); a priority outside 1–254; `virtualRouterId` outside 1–255; a VRRP
 * password with VRRPv3; tuning values out of range; a bad `balance`, `kubernetesApiCheckStatus`
 * or `monitor`; a `kubernetesApiCheck` whose certificates do not parse, whose client certificate
 * the CA did not sign or whose key does not match; a missing or IP `dnsName`. A private key that is not a Pulumi secret is a
 * warning (`pulumi.log.warn`), not an error.
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
  /**
   * Every file the push installs, by host name, then by absolute path on the host, in install
   * order: `/etc/haproxy/haproxy.cfg` (mode 0644); in `ha-pair` also the Keepalived check script
   * `/etc/keepalived/talos-endpoints-check-<first 12 hex digits of its SHA-256>.sh` (0755, the
   * path keepalived.conf's `vrrp_script` runs) and `/etc/keepalived/keepalived.conf` (0600, the
   * VRRP password shown as `********`). Nothing else stays on the host: the push's other writes
   * are temporary (staged copies, `.<file>.reload-pending` markers) and it deletes the check
   * scripts of older configs. Empty in `dns-round-robin`. Source: `installedFiles` in
   * src/render/haproxyKeepalived/pushScript.ts, the same spec the push script is rendered from.
   */
  public readonly files!: pulumi.Output<Record<string, Record<string, string>>>;
  /** `dns-round-robin`: the A/AAAA records to create, one per control plane. Empty otherwise. */
  public readonly dnsRecords!: pulumi.Output<DnsRecord[]>;
  /** Warnings about the chosen setup (e.g. no health checking with DNS round-robin). */
  public readonly warnings!: pulumi.Output<string[]>;

  constructor(name: string, args: HaproxyKeepalivedEndpointArgs, opts?: pulumi.ComponentResourceOptions) {
    const { vrrpAuthPass } = args;
    const plan = validated(planArgsOf(args), (a) => planHaproxyKeepalived(a as HaproxyKeepalivedPlanSpec));
    const clientKey = checkedClientKey(args.kubernetesApiCheck);
    checkSshGiven(args);
    // The plan checks the password against the VRRP version (with a mask); its format here.
    if (typeof vrrpAuthPass === "string") withFieldNames(componentField, () => checkAuthPass(vrrpAuthPass, 2));
    super(componentToken("HaproxyKeepalivedEndpoint"), name, {}, opts);
    warnUnlessSecretKey(args.kubernetesApiCheck, this);

    const pushes: command.remote.Command[] = [];
    const mode = checkMode(args.mode);
    if (mode !== "dns-round-robin") {
      // Resources are created outside apply, so their order must be known now: by priority when
      // the priorities are plain values, else in the order given.
      for (const host of orderedHosts(args.loadBalancers ?? [])) {
        const hostPlan = plan.apply((p) => p.hosts[host.name]);
        const index = (args.loadBalancers ?? []).indexOf(host);
        // An Output or Promise connection is checked when it resolves, before the push uses it.
        const { endpoint: ssh, privateKey } = checkedSsh(index, host.ssh);
        this.warnUnlessSecret(index, host.ssh);
        this.warnUnlessHostKey(index, ssh);
        const previous = pushes[pushes.length - 1];
        pushes.push(
          new command.remote.Command(
            `${name}-${host.name}`,
            {
              connection: {
                host: pulumi.all([ssh, host.address]).apply(([s, address]) => s.host ?? address.split("/")[0]),
                port: ssh.apply((s) => s.port ?? 22),
                user: ssh.apply((s) => s.user ?? "root"),
                privateKey: pulumi.secret(privateKey),
                hostKey: ssh.apply((s) => s.hostKey as string),
              },
              create: ssh.apply((s) => ((s.user ?? "root") === "root" ? "bash -s" : "sudo -n bash -s")),
              // The real script (with the VRRP password, if any) exists only inside this secret.
              stdin: pulumi.secret(pulumi.all([hostPlan, vrrpAuthPass, clientKey]).apply(([p, pass, key]) => p.scriptWith(pass, key))),
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
    this.files = plan.apply((p) => Object.fromEntries(Object.entries(p.hosts).map(([h, v]) => [h, v.files])));
    this.dnsRecords = plan.dnsRecords;
    this.warnings = plan.warnings;
    this.registerOutputs({
      endpoint: this.endpoint,
      kubernetesApiUrl: this.kubernetesApiUrl,
      talosApiEndpoints: this.talosApiEndpoints,
      haproxyConfigs: this.haproxyConfigs,
      keepalivedConfigs: this.keepalivedConfigs,
      files: this.files,
      dnsRecords: this.dnsRecords,
      warnings: this.warnings,
    });
  }

  /** Logs a warning (once, when the connection resolves) if `loadBalancers[index].ssh.hostKey` is not set. */
  private warnUnlessHostKey(index: number, ssh: pulumi.Output<{ hostKey?: string }>): void {
    ssh.apply(async (s) => {
      if (s.hostKey !== undefined) return;
      await pulumi.log.warn(
        `loadBalancers[${index}].ssh.hostKey is not set: the push does not check the host's SSH key, so a machine that ` +
          "takes over the host's address would receive the configuration. Set it to the host's public key line " +
          "(`ssh-keyscan -t ed25519 <host> | cut -d' ' -f2-`).",
        this,
      );
    });
  }

  /**
   * Logs a warning (once, when the key resolves) if the private key of `loadBalancers[index]` is
   * set but not a Pulumi secret. The push stores it as a secret either way; the warning is about
   * where it came from.
   */
  private warnUnlessSecret(index: number, ssh: pulumi.Input<SshConnectionArgs> | undefined): void {
    const key = pulumi.output(privateKeyOf(ssh));
    key.apply(async (value) => {
      if (typeof value !== "string" || value === "" || (await pulumi.isSecret(key))) return;
      await pulumi.log.warn(
        `loadBalancers[${index}].ssh.privateKey is not a Pulumi secret. The push still stores it as a secret, but where it ` +
          "comes from it is in clear text (a plain config value sits unencrypted in Pulumi.<stack>.yaml). Pass it as a secret: " +
          "pulumi.secret(key), or config.requireSecret(...) after `pulumi config set --secret <key> ...`.",
        this,
      );
    });
  }
}

/**
 * What the plan reads: the args without the secrets. The SSH connections hold the private keys
 * and are left out (they would taint every rendered file and the endpoint itself as secret); the
 * VRRP password is replaced by whether one is set (the plan renders a mask).
 */
function planArgsOf(args: HaproxyKeepalivedEndpointArgs): Omit<HaproxyKeepalivedEndpointArgs, "vrrpAuthPass" | "kubernetesApiCheck"> & {
  vrrpAuthPassSet: boolean;
  kubernetesApiCheck?: pulumi.Input<{ caCertificate: pulumi.Input<string>; clientCertificate: pulumi.Input<string> }>;
} {
  const { vrrpAuthPass, kubernetesApiCheck, ...rest } = args;
  return {
    ...rest,
    loadBalancers: args.loadBalancers?.map(({ ssh: _ssh, ...host }) => host),
    vrrpAuthPassSet: vrrpAuthPass !== undefined,
    kubernetesApiCheck: publicCheckArgs(kubernetesApiCheck),
  };
}

/** The certificates of `kubernetesApiCheck` without the key (a plain object stays plain). */
function publicCheckArgs(
  check: pulumi.Input<KubernetesApiCheckArgs> | undefined,
): pulumi.Input<{ caCertificate: pulumi.Input<string>; clientCertificate: pulumi.Input<string> }> | undefined {
  if (check === undefined) return undefined;
  // The certificates are public; only the key is secret, so a check given as one (secret) Output
  // must not make the plan, and every file and config rendered from it, secret.
  if (pulumi.Output.isInstance(check) || check instanceof Promise)
    return pulumi.unsecret(pulumi.output(check).apply((c) => ({ caCertificate: c.caCertificate, clientCertificate: c.clientCertificate })));
  const { caCertificate, clientCertificate } = check as KubernetesApiCheckArgs;
  return { caCertificate, clientCertificate };
}

/**
 * Logs a warning (once, when it resolves) when `kubernetesApiCheck.clientKey` is set but is not a
 * Pulumi secret. The push keeps it secret either way; the warning is about where it came from.
 */
function warnUnlessSecretKey(check: pulumi.Input<KubernetesApiCheckArgs> | undefined, resource: pulumi.Resource): void {
  if (check === undefined || pulumi.Output.isInstance(check) || check instanceof Promise) return;
  const key = pulumi.output((check as KubernetesApiCheckArgs).clientKey);
  key.apply(async (value) => {
    if (typeof value !== "string" || value === "" || (await pulumi.isSecret(key))) return;
    await pulumi.log.warn(
      "kubernetesApiCheck.clientKey is not a Pulumi secret. The push still keeps it secret, but where it comes from it is in " +
        "clear text. Pass it as a secret: pulumi.secret(key), or config.requireSecret(...).",
      resource,
    );
  });
}

/**
 * The check's client key as a secret, checked against the certificate: now when both are plain,
 * else when they resolve (before the push uses the key).
 * @throws InputError naming `kubernetesApiCheck.clientKey` (the key shown as `(secret)`).
 */
function checkedClientKey(check: pulumi.Input<KubernetesApiCheckArgs> | undefined): pulumi.Output<string | undefined> {
  if (check === undefined) return pulumi.output(undefined);
  // The certificates first (their own field names), then the key against them.
  const checkKey = (c: pulumi.Unwrap<KubernetesApiCheckArgs>): string => {
    checkKubernetesApiCheckCertificates("kubernetesApiCheck", c);
    return checkKubernetesApiCheckKey("kubernetesApiCheck.clientKey", c.clientKey, c.clientCertificate);
  };
  if (isPlain(check)) checkKey(check as pulumi.Unwrap<KubernetesApiCheckArgs>);
  return pulumi.secret(pulumi.output(check).apply((c) => checkKey(c) as string | undefined));
}

/**
 * The absolute paths of the files the push installs on each load-balancer host (the keys of the
 * `files` output, in install order), known now, before any Output resolves, for a program that
 * names one artifact per file (the example stack's synth writes one per path). The check script's
 * name holds a hash of its content, so it depends on `tuningProfile`, `tuning` and `monitor`.
 *
 * @param args the component's args; everything but `loadBalancers[].ssh` and `vrrpAuthPass` must
 *   be plain (not Outputs or Promises), as in a stack read from config.
 * @returns host name → paths; empty in `dns-round-robin`.
 * @throws InputError as the component does for bad args; Error when a needed arg is not plain.
 */
export function plannedFilePaths(args: HaproxyKeepalivedEndpointArgs): Record<string, string[]> {
  const planArgs = planArgsOf(args);
  if (!isPlain(planArgs)) {
    throw new Error(
      "plannedFilePaths: every HaproxyKeepalivedEndpoint arg except ssh and vrrpAuthPass must be plain (no Output or Promise)",
    );
  }
  const plan = planHaproxyKeepalived(planArgs as HaproxyKeepalivedPlanSpec);
  return Object.fromEntries(Object.entries(plan.hosts).map(([host, p]) => [host, Object.keys(p.files)]));
}

/**
 * Every load-balancer host needs an SSH connection with a private key; host, port and user must
 * be valid where set. Checks what is plain now (a connection or field that is an Output or a
 * Promise is checked when it resolves, by checkedSsh).
 * @throws InputError naming `loadBalancers[<i>].ssh.<field>`.
 */
function checkSshGiven(args: HaproxyKeepalivedEndpointArgs): void {
  if (checkMode(args.mode) === "dns-round-robin") return;
  (args.loadBalancers ?? []).forEach((lb, i) => {
    const ssh = lb.ssh;
    if (pulumi.Output.isInstance(ssh) || ssh instanceof Promise) return;
    checkSshConnection(`loadBalancers[${i}].ssh`, ssh as SshConnectionSpec | undefined, isPlain);
  });
}

/** Where to connect (no key): as given, or checked once resolved. */
type SshEndpoint = pulumi.Unwrap<Omit<SshConnectionArgs, "privateKey">>;

/**
 * The connection of `loadBalancers[index]` in two checked parts: where to connect, and the key.
 * Each resolves only after its check passed (the key must be set; host, port, user and host key valid where
 * set). A plain connection object is split before it is resolved, so that a secret key does not
 * make the host, port, user and install command secret too; a connection given as one Output or
 * Promise stays whole (its parts share its secrecy).
 * @throws InputError (inside the Outputs) naming `loadBalancers[<index>].ssh.<field>`.
 */
function checkedSsh(
  index: number,
  ssh: pulumi.Input<SshConnectionArgs> | undefined,
): { endpoint: pulumi.Output<SshEndpoint>; privateKey: pulumi.Output<string> } {
  const field = `loadBalancers[${index}].ssh`;
  if (ssh === undefined || pulumi.Output.isInstance(ssh) || ssh instanceof Promise) {
    const whole = pulumi.output(ssh).apply((s) => {
      checkSshConnection(field, s as SshConnectionSpec | undefined);
      return s as pulumi.Unwrap<SshConnectionArgs>;
    });
    return {
      endpoint: whole.apply(({ host, port, user, hostKey }) => ({ host, port, user, hostKey })),
      privateKey: whole.apply((s) => s.privateKey),
    };
  }
  const { privateKey, ...endpoint } = ssh as SshConnectionArgs;
  return {
    endpoint: pulumi.output(endpoint).apply((e) => {
      checkSshEndpoint(field, e);
      return e as SshEndpoint;
    }),
    privateKey: pulumi.output(privateKey).apply((k) => checkSshPrivateKey(`${field}.privateKey`, k)),
  };
}

/** The private key of a connection as given: the field of a plain connection, else taken from the resolved connection (whose secrecy it inherits). */
function privateKeyOf(ssh: pulumi.Input<SshConnectionArgs> | undefined): pulumi.Input<string | undefined> {
  if (ssh === undefined || pulumi.Output.isInstance(ssh) || ssh instanceof Promise) {
    return pulumi.output(ssh).apply((s) => (s as pulumi.Unwrap<SshConnectionArgs> | undefined)?.privateKey);
  }
  return (ssh as SshConnectionArgs).privateKey;
}

/** Hosts in push order: ascending priority (default 200 for every host, so the order given) when priorities are plain. */
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
