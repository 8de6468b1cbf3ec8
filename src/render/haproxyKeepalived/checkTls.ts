/**
 * The certificates of HAProxy's authenticated Kubernetes API check. Pure: no Pulumi imports.
 * Parsing and signature checks use Node's `crypto.X509Certificate` and `crypto.createPrivateKey`
 * (OpenSSL), not hand-written PEM handling.
 */
import * as crypto from "crypto";
import { InputError } from "../../core/errors";
import { DEFAULT_HAPROXY_CONFIG_PATH, HAPROXY_FILE_PREFIX, HaproxyFile } from "./pushScript";
import { KubernetesApiCheckTls } from "./haproxyConfig";

/** The public half of the check's credentials (the key is a secret and travels apart). */
export interface KubernetesApiCheckCertificates {
  /** The cluster's Kubernetes CA certificate, PEM. */
  caCertificate: string;
  /** The client certificate HAProxy presents, PEM, signed by `caCertificate`. */
  clientCertificate: string;
}

function certificate(field: string, value: unknown): crypto.X509Certificate {
  if (typeof value !== "string" || !value.includes("-----BEGIN CERTIFICATE-----"))
    throw new InputError(field, value, "must be a PEM certificate (-----BEGIN CERTIFICATE-----)");
  try {
    return new crypto.X509Certificate(value);
  } catch (err) {
    throw new InputError(field, value, `is not a readable certificate (${(err as Error).message})`);
  }
}

/**
 * Checks the CA and client certificates: both parse, the CA is a CA certificate, the client
 * certificate is signed by it and currently valid.
 * @throws InputError naming `<field>.caCertificate` or `<field>.clientCertificate`.
 */
export function checkKubernetesApiCheckCertificates(field: string, value: unknown): KubernetesApiCheckCertificates {
  const v = value as Partial<KubernetesApiCheckCertificates> | undefined;
  if (v === null || typeof v !== "object") throw new InputError(field, value, "must be an object with caCertificate and clientCertificate");
  const ca = certificate(`${field}.caCertificate`, v.caCertificate);
  if (!ca.ca) throw new InputError(`${field}.caCertificate`, ca.subject, "is not a CA certificate (basicConstraints CA:FALSE)");
  const client = certificate(`${field}.clientCertificate`, v.clientCertificate);
  if (!client.verify(ca.publicKey))
    throw new InputError(`${field}.clientCertificate`, client.subject, `is not signed by ${field}.caCertificate (${ca.subject})`);
  const now = Date.now();
  if (Date.parse(client.validTo) < now || Date.parse(client.validFrom) > now)
    throw new InputError(`${field}.clientCertificate`, client.subject, `is not valid now (valid ${client.validFrom} to ${client.validTo})`);
  return { caCertificate: v.caCertificate as string, clientCertificate: v.clientCertificate as string };
}

/**
 * Checks the client key: a PEM private key that belongs to `clientCertificate`.
 * @throws InputError naming `<field>` without showing the key.
 */
export function checkKubernetesApiCheckKey(field: string, key: unknown, clientCertificate: string): string {
  let parsed: crypto.KeyObject;
  try {
    if (typeof key !== "string") throw new Error("not a string");
    parsed = crypto.createPrivateKey(key);
  } catch {
    throw new InputError(field, "(secret)", "must be the client certificate's private key in PEM");
  }
  if (!new crypto.X509Certificate(clientCertificate).checkPrivateKey(parsed))
    throw new InputError(field, "(secret)", "does not belong to clientCertificate");
  return key as string;
}

/** What the push installs for the check, and where haproxy.cfg finds it. */
export interface KubernetesApiCheckFiles {
  tls: KubernetesApiCheckTls;
  /** Renders the files with the real key (only inside a secret) or a mask. */
  files(clientKey: string): HaproxyFile[];
}

/**
 * The check's files: the CA (`talos-endpoints-kubernetes-ca-<hash>.pem`, 0644, root) and the
 * client certificate with its key (`talos-endpoints-kubernetes-client-<hash>.pem`, 0600, owned by
 * haproxy), beside haproxy.cfg. The hash (12 hex digits of SHA-256) covers the public
 * certificates only, so the file names say nothing about the key.
 */
export function kubernetesApiCheckFiles(
  certs: KubernetesApiCheckCertificates,
  haproxyConfigPath = DEFAULT_HAPROXY_CONFIG_PATH,
): KubernetesApiCheckFiles {
  const dir = haproxyConfigPath.slice(0, haproxyConfigPath.lastIndexOf("/"));
  const hash = (text: string) => crypto.createHash("sha256").update(text).digest("hex").slice(0, 12);
  const pem = (text: string) => (text.endsWith("\n") ? text : `${text}\n`);
  const caFile = `${dir}/${HAPROXY_FILE_PREFIX}kubernetes-ca-${hash(certs.caCertificate)}.pem`;
  const certFile = `${dir}/${HAPROXY_FILE_PREFIX}kubernetes-client-${hash(certs.caCertificate + certs.clientCertificate)}.pem`;
  return {
    tls: { caFile, certFile },
    files: (clientKey) => [
      { path: caFile, mode: "0644", owner: "root", content: pem(certs.caCertificate) },
      { path: certFile, mode: "0600", owner: "haproxy", content: pem(certs.clientCertificate) + pem(clientKey) },
    ],
  };
}
