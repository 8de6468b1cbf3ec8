/**
 * Process helpers of the failover lab: run a command with a time limit, start long-running
 * processes that are tracked by PID, look at /proc. Every process the lab starts goes through
 * {@link startManaged} or {@link run}, so teardown ends exactly those, by PID.
 */
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";

/** Result of {@link run}. */
export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Options of {@link run}. */
export interface RunOptions {
  /** Written to stdin, which is then closed. */
  input?: string;
  /** Kill (SIGKILL) the command after this many ms; default 20000. */
  timeoutMs?: number;
  /** Resolve with a non-zero code instead of throwing. */
  allowFail?: boolean;
}

/** Milliseconds of sleep. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A sleep that does not keep the process alive: for time limits raced against the real event. */
export function deadline(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/**
 * Runs `cmd args` to completion (bounded by `timeoutMs`) and collects its output.
 * @throws Error with the command line and stderr when it fails and `allowFail` is not set.
 */
export function run(cmd: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 20_000);
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.stdin.on("error", () => undefined);
    child.stdin.end(opts.input ?? "");
    child.on("error", (err) => {
      clearTimeout(timer);
      reject(new Error(`${cmd} ${args.join(" ")}: ${err.message}`));
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const result = { code: code ?? (signal ? 128 : 1), stdout, stderr };
      if (result.code !== 0 && !opts.allowFail) {
        reject(new Error(`${cmd} ${args.join(" ")} exited ${signal ?? code}: ${stderr.trim() || stdout.trim()}`));
      } else resolve(result);
    });
  });
}

/** A long-running process started by the lab. */
export interface Managed {
  /** Label for logs and errors. */
  name: string;
  /** PID in the lab's own PID namespace. */
  pid: number;
  child: ChildProcess;
  /** Resolves with the exit code (or null when killed by a signal) once the process is gone. */
  exited: Promise<number | null>;
  /** True until the process exits. */
  alive(): boolean;
}

const registry = new Set<Managed>();

/** Options of {@link startManaged}. */
export interface StartOptions {
  /** Append stdout and stderr to this file; default: discard. */
  logFile?: string;
  /** Receive stdout lines (the log file still gets them). */
  onLine?: (line: string) => void;
  /**
   * Keep a pipe on stdin that is never written: the lab's agents exit when it closes, i.e. when
   * the lab process dies without a teardown.
   */
  stdinPipe?: boolean;
  /** Working directory; default the lab process's. */
  cwd?: string;
}

/**
 * Starts a long-running process and registers it for {@link stopAllManaged}.
 * @throws Error when the process cannot be spawned.
 */
export function startManaged(name: string, cmd: string, args: readonly string[], opts: StartOptions = {}): Managed {
  const log = opts.logFile ? fs.openSync(opts.logFile, "a") : undefined;
  const wantPipe = opts.onLine !== undefined;
  const stdio = [opts.stdinPipe ? "pipe" : "ignore", wantPipe ? "pipe" : (log ?? "ignore"), log ?? "ignore"] as const;
  const child = spawn(cmd, args, { stdio: [...stdio], cwd: opts.cwd });
  if (log !== undefined) fs.closeSync(log);
  if (child.pid === undefined) throw new Error(`cannot start ${name}: ${cmd} ${args.join(" ")}`);
  let running = true;
  const exited = new Promise<number | null>((resolve) => {
    child.on("exit", (code) => {
      running = false;
      registry.delete(managed);
      resolve(code);
    });
  });
  child.on("error", () => undefined);
  if (wantPipe && child.stdout) attachLines(child, opts.onLine!, opts.logFile);
  const managed: Managed = { name, pid: child.pid, child, exited, alive: () => running };
  registry.add(managed);
  return managed;
}

function attachLines(child: ChildProcess, onLine: (line: string) => void, logFile?: string): void {
  let rest = "";
  child.stdout!.setEncoding("utf8");
  child.stdout!.on("data", (chunk: string) => {
    if (logFile) fs.appendFileSync(logFile, chunk);
    const lines = (rest + chunk).split("\n");
    rest = lines.pop() ?? "";
    lines.forEach(onLine);
  });
}

/**
 * Sends `signal` to the process by PID and waits (at most `timeoutMs`) for it to exit; sends
 * SIGKILL if it has not exited by then.
 */
export async function stopManaged(m: Managed, signal: NodeJS.Signals = "SIGTERM", timeoutMs = 5000): Promise<void> {
  if (!m.alive()) return;
  signalPid(m.pid, signal);
  const done = await Promise.race([m.exited.then(() => true), deadline(timeoutMs).then(() => false)]);
  if (!done) {
    signalPid(m.pid, "SIGKILL");
    await Promise.race([m.exited, deadline(2000)]);
  }
}

/** Stops every process still registered, by PID, SIGKILL after `timeoutMs`. */
export async function stopAllManaged(signal: NodeJS.Signals = "SIGKILL", timeoutMs = 3000): Promise<void> {
  await Promise.all([...registry].map((m) => stopManaged(m, signal, timeoutMs)));
}

/** kill(2) that ignores "no such process". */
export function signalPid(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ESRCH") throw err;
  }
}

/** True when a process with this PID exists (and is not a zombie). */
export function pidAlive(pid: number): boolean {
  const stat = readStat(pid);
  return stat !== undefined && stat.state !== "Z";
}

interface Stat {
  pid: number;
  comm: string;
  state: string;
  ppid: number;
}

function readStat(pid: number): Stat | undefined {
  try {
    const text = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const close = text.lastIndexOf(")");
    const [state, ppid] = text.slice(close + 2).split(" ");
    return { pid, comm: text.slice(text.indexOf("(") + 1, close), state, ppid: Number(ppid) };
  } catch {
    return undefined;
  }
}

/** Every live (non-zombie) descendant of `root`, as /proc sees them from the lab's PID namespace. */
export function descendants(root: number): Array<{ pid: number; comm: string }> {
  const stats = fs
    .readdirSync("/proc")
    .filter((d) => /^\d+$/.exec(d) !== null)
    .map((d) => readStat(Number(d)))
    .filter((s): s is Stat => s !== undefined && s.state !== "Z");
  const byParent = new Map<number, Stat[]>();
  stats.forEach((s) => byParent.set(s.ppid, [...(byParent.get(s.ppid) ?? []), s]));
  const out: Array<{ pid: number; comm: string }> = [];
  const queue = [root];
  for (let guard = 0; queue.length > 0 && guard < 10_000; guard++) {
    const children = byParent.get(queue.shift()!) ?? [];
    children.forEach((c) => {
      out.push({ pid: c.pid, comm: c.comm });
      queue.push(c.pid);
    });
  }
  return out;
}

/**
 * Polls `probe` every `intervalMs` until it returns a value other than undefined/false, at most
 * `timeoutMs`.
 * @throws Error "timed out waiting for <what>" when time runs out.
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs: number,
  intervalMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() >= deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}
