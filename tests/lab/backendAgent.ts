/**
 * A fake Talos control-plane node, run inside a node's namespace by the lab:
 * `node --import tsx tests/lab/backendAgent.ts <key.pem> <cert.pem> <status>`.
 * - 6443: HTTPS; every request (HAProxy's `GET /readyz` check, the prober's `GET /readyz`) gets
 *   `<status>` (401 like kube-apiserver with anonymous-auth=false on Talos ≤ 1.13, 200 for ≥ 1.14).
 * - 50000: plain TCP accept (HAProxy's layer-4 check of the Talos API); connections are closed
 *   after 30 s idle.
 * Prints `ready` once both listen. Exits when stdin closes (the lab process is gone) or after 6 h.
 */
import * as fs from "fs";
import * as https from "https";
import * as net from "net";

const [keyFile, certFile, statusText] = process.argv.slice(2);
const status = Number(statusText);
const body = JSON.stringify({ kind: "Status", apiVersion: "v1", status: status === 200 ? "Success" : "Failure", code: status }) + "\n";

const api = https.createServer({ key: fs.readFileSync(keyFile), cert: fs.readFileSync(certFile) }, (_req, res) => {
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
  res.end(body);
});
const talos = net.createServer((socket) => {
  socket.on("error", () => undefined);
  socket.setTimeout(30_000, () => socket.destroy());
});
let listening = 0;
const ready = () => {
  if (++listening === 2) process.stdout.write("ready\n");
};
api.listen(6443, ready);
talos.listen(50000, ready);
process.stdin.on("close", () => process.exit(0));
process.stdin.resume();
setTimeout(() => process.exit(0), 6 * 3600_000).unref();
