/**
 * The three fake control-plane nodes (see backendAgent.ts), one per namespace.
 */
import * as path from "path";
import { startAgent } from "./agents";
import { LabCert } from "./certs";
import { Managed, stopManaged, waitFor } from "./proc";
import { CpRole } from "./topology";

/** One fake node: its agent process can be killed (fault a) and started again. */
export class FakeBackend {
  private proc?: Managed;
  private ready = false;

  /**
   * @param status HTTP status every request on 6443 gets (401 as Talos ≤ 1.13).
   * @param logDir where `<role>.log` is written.
   */
  constructor(
    readonly role: CpRole,
    private readonly ns: string,
    private readonly cert: LabCert,
    private readonly status: number,
    private readonly logDir: string,
  ) {}

  /** Starts the agent and waits (at most 15 s) until it listens on 6443 and 50000. */
  async start(): Promise<void> {
    if (this.running()) return;
    this.ready = false;
    const onLine = (line: string) => {
      if (line.trim() === "ready") this.ready = true;
    };
    this.proc = startAgent(
      `backend-${this.role}`,
      this.ns,
      "backendAgent",
      [this.cert.keyFile, this.cert.certFile, String(this.status)],
      onLine,
      path.join(this.logDir, `${this.role}.log`),
    );
    await waitFor(
      `backend ${this.role} to listen`,
      () => this.ready || (!this.proc!.alive() ? Promise.reject(new Error(`backend ${this.role} exited`)) : false),
      15_000,
    );
  }

  /** Fault a: SIGKILL the node's process, so the kernel refuses new connections (RST). */
  async kill(): Promise<void> {
    if (this.proc) await stopManaged(this.proc, "SIGKILL", 3000);
  }

  /** True while the agent runs. */
  running(): boolean {
    return this.proc?.alive() ?? false;
  }
}
