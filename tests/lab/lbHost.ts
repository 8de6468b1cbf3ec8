/**
 * One load-balancer "host" of the lab: a network namespace (from topology.ts) plus its own PID
 * and mount namespaces, so a process check on one host never sees the other host's HAProxy, and
 * killing the host kills exactly its processes.
 *
 * Boot: `ip netns exec <ns> unshare --pid --fork --mount-proc --kill-child bash -c <setup>`, where
 * the setup mounts a private tmpfs on /run (pid files at their Debian paths) and bind-mounts the
 * host's own directories over /etc/haproxy and /etc/keepalived, then execs `sleep infinity` as
 * PID 1. unshare's default propagation is private, so none of these mounts is visible outside.
 * Everything else runs through `nsenter -t <PID 1> -n -m -p`: the push script (the same
 * `renderPushSteps` output the Pulumi component runs, with the default Debian paths), HAProxy
 * (`haproxy -Ws`, master-worker as Debian's unit) and Keepalived (`keepalived -n -l -D`).
 */
import * as fs from "fs";
import * as path from "path";
import { HaproxyFile, ReloadMethod, renderPushSteps } from "../../src/render/haproxyKeepalived/pushScript";
import { RenderedCheckScript } from "../../src/render/haproxyKeepalived/keepalivedConfig";
import { deadline, descendants, Managed, pidAlive, run, RunResult, signalPid, startManaged, stopManaged, waitFor } from "./proc";
import { LAB_ADDRESSES, LAB_IFACE, LAB_PREFIX, LAB_VIP, LabNames, LbRole, setMachineLink } from "./topology";

/** The files one load balancer gets. */
export interface LbFiles {
  haproxyConfig: string;
  keepalivedConfig: string;
  /** The check script keepalived.conf refers to; absent for the seed config. */
  checkScript?: RenderedCheckScript;
  /** Files haproxy.cfg refers to (the authenticated check's certificates). */
  haproxyFiles?: HaproxyFile[];
}

/** Debian path of haproxy.cfg, used unchanged inside the host's mount namespace. */
export const HAPROXY_CFG = "/etc/haproxy/haproxy.cfg";
/** Debian path of keepalived.conf, used unchanged inside the host's mount namespace. */
export const KEEPALIVED_CONF = "/etc/keepalived/keepalived.conf";

/** A load balancer of the lab. */
export class LbHost {
  private init?: Managed;
  private initPid?: number;
  private haproxy?: Managed;
  private keepalived?: Managed;
  /** Where this host's /etc/haproxy, /etc/keepalived and logs live on the lab machine. */
  readonly dir: string;

  constructor(
    readonly role: LbRole,
    private readonly names: LabNames,
    labDir: string,
  ) {
    this.dir = path.join(labDir, role);
    for (const sub of ["etc-haproxy", "etc-keepalived"]) fs.mkdirSync(path.join(this.dir, sub), { recursive: true, mode: 0o755 });
    fs.chmodSync(this.dir, 0o755);
  }

  /** The host's network namespace. */
  get ns(): string {
    return this.names.ns(this.role);
  }

  /** The host's own address. */
  get ip(): string {
    return LAB_ADDRESSES[this.role];
  }

  /** Starts the host's PID and mount namespaces; waits (≤ 10 s) until PID 1 runs. */
  async boot(): Promise<void> {
    const setup = [
      "set -e",
      "mount -t tmpfs -o mode=0755 tmpfs /run",
      `mount --bind ${path.join(this.dir, "etc-haproxy")} /etc/haproxy`,
      `mount --bind ${path.join(this.dir, "etc-keepalived")} /etc/keepalived`,
      "exec sleep infinity",
    ].join("; ");
    const args = ["netns", "exec", this.ns, "unshare", "--pid", "--fork", "--mount-proc", "--kill-child", "/bin/bash", "-c", setup];
    const init = startManaged(`${this.role}-init`, "ip", args, { logFile: this.log("init") });
    this.init = init;
    this.initPid = await waitFor(`${this.role} PID 1`, () => descendants(init.pid).find((p) => p.comm === "sleep")?.pid, 10_000);
  }

