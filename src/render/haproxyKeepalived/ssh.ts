/**
 * Checks of the SSH connection the push of a `HaproxyKeepalivedEndpoint` uses for one
 * load-balancer host (`loadBalancers[i].ssh`). Pure: no Pulumi imports. The component runs them
 * before registering anything when the values are plain, and on the resolved values otherwise.
 */
import { checkPattern, checkPort } from "../../core/checks";
import { InputError } from "../../core/errors";
import { isIpLike, tryParseIp } from "../../core/net";

/** An SSH connection as the checks see it: resolved, every field as given (any type). */
export interface SshConnectionSpec {
  /** Host name or IP; unset means the host's own address. */
  host?: unknown;
  /** TCP port; unset means 22. */
  port?: unknown;
  /** Login user; unset means `root`. */
  user?: unknown;
  /** The private key text (a secret: never shown in an error). */
  privateKey?: unknown;
  /** The host's public key line; unset means the host key is not checked. */
  hostKey?: unknown;
}

/** A DNS host name: labels of letters, digits, `-` and `_` (not at a label's ends), at most 253 characters, optional trailing dot. */
const HOST_NAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9])?)*\.?$/;

/**
 * A Unix login name: letters, digits, `_`, `.`, `@` and `-`, not starting with `-` or `.`, at most
 * 64 characters, optionally ending with `$` (useradd(8) accepts this set; `@` for directory users
 * such as `ops@example.org`).
 */
const USER_NAME = /^[A-Za-z0-9_@][A-Za-z0-9_.@-]{0,63}\$?$/;

/**
 * Checks the host to connect to: an IP address or a host name, without scheme, user, port,
 * prefix or spaces.
 * @throws InputError naming `field`: `must be a host name or IP address …` with the reason.
 */
export function checkSshHost(field: string, value: unknown): string {
  if (typeof value !== "string" || value === "") {
    throw new InputError(field, value, "must be a host name or IP address to connect to (a non-empty string)");
  }
  if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(value)) {
    throw new InputError(field, value, "must be a host name or IP address without a scheme: drop the `ssh://` part (the port is ssh.port)");
  }
  if (/\s/.test(value)) throw new InputError(field, value, "must be a host name or IP address without spaces");
  if (tryParseIp(value)) return value;
  if (isIpLike(value) || /^[\d.]+$/.test(value)) {
    throw new InputError(field, value, "is not a valid IP address (expected e.g. 192.168.30.21, no prefix)");
  }
  if (!HOST_NAME.test(value)) {
    throw new InputError(
      field,
      value,
      "must be a host name (letters, digits, '-', '_' and '.') or an IP address, without user, port or prefix (those are ssh.user and ssh.port)",
    );
  }
  return value;
}

/**
 * Checks the SSH login user.
 * @throws InputError naming `field`: `must be a Unix user name …`.
 */
/**
 * An SSH host key as pulumi-command 1.2.1 takes it (`connection.hostKey`, parsed with
 * golang.org/x/crypto/ssh `ParseAuthorizedKey`, then enforced with `FixedHostKey`): one line
 * `<key type> <base64 key> [comment]`, e.g. the output of `ssh-keyscan -t ed25519 <host>` without
 * the host name.
 * @throws InputError naming `field` and the value.
 */
export function checkSshHostKey(field: string, value: unknown): string {
  return checkPattern(
    field,
    value,
    /^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)|sk-ssh-ed25519@openssh\.com|sk-ecdsa-sha2-nistp256@openssh\.com) [A-Za-z0-9+/]+={0,3}( [^\n]*)?$/,
    "must be one public key line `<type> <base64> [comment]` (e.g. `ssh-keyscan -t ed25519 <host>` without the host name)",
  );
}

export function checkSshUser(field: string, value: unknown): string {
  if (typeof value !== "string" || !USER_NAME.test(value)) {
    throw new InputError(
      field,
      value,
      "must be a Unix user name: letters, digits, _ . @ - (not first: - or .), at most 64 characters, no spaces",
    );
  }
  return value;
}

/**
 * Checks that the private key is set. Its value is never shown: a wrong type is reported as
 * `"(secret)"`.
 * @throws InputError naming `field`: `must be set` when missing or empty, `must be the private key text` when not a string.
 */
export function checkSshPrivateKey(field: string, value: unknown): string {
  if (value === undefined || value === null || value === "") {
    throw new InputError(field, undefined, "must be set: the configuration is pushed over SSH");
  }
  if (typeof value !== "string") throw new InputError(field, "(secret)", "must be the private key text (PEM or OpenSSH), a string");
  return value;
}

/**
 * Checks where to connect (`field` is the connection's path, e.g. `loadBalancers[1].ssh`): `host`,
 * `port` and `user` where set. Fields for which `known` returns false (values still to arrive,
 * such as Outputs) are skipped; call again once they resolved.
 * @throws InputError naming `<field>.host`, `.port` or `.user` and the value: see
 *   {@link checkSshHost}, `checkPort` (an integer 1–65535), {@link checkSshUser}.
 */
export function checkSshEndpoint(
  field: string,
  ssh: Omit<SshConnectionSpec, "privateKey">,
  known: (value: unknown) => boolean = () => true,
): void {
  if (ssh.host !== undefined && known(ssh.host)) checkSshHost(`${field}.host`, ssh.host);
  if (ssh.port !== undefined && known(ssh.port)) checkPort(`${field}.port`, ssh.port);
  if (ssh.user !== undefined && known(ssh.user)) checkSshUser(`${field}.user`, ssh.user);
  if (ssh.hostKey !== undefined && known(ssh.hostKey)) checkSshHostKey(`${field}.hostKey`, ssh.hostKey);
}

/**
 * Checks one SSH connection: {@link checkSshEndpoint} and the private key, which is required
 * ({@link checkSshPrivateKey}; skipped while `known` returns false for it).
 * @throws InputError naming `<field>.host`, `.port`, `.user` or `.privateKey` and the value (never
 *   the key's); `<field>.privateKey` when the connection itself is missing.
 */
export function checkSshConnection(
  field: string,
  ssh: SshConnectionSpec | undefined | null,
  known: (value: unknown) => boolean = () => true,
): void {
  if (ssh === undefined || ssh === null) {
    throw new InputError(`${field}.privateKey`, undefined, "must be set: the configuration is pushed over SSH");
  }
  if (typeof ssh !== "object") throw new InputError(field, ssh, "must be an object with host, port, user and privateKey");
  checkSshEndpoint(field, ssh, known);
  if (known(ssh.privateKey)) checkSshPrivateKey(`${field}.privateKey`, ssh.privateKey);
}
