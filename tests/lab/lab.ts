/**
 * The failover lab: builds the namespaces, starts three fake control-plane nodes, two load
 * balancers running the configuration under test (installed with the push script), and the
 * prober; offers the baseline/observe steps the faults use; tears everything down.
 *
 * Safety: every wait is bounded; processes are ended by PID (proc.ts); the namespaces, links and
 * the temporary directory are removed in {@link Lab.teardown}, which {@link withLab} runs in a
 * `finally` and on SIGINT/SIGTERM; leftovers of labs whose process died are removed at start.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { FakeBackend } from "./backends";
import { CheckCerts, makeCheckCerts } from "../helpers/checkCerts";
import { ConfigUnderTest, LAB_NODE_STATUS } from "./configs";
import { LbFiles, LbHost } from "./lbHost";
import { PROBE_TIMEOUT_MS, Prober, WindowStats, windowStats } from "./prober";
import { run, sleep, stopAllManaged, waitFor } from "./proc";
import {
  CP_ROLES,
  createTopology,
  destroyTopology,
  LAB_ADDRESSES,
  LAB_VIP,
  LB_ROLES,
  labNames,
  LabNames,
  removeLeftovers,
  ROLES,
} from "./topology";

/** Options of {@link Lab.start}. */
export interface LabOptions {
  config: ConfigUnderTest;
  /** Progress messages; default silent. */
  log?: (message: string) => void;
  /** Keep the temporary directory (logs of every process) after teardown and print its path. */
  keepDir?: boolean;
}

/** Options of {@link Lab.observe}. */
export interface ObserveOptions {
  /** Observe at least this long, ms; default 3000. */
  minMs?: number;
  /** Stop once the requests of the last `stableMs` all succeeded; default 2000. */
  stableMs?: number;
  /** Observe at most this long, ms; default 15000. */
  maxMs?: number;
  /** Count requests (and time the restoration) from this instant instead of the fault's; default the fault's. */
  statsFrom?: number;
}

/**
 * Checks that this machine can run the lab: root, and `ip netns` usable.
 * @returns undefined when it can, else the reason and the exact command to fix or run it.
 */
export async function labUnavailableReason(): Promise<string | undefined> {
  if (process.getuid?.() !== 0) return "the failover lab needs root (network namespaces); run: sudo npx jest tests/labShort.test.ts";
  const probe = await run("ip", ["netns", "list"], { allowFail: true }).catch((e: Error) => ({ code: 127, stdout: "", stderr: e.message }));
  if (probe.code !== 0) return `\`ip netns\` is not usable (${probe.stderr.trim()}); install iproute2: apt-get install -y iproute2`;
  for (const tool of ["haproxy", "keepalived", "unshare", "nsenter", "openssl", "ss"]) {
    const found = await run("bash", ["-c", `command -v ${tool} || [ -x /usr/sbin/${tool} ]`], { allowFail: true });
    if (found.code !== 0)
      return `${tool} is missing; run: bash scripts/ensure-test-deps.sh (or apt-get install -y haproxy keepalived iproute2 util-linux openssl)`;
  }
  return undefined;
}

/** A running lab. */
export class Lab {
  readonly names: LabNames;
  readonly dir: string;
  readonly backends: FakeBackend[] = [];
  readonly lbs: LbHost[] = [];
  readonly prober = new Prober();
  readonly log: (message: string) => void;
  private tornDown = false;
  private certs?: CheckCerts;
  /** Requests started before this instant say nothing about the current state (a fault or repair came after them). */
  private calmFrom = 0;