  private log(name: string): string {
    return path.join(this.dir, `${name}.log`);
  }

  private nsenter(cmd: readonly string[]): string[] {
    if (this.initPid === undefined) throw new Error(`${this.role} is not booted`);
    return ["-t", String(this.initPid), "-n", "-m", "-p", "--", ...cmd];
  }

  /** True while the host's PID 1 runs. */
  alive(): boolean {
    return this.init?.alive() ?? false;
  }

  /**
   * Runs the push script from `renderPushSteps` inside the host (bash reading the script on
   * stdin) and returns its exit code and output. Default reload: signals via /run pid files.
   */
  async push(files: LbFiles, reload: ReloadMethod = { kind: "signal" }): Promise<RunResult> {
    const script = renderPushSteps({ ...files, reload });
    return run("nsenter", this.nsenter(["/bin/bash", "-s"]), { input: script, allowFail: true, timeoutMs: 30_000 });
  }

  /** The live file as the host's services read it (`/etc/haproxy/haproxy.cfg` → the bind-mount source). */
  liveFile(file: typeof HAPROXY_CFG | typeof KEEPALIVED_CONF): string {
    const local =
      file === HAPROXY_CFG ? path.join(this.dir, "etc-haproxy", "haproxy.cfg") : path.join(this.dir, "etc-keepalived", "keepalived.conf");
    return fs.existsSync(local) ? fs.readFileSync(local, "utf8") : "";
  }

  /** Starts HAProxy (master-worker) and waits (≤ 10 s) until it listens on 6443. */
  async startHaproxy(): Promise<void> {
    this.haproxy = startManaged(
      `${this.role}-haproxy`,
      "nsenter",
      this.nsenter(["/usr/sbin/haproxy", "-Ws", "-p", "/run/haproxy.pid", "-f", HAPROXY_CFG]),
      {
        logFile: this.log("haproxy"),
      },
    );
    await waitFor(`${this.role} haproxy on :6443`, () => this.listening(6443), 10_000, 100);
  }

  private async listening(port: number): Promise<boolean> {
    const out = await run("ip", ["netns", "exec", this.ns, "ss", "-Hltn", `sport = :${port}`], { allowFail: true });
    return out.stdout.trim().length > 0;
  }

  /** Starts Keepalived in the foreground (logs to <dir>/keepalived.log); waits (≤ 10 s) for its VRRP child. */
  async startKeepalived(): Promise<void> {
    const ka = startManaged(
      `${this.role}-keepalived`,
      "nsenter",
      this.nsenter(["/usr/sbin/keepalived", "-n", "-l", "-D", "-f", KEEPALIVED_CONF]),
      {
        logFile: this.log("keepalived"),
      },
    );
    this.keepalived = ka;
    await waitFor(
      `${this.role} keepalived VRRP process`,
      () => descendants(ka.pid).filter((p) => p.comm === "keepalived").length >= 2,
      10_000,
    );
  }

  /** Fault c: SIGKILL every HAProxy process (master and workers) of this host, by PID. */
  async killHaproxy(): Promise<void> {
    const h = this.haproxy;
    if (!h) return;
    descendants(h.pid)
      .filter((p) => p.comm === "haproxy")
      .forEach((p) => signalPid(p.pid, "SIGKILL"));
    await stopManaged(h, "SIGKILL", 3000);
  }

  /** Sends `signal` to every process named `comm` under the managed process `m` (by PID). */
  private signalAll(m: Managed | undefined, comm: string, signal: NodeJS.Signals): number {
    if (!m) return 0;
    const pids = descendants(m.pid).filter((p) => p.comm === comm);
    pids.forEach((p) => signalPid(p.pid, signal));
    return pids.length;
  }

