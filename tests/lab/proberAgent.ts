/**
 * The lab's client, run inside the client namespace:
 * `node --import tsx tests/lab/proberAgent.ts <host> <expected status> <interval ms> <timeout ms> <path> [<cert.pem> <key.pem>]`.
 * Every <interval ms> it starts two requests on NEW connections:
 * - Kubernetes API: TCP to <host>:6443, TLS (server certificate not verified; the client
 *   certificate when given), `GET <path>`, reads the status line. It succeeds when the status
 *   equals <expected status> within <timeout ms> of its start; anything else (refused, reset,
 *   closed, wrong status, timeout) is a failure. The `x-node` header (which fake node answered) is
 *   recorded.
 * - Talos API: TCP to <host>:50000; it succeeds when the node's `talos-api <role>` line arrives
 *   within <timeout ms>.
 * Requests overlap: a slow one does not delay the next. Each request prints `{"start":ms,"api":…}`
 * when it starts and one result line `{"t0":ms,"t1":ms,"ok":bool,"detail":string,"api":…,"node":…}`
 * when it ends (epoch milliseconds), so the lab knows which requests are still in flight.
 *
 * Streams, on stdin commands: `streams <n>` opens n long-lived `GET /watch` requests through
 * <host>:6443 (an idle Kubernetes watch: the node answers 200 and sends nothing more); each prints
 * `{"stream":id,"event":"open","t":ms,"node":…}`, and when it ends `{"stream":id,"event":"closed",
 * "t":ms,"detail":…}`, after which it reconnects (every 100 ms for up to 10 s while refused) and
 * prints `{"stream":id,"event":"reopened",…}` when the new watch is answered. `close-streams` ends them all without reporting. Exits when stdin
 * closes or after 6 h.
 */
import * as fs from "fs";
import * as net from "net";
import * as readline from "readline";
import * as tls from "tls";

const [host, expectText, intervalText, timeoutText, urlPath, certFile, keyFile] = process.argv.slice(2);
const intervalMs = Number(intervalText);
const timeoutMs = Number(timeoutText);
const clientCert = certFile ? { cert: fs.readFileSync(certFile), key: fs.readFileSync(keyFile) } : {};
const print = (o: object) => process.stdout.write(JSON.stringify(o) + "\n");

function statusOf(buffer: string): { status?: string; node?: string } {
  const match = /^HTTP\/1\.[01] (\d{3})/.exec(buffer);
  const node = /\r\nx-node: ([^\r]+)\r\n/i.exec(buffer)?.[1];
  return { status: match?.[1], node };
}

/** What one probe's answer decided: `undefined` while more data is needed. */
type Verdict = { ok: boolean; detail: string; node?: string } | undefined;

/**
 * One request on a new connection: prints its start, feeds every chunk to `judge` until it
 * decides, and prints one result; a timeout, an error or an early close is a failure.
 */
function probe(api: "kubernetes" | "talos", socket: net.Socket, judge: (buffer: string) => Verdict, closedEarly: string): void {
  const t0 = Date.now();
  print({ start: t0, api });
  let done = false;
  let buffer = "";
  const finish = (ok: boolean, detail: string, node?: string) => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    socket.destroy();
    print({ t0, t1: Date.now(), ok, detail, api, node });
  };
  const timer = setTimeout(() => finish(false, "timeout"), timeoutMs);
  socket.on("data", (chunk: Buffer) => {
    buffer += chunk.toString("latin1");
    const verdict = judge(buffer);
    if (verdict) finish(verdict.ok, verdict.detail, verdict.node);
  });
  socket.on("error", (err: NodeJS.ErrnoException) => finish(false, err.code ?? err.message));
  socket.on("close", () => finish(false, closedEarly));
}

function kubernetesProbe(): void {
  const socket = tls.connect({ host, port: 6443, rejectUnauthorized: false, ...clientCert });
  socket.on("secureConnect", () => socket.write(`GET ${urlPath} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`));
  probe(
    "kubernetes",
    socket,
    (buffer) => {
      if (!buffer.includes("\r\n\r\n")) return undefined;
      const { status, node } = statusOf(buffer);
      return status ? { ok: status === expectText, detail: `status ${status}`, node } : { ok: false, detail: "malformed status line" };
    },
    "closed before a status line",
  );
}

function talosProbe(): void {
  probe(
    "talos",
    net.connect({ host, port: 50000 }),
    (buffer) => {
      const line = /^talos-api (\S+)\n/.exec(buffer);
      return line ? { ok: true, detail: "talos-api", node: line[1] } : undefined;
    },
    "closed before the banner",
  );
}

const streams = new Map<number, tls.TLSSocket>();
let nextStream = 0;

/** Reconnecting streams retry this often, for at most {@link RECONNECT_FOR_MS} (as a client with a short backoff). */
const RECONNECT_EVERY_MS = 100;
const RECONNECT_FOR_MS = 10_000;

/** Bumped by `close-streams`, so pending reconnects of ended streams are dropped. */
let generation = 0;

function openStream(id: number, reopen: boolean, firstTry = Date.now(), gen = generation): void {
  if (gen !== generation) return;
  let answered = false;
  let buffer = "";
  const socket = tls.connect({ host, port: 6443, rejectUnauthorized: false, ...clientCert });
  streams.set(id, socket);
  socket.on("secureConnect", () => socket.write(`GET /watch HTTP/1.1\r\nHost: ${host}\r\n\r\n`));
  socket.on("data", (chunk: Buffer) => {
    if (answered) return;
    buffer += chunk.toString("latin1");
    if (!buffer.includes("\r\n\r\n")) return;
    answered = true;
    print({ stream: id, event: reopen ? "reopened" : "open", t: Date.now(), node: statusOf(buffer).node });
  });
  let ended = false;
  const end = (detail: string) => {
    if (ended || streams.get(id) !== socket) return;
    ended = true;
    streams.delete(id);
    if (reopen && !answered) {
      // a reconnect that failed (the old holder refused it): try again, as a client would
      if (Date.now() - firstTry < RECONNECT_FOR_MS) setTimeout(() => openStream(id, true, firstTry, gen), RECONNECT_EVERY_MS);
      return;
    }
    print({ stream: id, event: "closed", t: Date.now(), detail, reopen });
    if (!reopen) setTimeout(() => openStream(id, true, Date.now(), gen), 50);
  };
  socket.on("error", (err: NodeJS.ErrnoException) => end(err.code ?? err.message));
  socket.on("close", () => end("closed"));
}

readline.createInterface({ input: process.stdin }).on("line", (line) => {
  const [cmd, arg] = line.trim().split(/\s+/);
  if (cmd === "streams") for (let i = 0; i < Number(arg); i++) openStream(nextStream++, false);
  else if (cmd === "close-streams") {
    generation++;
    const all = [...streams.values()];
    streams.clear();
    all.forEach((s) => s.destroy());
    print({ event: "streams-closed", t: Date.now() });
  }
});

setInterval(() => {
  kubernetesProbe();
  talosProbe();
}, intervalMs);
process.stdin.on("close", () => process.exit(0));
setTimeout(() => process.exit(0), 6 * 3600_000).unref();
