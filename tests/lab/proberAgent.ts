/**
 * The lab's client, run inside the client namespace:
 * `node --import tsx tests/lab/proberAgent.ts <host> <port> <expected status> <interval ms> <timeout ms>`.
 * Every <interval ms> it opens a NEW TCP connection to <host>:<port>, completes a TLS handshake
 * (certificate not verified), sends `GET /readyz` and reads the status line. A request succeeds
 * when the status equals <expected status> within <timeout ms> of its start; anything else (refused,
 * reset, closed, wrong status, timeout) is a failure. Requests overlap: a slow one does not delay
 * the next. Each request prints `{"start":ms}` when it starts and one result line
 * `{"t0":ms,"t1":ms,"ok":bool,"detail":string}` when it ends (epoch milliseconds), so the lab knows
 * which requests are still in flight. Exits when stdin closes or after 6 h.
 */
import * as tls from "tls";

const [host, portText, expectText, intervalText, timeoutText] = process.argv.slice(2);
const port = Number(portText);
const intervalMs = Number(intervalText);
const timeoutMs = Number(timeoutText);

function probe(): void {
  const t0 = Date.now();
  process.stdout.write(JSON.stringify({ start: t0 }) + "\n");
  let done = false;
  let buffer = "";
  const socket = tls.connect({ host, port, rejectUnauthorized: false });
  const finish = (ok: boolean, detail: string) => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    socket.destroy();
    process.stdout.write(JSON.stringify({ t0, t1: Date.now(), ok, detail }) + "\n");
  };
  const timer = setTimeout(() => finish(false, "timeout"), timeoutMs);
  socket.on("secureConnect", () => socket.write(`GET /readyz HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`));
  socket.on("data", (chunk: Buffer) => {
    buffer += chunk.toString("latin1");
    const match = /^HTTP\/1\.[01] (\d{3})/.exec(buffer);
    if (match) finish(match[1] === expectText, `status ${match[1]}`);
    else if (buffer.includes("\r\n")) finish(false, "malformed status line");
  });
  socket.on("error", (err: NodeJS.ErrnoException) => finish(false, err.code ?? err.message));
  socket.on("close", () => finish(false, "closed before a status line"));
}

setInterval(probe, intervalMs);
process.stdin.on("close", () => process.exit(0));
process.stdin.resume();
setTimeout(() => process.exit(0), 6 * 3600_000).unref();
