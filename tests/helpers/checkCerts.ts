/**
 * A Kubernetes-like CA and a client certificate signed by it, made with `openssl` (Node's crypto
 * can make keys but not X.509 certificates), for HAProxy's authenticated Kubernetes API check in
 * the tests and the lab. Optionally also a server certificate for the fake kube-apiservers.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

/** PEM texts and the files they were written to. */
export interface CheckCerts {
  caCert: string;
  caKey: string;
  clientCert: string;
  clientKey: string;
  /** Server certificate for `serverSans` (IP SANs), signed by the CA; empty when none asked. */
  serverCert: string;
  serverKey: string;
  files: { caCert: string; caKey: string; clientCert: string; clientKey: string; serverCert: string; serverKey: string };
}

function openssl(args: string[]): void {
  const r = spawnSync("openssl", args, { encoding: "utf8" });
  if (r.status !== 0)
    throw new Error(`openssl ${args.join(" ")} failed (${r.error?.message ?? r.stderr}); install it with: apt-get install -y openssl`);
}

/**
 * Writes a CA (`CN=kubernetes`, as Talos names its Kubernetes CA), a client certificate
 * (`CN=talos-endpoints-haproxy-check`) and, when `serverSans` is non-empty, a server certificate,
 * all ECDSA P-256 and valid 2 days, into `dir`.
 */
export function makeCheckCerts(dir: string, serverSans: readonly string[] = []): CheckCerts {
  const f = (name: string) => path.join(dir, name);
  const files = {
    caCert: f("ca.crt"),
    caKey: f("ca.key"),
    clientCert: f("client.crt"),
    clientKey: f("client.key"),
    serverCert: f("server.crt"),
    serverKey: f("server.key"),
  };
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  openssl(["req", "-x509", ...ec, "-days", "2", "-subj", "/CN=kubernetes", "-keyout", files.caKey, "-out", files.caCert]);
  const sign = (name: string, subject: string, ext: string) => {
    const csr = f(`${name}.csr`);
    const extFile = f(`${name}.ext`);
    fs.writeFileSync(extFile, ext);
    openssl(["req", ...ec, "-subj", subject, "-keyout", f(`${name}.key`), "-out", csr]);
    openssl([
      "x509",
      "-req",
      "-in",
      csr,
      "-CA",
      files.caCert,
      "-CAkey",
      files.caKey,
      "-CAcreateserial",
      "-days",
      "2",
      "-extfile",
      extFile,
      "-out",
      f(`${name}.crt`),
    ]);
  };
  sign("client", "/CN=talos-endpoints-haproxy-check", "extendedKeyUsage=clientAuth\n");
  if (serverSans.length)
    sign("server", "/CN=kube-apiserver", `extendedKeyUsage=serverAuth\nsubjectAltName=${serverSans.map((s) => `IP:${s}`).join(",")}\n`);
  const read = (file: string) => (fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "");
  return {
    caCert: read(files.caCert),
    caKey: read(files.caKey),
    clientCert: read(files.clientCert),
    clientKey: read(files.clientKey),
    serverCert: read(files.serverCert),
    serverKey: read(files.serverKey),
    files,
  };
}
