/**
 * The fake control-plane nodes' TLS certificate: self-signed ECDSA P-256, made with `openssl` at
 * lab start (Node's crypto can make keys but not X.509 certificates). HAProxy checks with
 * `verify none` and the prober does not verify either, as with a real cluster CA the load
 * balancer does not have.
 */
import * as path from "path";
import { run } from "./proc";

/** Paths of the generated key and certificate. */
export interface LabCert {
  keyFile: string;
  certFile: string;
}

/**
 * Writes `key.pem` and `cert.pem` into `dir` (valid 2 days, SAN = the VIP and node addresses).
 * @throws Error naming the install command when openssl is missing.
 */
export async function makeLabCert(dir: string, sans: readonly string[]): Promise<LabCert> {
  const keyFile = path.join(dir, "key.pem");
  const certFile = path.join(dir, "cert.pem");
  const args = ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2"];
  args.push("-subj", "/CN=talos-endpoints-lab", "-addext", `subjectAltName=${sans.map((s) => `IP:${s}`).join(",")}`);
  args.push("-keyout", keyFile, "-out", certFile);
  try {
    await run("openssl", args);
  } catch (err) {
    throw new Error(`openssl failed (${(err as Error).message}); install it with: apt-get install -y openssl`);
  }
  return { keyFile, certFile };
}
