/**
 * A fake Talos control-plane node, run inside a node's namespace by the lab:
 * `node --import tsx tests/lab/backendAgent.ts <role> <key.pem> <cert.pem> <status> [<client CA.pem>]`.
 * - 6443 (kube-apiserver): HTTPS. Without a client certificate every request gets `<status>` (401
 *   like kube-apiserver with anonymous-auth=false on Talos ≤ 1.13). With a client certificate
 *   signed by `<client CA>` (when given): `GET /readyz` answers 200 while ready and 500 while not
 *   (see the `notready` command), every other path 200, as an authenticated kube-apiserver whose
 *   etcd lags still serves `/version`. `GET /watch` answers 200 and then sends nothing (an idle
 *   Kubernetes watch). Every response carries `x-node: <role>`.
 * - 50000 (apid): plain TCP; every connection gets the line `talos-api <role>` at once, then is
 *   closed after 30 s idle.
 * Commands on stdin, one per line: `api down` (kube-apiserver stops: its listener closes and its
 * connections are destroyed, apid keeps running), `api up`, `notready`, `ready`. Prints `ready`
 * once both listen and `ok <command>` after each command. Exits when stdin closes (the lab
 * process is gone) or after 6 h.
 */
import * as fs from "fs";
import * as https from "https";
import * as net from "net";
import * as readline from "readline";
import * as tls from "tls";

const [role, keyFile, certFile, statusText, clientCaFile] = process.argv.slice(2);
const status = Number(statusText);
let ready = true;
const apiSockets = new Set<net.Socket>();

function body(code: number): string {
  return JSON.stringify({ kind: "Status", apiVersion: "v1", status: code === 200 ? "Success" : "Failure", code }) + "\n";
}

function handler(req: import("http").IncomingMessage, res: import("http").ServerResponse): void {
  const socket = req.socket as tls.TLSSocket;
  const authenticated = clientCaFile !== undefined && socket.authorized === true;
  const headers = { "content-type": "application/json", "x-node": role };
  if (req.url === "/watch") {
    res.writeHead(200, { ...headers, "transfer-encoding": "chunked" });
    res.flushHeaders();
    return;
  }
  const code = !authenticated ? status : req.url === "/readyz" && !ready ? 500 : 200;
  const text = body(code);
  res.writeHead(code, { ...headers, "content-length": Buffer.byteLength(text) });
  res.end(text);
}

function apiServer(): https.Server {
  const options: https.ServerOptions = { key: fs.readFileSync(keyFile), cert: fs.readFileSync(certFile) };
  if (clientCaFile) Object.assign(options, { ca: fs.readFileSync(clientCaFile), requestCert: true, rejectUnauthorized: false });
  const server = https.createServer(options, handler);
  server.on("connection", (s: net.Socket) => {
    apiSockets.add(s);
    s.on("close", () => apiSockets.delete(s));
    s.on("error", () => undefined);
  });
  server.on("tlsClientError", () => undefined);
  return server;
}

let api: https.Server | undefined;
function startApi(done: () => void): void {
  api = apiServer();
  api.listen(6443, done);
}
function stopApi(done: () => void): void {
  if (!api) return done();
  api.close(() => undefined);
  apiSockets.forEach((s) => s.destroy());
  api = undefined;
  done();
}

const talos = net.createServer((socket) => {
  socket.on("error", () => undefined);
  socket.write(`talos-api ${role}\n`);
  socket.setTimeout(30_000, () => socket.destroy());
});

let listening = 0;
const onListen = () => {
  if (++listening === 2) process.stdout.write("ready\n");
};
startApi(onListen);
talos.listen(50000, onListen);

const ack = (cmd: string) => () => process.stdout.write(`ok ${cmd}\n`);
readline.createInterface({ input: process.stdin }).on("line", (line) => {
  const cmd = line.trim();
  if (cmd === "api down") stopApi(ack(cmd));
  else if (cmd === "api up") {
    if (api) ack(cmd)();
    else startApi(ack(cmd));
  } else if (cmd === "notready" || cmd === "ready") {
    ready = cmd === "ready";
    ack(cmd)();
  }
});
process.stdin.on("close", () => process.exit(0));
setTimeout(() => process.exit(0), 6 * 3600_000).unref();
