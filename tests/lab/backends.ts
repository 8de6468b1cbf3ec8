/**
 * The three fake control-plane nodes (see backendAgent.ts), one per namespace.
 */
import * as path from "path";
import { startAgent } from "./agents";
import { Managed, stopManaged, waitFor } from "./proc";
import { CpRole } from "./topology";

/** Paths of a fake node's TLS key and certificate. */
export interface LabCert {
  keyFile: string;
  certFile: string;
}

/** One fake node: its agent process can be killed (fault a) and started again. */
export class FakeBackend {
  private proc?: Managed;
  private ready = false;
  private acks: string[] = [];

  /**
   * @param status HTTP status every unauthenticated request on 6443 gets (401 as Talos ≤ 1.13).
   * @param logDir where `<role>.log` is written.
   * @param clientCaFile when set, requests with a client certificate signed by it are authenticated (see backendAgent.ts).
   */
  constructor(
    readonly role: CpRole,
    private readonly ns: string,
    private readonly cert: LabCert,
    private readonly status: number,
    private readonly logDir: string,
    private readonly clientCaFile?: string,
  ) {}

  /** Starts the agent and waits (at most 15 s) until it listens on 6443 and 50000. */
  async start(): Promise<void> {
    if (this.running()) return;
    this.ready = false;
    const onLine = (line: string) => {
      if (line.trim() === "ready") this.ready = true;
      else if (line.startsWith("ok ")) this.acks.push(line.slice(3).trim());
    };
    this.proc = startAgent(
      `backend-${this.role}`,
      this.ns,
      "backendAgent",
      [this.role, this.cert.keyFile, this.cert.certFile, String(this.status), ...(this.clientCaFile ? [this.clientCaFile] : [])],
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

  /**
   * Sends a command to the running agent (`api down`, `api up`, `notready`, `ready`) and waits
   * (≤ 5 s) for its acknowledgement.
   */
  async command(cmd: "api down" | "api up" | "notready" | "ready"): Promise<void> {
    if (!this.proc?.alive()) throw new Error(`backend ${this.role} is not running`);
    this.acks = [];
    this.proc.child.stdin!.write(`${cmd}\n`);
    await waitFor(`backend ${this.role}: ${cmd}`, () => this.acks.includes(cmd), 5000, 10);
  }

  /** True while the agent runs. */
  running(): boolean {
    return this.proc?.alive() ?? false;
  }
}