  /** Fault i: SIGSTOP every HAProxy process of this host (hung: the kernel still accepts connections, nothing answers); {@link resumeHaproxy} undoes it. */
  freezeHaproxy(): void {
    if (this.signalAll(this.haproxy, "haproxy", "SIGSTOP") === 0) throw new Error(`${this.role}: no haproxy process to freeze`);
  }

  /** SIGCONT to every HAProxy process of this host. */
  resumeHaproxy(): void {
    this.signalAll(this.haproxy, "haproxy", "SIGCONT");
  }

  /** Fault j: SIGSTOP every Keepalived process of this host (a paused VM, CPU starvation); {@link resumeKeepalived} undoes it. */
  freezeKeepalived(): void {
    if (this.signalAll(this.keepalived, "keepalived", "SIGSTOP") === 0) throw new Error(`${this.role}: no keepalived process to freeze`);
  }

  /** SIGCONT to every Keepalived process of this host. */
  resumeKeepalived(): void {
    this.signalAll(this.keepalived, "keepalived", "SIGCONT");
  }

  /**
   * Fault l: this host can no longer reach any node's port 6443 (an `ip rule` sends TCP to port
   * 6443 to a table holding only a blackhole route), while port 50000 still works: the host alone
   * sees no Kubernetes API node. `false` removes the rule.
   */
  async cutKubernetesApi(cut: boolean): Promise<void> {
    const rule = ["-n", this.ns, "rule", cut ? "add" : "del", "ipproto", "tcp", "dport", "6443", "lookup", "6443"];
    if (cut) await run("ip", ["-n", this.ns, "route", "replace", "blackhole", "default", "table", "6443"]);
    await run("ip", rule, { allowFail: !cut });
  }

  /** Fault b': SIGTERM to Keepalived's parent process (it sends priority-0 adverts and removes the VIP); waits ≤ 5 s. */
  async stopKeepalived(): Promise<void> {
    const k = this.keepalived;
    if (!k) return;
    const all = descendants(k.pid).filter((p) => p.comm === "keepalived");
    const parent = all[0];
    if (parent) signalPid(parent.pid, "SIGTERM");
    // wait for keepalived itself (not only nsenter) to finish: it removes its pid file last
    await waitFor(`${this.role} keepalived to exit`, () => !all.some((p) => pidAlive(p.pid)), 5000, 20).catch(() => undefined);
    await stopManaged(k, "SIGTERM", 5000);
  }

  /** Fault b: the host dies: its bridge port goes down (no more packets, no resets), then every process in its PID namespace gets SIGKILL. */
  async crash(): Promise<void> {
    await setMachineLink(this.names, this.role, false);
    if (this.init) await stopManaged(this.init, "SIGKILL", 3000);
    await Promise.all([this.haproxy, this.keepalived].map((m) => m && Promise.race([m.exited, deadline(3000)])));
  }

  /** Fault d: the host comes back as after a reboot: no VIP on its interface, link up, HAProxy then Keepalived started. */
  async returnHost(): Promise<void> {
    await run("ip", ["-n", this.ns, "addr", "del", `${LAB_VIP}/${LAB_PREFIX}`, "dev", LAB_IFACE], { allowFail: true });
    await setMachineLink(this.names, this.role, true);
    await this.boot();
    await this.startHaproxy();
    await this.startKeepalived();
  }

  /** True when the VIP is configured on the host's interface. */
  async holdsVip(): Promise<boolean> {
    const out = await run("ip", ["-n", this.ns, "-4", "-o", "addr", "show", "dev", LAB_IFACE], { allowFail: true });
    return out.stdout.includes(` ${LAB_VIP}/`);
  }

  /** True while HAProxy and Keepalived both run. */
  servicesRunning(): boolean {
    return this.alive() && (this.haproxy?.alive() ?? false) && (this.keepalived?.alive() ?? false);
  }

  /** Ends every process of the host (SIGKILL to the namespace's init). */
  async shutdown(): Promise<void> {
    if (this.init) await stopManaged(this.init, "SIGKILL", 3000);
  }
}