  private constructor(readonly options: LabOptions) {
    this.names = labNames();
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), `${this.names.prefix}`));
    fs.chmodSync(this.dir, 0o755);
    this.log = options.log ?? (() => undefined);
  }

  /** The configuration under test. */
  get config(): ConfigUnderTest {
    return this.options.config;
  }

  /** A lab that is not built yet (no namespaces, no processes); {@link build} builds it. */
  static create(options: LabOptions): Lab {
    return new Lab(options);
  }

  /** Builds and starts the lab; on any error it tears down what was built and rethrows. */
  static async start(options: LabOptions): Promise<Lab> {
    const lab = Lab.create(options);
    try {
      await lab.build();
      return lab;
    } catch (err) {
      await lab.teardown();
      throw err;
    }
  }

  /** Removes leftovers of dead labs, then builds the namespaces and starts every process. */
  async build(): Promise<void> {
    const removed = await removeLeftovers();
    if (removed.length) this.log(`removed leftovers of dead labs: ${removed.join(", ")}`);
    await destroyTopology(this.names);
    const certs = makeCheckCerts(this.dir, Object.values(LAB_ADDRESSES).concat(LAB_VIP));
    this.certs = certs;
    const cert = { keyFile: certs.files.serverKey, certFile: certs.files.serverCert };
    const auth = this.config.authenticated === true;
    await createTopology(this.names);
    this.log(`namespaces ${this.names.prefix}{${ROLES.join(",")}} on bridge ${this.names.bridge}, logs in ${this.dir}`);
    for (const role of CP_ROLES)
      this.backends.push(
        new FakeBackend(role, this.names.ns(role), cert, LAB_NODE_STATUS, this.dir, auth ? certs.files.caCert : undefined),
      );
    await Promise.all(this.backends.map((b) => b.start()));
    for (const role of LB_ROLES) this.lbs.push(new LbHost(role, this.names, this.dir));
    await Promise.all(this.lbs.map((lb) => this.installAndStart(lb)));
    this.prober.start(
      this.names.ns("client"),
      LAB_VIP,
      auth
        ? { expectStatus: 200, path: "/version", clientCert: { certFile: certs.files.clientCert, keyFile: certs.files.clientKey } }
        : { expectStatus: LAB_NODE_STATUS },
      this.dir,
    );
    const master = await this.baseline(30_000);
    this.log(`config "${this.config.id}" running, VIP on ${master.role}`);
  }

  private async installAndStart(lb: LbHost): Promise<void> {
    await lb.boot();
    const pushed = await lb.push(this.filesFor(lb));
    if (pushed.code !== 0) throw new Error(`initial push to ${lb.role} failed (exit ${pushed.code}): ${pushed.stderr}`);
    await lb.startHaproxy();
    await lb.startKeepalived();
  }

  /** The files of the configuration under test for `lb`. */
  filesFor(lb: LbHost): LbFiles {
    if (!this.certs) throw new Error("the lab is not built");
    return this.config.filesFor(lb.role, this.certs);
  }

  /** The load balancers (alive) that hold the VIP now. */
  async holders(): Promise<LbHost[]> {
    const alive = this.lbs.filter((lb) => lb.alive());
    const held = await Promise.all(alive.map((lb) => lb.holdsVip()));
    return alive.filter((_, i) => held[i]);
  }

  /**
   * Waits (≤ `timeoutMs`) for the healthy state every fault starts from: all nodes and both load
   * balancers running, exactly one VIP holder, and 1.5 s of successful requests (those of the last
   * 1.5 s count when they started after the last repair settled).
   * @returns the MASTER (VIP holder).
   * @throws Error when that state is not reached in time.
   */
  async baseline(timeoutMs = 60_000): Promise<LbHost> {
    for (const b of this.backends) if (!b.running()) await b.start();
    const broken = this.lbs.filter((lb) => !lb.servicesRunning());
    if (broken.length) throw new Error(`baseline: ${broken.map((lb) => lb.role).join(", ")} not running`);
    const from = Math.max(this.calmFrom, Date.now() - 1500);
    return waitFor(
      "baseline (one VIP holder, 1.5 s of successful requests)",
      async () => {
        const holders = await this.holders();
        return holders.length === 1 && this.prober.stable(from, 1500) ? holders[0] : undefined;
      },
      timeoutMs,
      100,
    );
  }

  /**
   * Observes the requests after a fault injected at `faultAt`: at least `minMs`, until the last
   * `stableMs` all succeeded or `maxMs` passed; then waits out requests still in flight.
   */
  async observe(faultAt: number, opts: ObserveOptions = {}): Promise<WindowStats & { until: number }> {
    const { minMs = 3000, stableMs = 2000, maxMs = 15_000, statsFrom = faultAt } = opts;
    this.calmFrom = Number.MAX_SAFE_INTEGER;
    await sleep(Math.max(0, faultAt + minMs - Date.now()));
    await waitFor(
      "requests to succeed again",
      () => this.prober.stable(faultAt, stableMs),
      Math.max(0, faultAt + maxMs - Date.now()),
      100,
    ).catch(() => undefined);
    const until = Date.now();
    await waitFor("requests in flight to end", () => !this.prober.inFlightSince(until), PROBE_TIMEOUT_MS + 500, 20).catch(() => undefined);
    return { ...windowStats(this.prober.results, statsFrom, until), until };
  }

  /** Waits the config's settle time (after a fault was repaired); requests from then on count for the next baseline. */
  async settle(): Promise<void> {
    await sleep(this.config.settleMs);
    this.markCalm();
  }

  /** Declares the lab undisturbed from now on (after a fault that needed no repair). */
  markCalm(): void {
    this.calmFrom = Date.now();
  }

  /** Stops every process, deletes namespaces, links and (unless `keepDir`) the directory. Idempotent. */
  async teardown(): Promise<void> {
    if (this.tornDown) return;
    this.tornDown = true;
    await this.prober.stop().catch(() => undefined);
    await Promise.all(this.lbs.map((lb) => lb.shutdown().catch(() => undefined)));
    await stopAllManaged("SIGKILL", 3000);
    await destroyTopology(this.names).catch((e: Error) => this.log(`teardown: ${e.message}`));
    if (this.options.keepDir) this.log(`lab logs kept in ${this.dir}`);
    else fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * Runs `body` with a started lab and always tears it down: after `body` (also when it throws) and
 * on SIGINT/SIGTERM (then exits 130/143).
 */
export async function withLab<T>(options: LabOptions, body: (lab: Lab) => Promise<T>): Promise<T> {
  let lab: Lab | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    options.log?.(`${signal}: tearing the lab down`);
    const done = () => process.exit(signal === "SIGINT" ? 130 : 143);
    (lab ? lab.teardown() : stopAllManaged()).then(done, done);
    setTimeout(done, 20_000).unref();
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    lab = Lab.create(options);
    await lab.build();
    return await body(lab);
  } finally {
    await lab?.teardown();
    process.removeListener("SIGINT", onSignal);
    process.removeListener("SIGTERM", onSignal);
  }
}
