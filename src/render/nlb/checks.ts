/**
 * The field checks of the NLB plan: each checks one input value and throws an `InputError`
 * naming the field and the value. Pure: no Pulumi imports. `plan.ts` checks every value through
 * these functions and no other (the ones that only forward to src/core give the NLB one check
 * surface), each from one place and once per value; tests/nlbEndpoint.test.ts counts the calls.
 */
import * as ipaddr from "ipaddr.js";
import { checkBoolean, InputError } from "../../core/errors";
import { checkName, parseIp } from "../../core/net";
import { EC2_LIMITS, ELBV2_LIMITS, NlbIntRange, MAX_ENVIRONMENT_LENGTH, NLB_NAME_SUFFIXES } from "./limits";

/** An IP address family. */
export type NlbIpFamily = "ipv4" | "ipv6";

/** A parsed CIDR block. */
export interface NlbCidr {
  /** The network address with its prefix length, canonical (`10.0.0.0/16`, `2001:db8::/48`). */
  cidr: string;
  /** Address family. */
  family: NlbIpFamily;
  /** Prefix length in bits. */
  prefix: number;
}

/**
 * Parses a CIDR block (`10.0.0.0/16`): an IPv4 dotted quad or an IPv6 address, `/` and a prefix
 * length (at most 32 or 128).
 * @throws InputError naming `field` when malformed, or when host bits are set (AWS expects the
 *   network address).
 */
export function parseCidr(field: string, value: unknown): NlbCidr {
  const malformed = () =>
    new InputError(field, value, "is not a CIDR block (expected a network address with prefix length, e.g. 10.0.0.0/16)");
  if (typeof value !== "string") throw malformed();
  const parts = value.split("/");
  if (parts.length !== 2 || !/^\d{1,3}$/.test(parts[1])) throw malformed();
  const [ipText, prefixText] = parts;
  const prefix = Number(prefixText);
  let family: NlbIpFamily;
  if (ipaddr.IPv4.isValidFourPartDecimal(ipText) && prefix <= 32) family = "ipv4";
  else if (ipText.includes(":") && ipaddr.IPv6.isValid(ipText) && prefix <= 128) family = "ipv6";
  else throw malformed();
  const addr = ipaddr.parse(ipText);
  const network = (family === "ipv4" ? ipaddr.IPv4 : ipaddr.IPv6).networkAddressFromCIDR(`${ipText}/${prefix}`).toString();
  if (network !== addr.toString()) {
    throw new InputError(field, value, `has host bits set: the network address is ${network}/${prefix}; AWS expects the network address`);
  }
  return { cidr: `${network}/${prefix}`, family, prefix };
}

/**
 * Checks an optional integer against an inclusive range; `undefined` gives `fallback`.
 * @param unit Shown in the error (`seconds`, `checks`).
 * @param source The limit's source, shown in the error.
 * @throws InputError naming `field` when the value is not an integer within `limits`.
 */
export function checkIntInRange(
  field: string,
  value: unknown,
  fallback: number,
  limits: NlbIntRange,
  unit: string,
  source: string,
): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isInteger(value) || value < limits.min || value > limits.max) {
    throw new InputError(field, value, `must be an integer from ${limits.min} to ${limits.max} ${unit} (${source})`);
  }
  return value;
}

/**
 * Checks an AWS resource ID (`vpc-...`, `subnet-...`, `sg-...`, `i-...`): a non-empty string
 * without leading or trailing spaces. The prefix is not checked (IDs may come from other tools).
 * @throws InputError naming `field`.
 */
export function checkAwsId(field: string, value: unknown): string {
  if (typeof value !== "string" || value.trim() === "" || value.trim() !== value) {
    throw new InputError(field, value, "must be a non-empty AWS resource ID without spaces");
  }
  return value;
}

/**
 * Checks `environment` against the AWS naming rules of every name derived from it
 * ({@link NLB_NAME_SUFFIXES}): letters, digits and hyphens, no hyphen at either end, at most
 * {@link MAX_ENVIRONMENT_LENGTH} (15) characters, the load balancer name not beginning with
 * `internal-` and the security group name not with `sg-` (sources in limits.ts).
 * @throws InputError naming `environment`.
 */
export function checkEnvironment(value: unknown): string {
  const field = "environment";
  if (typeof value !== "string" || !/^[A-Za-z0-9-]+$/.test(value)) {
    throw new InputError(
      field,
      value,
      "must be letters, digits and hyphens only (AWS load balancer and target group names allow nothing else)",
    );
  }
  if (value.startsWith("-") || value.endsWith("-")) {
    throw new InputError(field, value, "must not start or end with a hyphen");
  }
  if (value.length > MAX_ENVIRONMENT_LENGTH) {
    const longest = `${value}${NLB_NAME_SUFFIXES.workerTalosApiTargetGroup}`;
    throw new InputError(
      field,
      value,
      `is ${value.length} characters: the target group name ${longest} would be ${longest.length}, and AWS allows at most ` +
        `${ELBV2_LIMITS.nameMaxLength}; use at most ${MAX_ENVIRONMENT_LENGTH} characters`,
    );
  }
  const lbName = `${value}${NLB_NAME_SUFFIXES.loadBalancer}`;
  const lbReserved = ELBV2_LIMITS.reservedLoadBalancerNamePrefix;
  if (lbName.toLowerCase().startsWith(lbReserved)) {
    throw new InputError(field, value, `makes the load balancer name ${lbName}, and AWS rejects names beginning with "${lbReserved}"`);
  }
  const sgReserved = EC2_LIMITS.reservedSecurityGroupNamePrefix;
  if (value.toLowerCase().startsWith(sgReserved)) {
    throw new InputError(
      field,
      value,
      `makes the security group name ${value}${NLB_NAME_SUFFIXES.securityGroup}, and EC2 rejects names beginning with "${sgReserved}"`,
    );
  }
  return value;
}

/**
 * Checks an instance name: a DNS label (lower-case letters, digits and `-`, 1-63 characters),
 * since child resource names are built from it (src/core `checkName`).
 * @throws InputError naming `field`.
 */
export function checkInstanceName(field: string, value: unknown): string {
  return checkName(field, value);
}

/**
 * Checks a control plane's private address: an IPv4 dotted quad without prefix.
 * @returns the address in canonical form.
 * @throws InputError naming `field` for anything else (IPv6 included: the NLB is IPv4-only).
 */
export function checkPrivateIpv4(field: string, value: unknown): string {
  const ip = parseIp(field, value);
  if (ip.family !== "ipv4") throw new InputError(field, value, "must be the instance's private IPv4 address");
  return ip.ip;
}

/**
 * Checks an optional boolean; `undefined` gives `fallback` (src/core `checkBoolean`).
 * @throws InputError naming `field` when the value is not `true` or `false`.
 */
export function checkFlag(field: string, value: unknown, fallback: boolean): boolean {
  return checkBoolean(field, value, fallback);
}
