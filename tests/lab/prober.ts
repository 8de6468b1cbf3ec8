/**
 * The lab's client side: the prober process (proberAgent.ts) in the client namespace and the
 * statistics over its results.
 */
import * as path from "path";
import { startAgent } from "./agents";
import { Managed, stopManaged, waitFor } from "./proc";

/** Which API a probe asked: the Kubernetes API on 6443 or the Talos API on 50000. */
export type ProbedApi = "kubernetes" | "talos";

/** One request of the prober (epoch ms). */
export interface ProbeResult {
  t0: number;
  t1: number;
  ok: boolean;
  detail: string;
  api: ProbedApi;
  /** The fake node that answered (`cp1`…), when one did. */
  node?: string;
}

/** One event of a long-lived stream (see proberAgent.ts). */
export interface StreamEvent {
  stream: number;
  event: "open" | "closed" | "reopened";
  t: number;
  detail?: string;
  node?: string;
  reopen?: boolean;
}

/** How the prober asks the Kubernetes API. */
export interface ProberOptions {
  /** Status a good answer has (401 without a client certificate on Talos ≤ 1.13). */
  expectStatus: number;
  /** Path of the Kubernetes API request, default `/readyz`. */
  path?: string;
  /** Client certificate and key files (the authenticated configuration). */
  clientCert?: { certFile: string; keyFile: string };
}

/** Probe cadence: a new connection every 100 ms. */
export const PROBE_INTERVAL_MS = 100;
/** A request not answered within 1 s of its start counts as failed. */
export const PROBE_TIMEOUT_MS = 1000;

/** Runs the prober against `<vip>:6443` and keeps every result. */
export class Prober {
  /** Kubernetes API results (the ones every goal but the Talos API's is judged on). */
  readonly results: ProbeResult[] = [];
  /** Talos API results. */
  readonly talosResults: ProbeResult[] = [];
  readonly streamEvents: StreamEvent[] = [];
  /** Start times of requests that have not ended yet. */
  private readonly inFlight = new Set<string>();
  private proc?: Managed;

  /** Starts probing `vip` from namespace `ns`. */
  start(ns: string, vip: string, options: ProberOptions, logDir: string): void {
    const cert = options.clientCert ? [options.clientCert.certFile, options.clientCert.keyFile] : [];
    const args = [
      vip,
      String(options.expectStatus),
      String(PROBE_INTERVAL_MS),
      String(PROBE_TIMEOUT_MS),
      options.path ?? "/readyz",
      ...cert,
    ];
    this.proc = startAgent("prober", ns, "proberAgent", args, (line) => this.record(line), path.join(logDir, "prober.log"));
  }

  private record(line: string): void {
    try {
      const r = JSON.parse(line) as ProbeResult & StreamEvent & { start?: number };
      if (typeof r.start === "number") this.inFlight.add(`${r.api}:${r.start}`);
      else if (typeof r.t0 === "number" && typeof r.ok === "boolean") {
        this.inFlight.delete(`${r.api}:${r.t0}`);
        (r.api === "talos" ? this.talosResults : this.results).push(r);
      } else if (typeof r.stream === "number") this.streamEvents.push(r);
    } catch {
      /* not a result line */
    }
  }

  private send(line: string): void {
    if (!this.proc?.alive()) throw new Error("the prober is not running");
    this.proc.child.stdin!.write(`${line}\n`);
  }

  /**
   * Opens `n` idle watch streams through the VIP and waits (≤ 5 s) until all are answered.
   * @returns their ids.
   */
  async openStreams(n: number): Promise<number[]> {
    const before = new Set(this.streamEvents.map((e) => e.stream));
    const from = this.streamEvents.length;
    this.send(`streams ${n}`);
    return waitFor(
      `${n} streams to open`,
      () => {
        const ids = this.streamEvents
          .slice(from)
          .filter((e) => e.event === "open" && !before.has(e.stream))
          .map((e) => e.stream);
        return ids.length >= n ? ids : undefined;
      },
      5000,
      20,
    );
  }

  /** Ends every stream (without reporting them closed). */
  closeStreams(): void {
    this.send("close-streams");
  }

  /** True while a request that started at or before `t` has not ended. */
  inFlightSince(t: number): boolean {
    return [...this.inFlight].some((key) => Number(key.split(":")[1]) <= t);
  }

  /** Completed results whose request started at or after `from`, in start order. */
  startedSince(from: number): ProbeResult[] {
    return this.results.filter((r) => r.t0 >= from).sort((a, b) => a.t0 - b.t0);
  }

  /**
   * True when the requests of the last `stableMs` (at least 80 % of the expected count, all
   * completed) all succeeded, and they all started at or after `from`.
   */
  stable(from: number, stableMs: number): boolean {
    const done = this.startedSince(from);
    if (done.length === 0) return false;
    const last = done[done.length - 1].t0;
    if (last - from < stableMs) return false;
    const recent = done.filter((r) => r.t0 >= last - stableMs);
    return recent.length >= (0.8 * stableMs) / PROBE_INTERVAL_MS && recent.every((r) => r.ok);
  }

  /** Stops the prober process. */
  async stop(): Promise<void> {
    if (this.proc) await stopManaged(this.proc, "SIGTERM", 2000);
  }
}

/** What happened to the requests around one fault. */
export interface WindowStats {
  /** Requests that ended after the fault and started before the window end. */
  total: number;
  /** How many of them failed. */
  failed: number;
  /**
   * Seconds from the fault to the start of the first successful request after the last failed
   * one (0 when none failed; null when the last request of the window failed: not restored).
   */
  restoredS: number | null;
  /** Slowest successful request, ms (shows HAProxy's connect-timeout-and-redispatch detours). */
  slowestOkMs: number;
  /** Failed requests by reason (`ECONNREFUSED`, `timeout`, …). */
  failures: Record<string, number>;
}

/** Percentage of the requests in `results` that started from `from` to `until` and succeeded (0 when none started). */
export function okPercent(results: readonly ProbeResult[], from: number, until: number): number {
  const started = results.filter((r) => r.t0 >= from && r.t0 <= until);
  return started.length ? (100 * started.filter((r) => r.ok).length) / started.length : 0;
}

/** Statistics of the requests that ended after `faultAt` and started no later than `until`. */
export function windowStats(results: readonly ProbeResult[], faultAt: number, until: number): WindowStats {
  const window = results.filter((r) => r.t1 > faultAt && r.t0 <= until).sort((a, b) => a.t0 - b.t0);
  const failed = window.filter((r) => !r.ok);
  const failures: Record<string, number> = {};
  failed.forEach((r) => (failures[r.detail] = (failures[r.detail] ?? 0) + 1));
  const slowestOkMs = Math.max(0, ...window.filter((r) => r.ok).map((r) => r.t1 - r.t0));
  if (failed.length === 0) return { total: window.length, failed: 0, restoredS: 0, slowestOkMs, failures };
  const lastFailure = failed[failed.length - 1].t0;
  const firstOk = window.find((r) => r.ok && r.t0 > lastFailure);
  const restoredS = firstOk ? Math.max(0, firstOk.t0 - faultAt) / 1000 : null;
  return { total: window.length, failed: failed.length, restoredS, slowestOkMs, failures };
}
