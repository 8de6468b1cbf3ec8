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

/** What errors show instead of a value that did not parse as a certificate (it could be a private key given in the wrong field). */
const NOT_SHOWN = "(not shown)";

function certificate(field: string, value: unknown): crypto.X509Certificate {
  if (typeof value !== "string" || !value.includes("-----BEGIN CERTIFICATE-----"))
    throw new InputError(field, NOT_SHOWN, "must be a PEM certificate (-----BEGIN CERTIFICATE-----)");
  try {
    return new crypto.X509Certificate(value);
  } catch (err) {
    throw new InputError(field, NOT_SHOWN, `is not a readable certificate (${(err as Error).message})`);
  }
}

/** OIDs of the extended key usages that allow TLS client authentication (RFC 5280 §4.2.1.12). */
const CLIENT_AUTH_OIDS = ["1.3.6.1.5.5.7.3.2", "2.5.29.37.0"];
/** Days of validity left below which the plan warns. */
export const EXPIRY_WARNING_DAYS = 30;

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
  // Node 20: `keyUsage` lists the extended key usages; absent extension = any usage (RFC 5280)
  const eku = client.keyUsage as string[] | undefined;
  if (eku !== undefined && !eku.some((oid) => CLIENT_AUTH_OIDS.includes(oid)))
    throw new InputError(
      `${field}.clientCertificate`,
      client.subject,
      "has no clientAuth extended key usage (1.3.6.1.5.5.7.3.2): kube-apiserver would answer 401 and HAProxy would mark every node DOWN",
    );
  return { caCertificate: v.caCertificate as string, clientCertificate: v.clientCertificate as string };
}

/**
 * Warnings about the check's client certificate: it expires within {@link EXPIRY_WARNING_DAYS}
 * days (once it has expired kube-apiserver answers 401, HAProxy expects 200, and every node is
 * marked DOWN although the API servers are healthy: renew it, and the cluster CA with it, before).
 */
export function kubernetesApiCheckWarnings(certs: KubernetesApiCheckCertificates, now = Date.now()): string[] {
  const client = new crypto.X509Certificate(certs.clientCertificate);
  const days = (Date.parse(client.validTo) - now) / 86_400_000;
  return days < EXPIRY_WARNING_DAYS
    ? [
        `kubernetesApiCheck.clientCertificate expires ${client.validTo} (in ${Math.max(0, Math.floor(days))} days): once it has, ` +
          "kube-apiserver answers HAProxy's check with 401 and every Kubernetes API node is marked DOWN. Renew it and push again before then.",
      ]
    : [];
}

/** When the check's client certificate expires (ISO 8601). */
export function kubernetesApiCheckExpiry(certs: KubernetesApiCheckCertificates): string {
  return new Date(Date.parse(new crypto.X509Certificate(certs.clientCertificate).validTo)).toISOString();
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
