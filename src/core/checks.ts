/**
 * The input-check kit shared by every renderer. Pure: no Pulumi imports.
 *
 * Every check takes the input field's name (a path such as `bgpPeers[0].peerPort`) and the raw
 * value, returns the value typed when it is acceptable, and otherwise throws an
 * {@link InputError} whose message is `<field>: <value as JSON> <reason>`, e.g.
 * `kubePrismPort: 70000 must be a TCP port, an integer from 1 to 65535`. A default is applied
 * by the caller (`checkInt(field, value ?? 7445, …)`), so the error still names the given value.
 *
 * Address checks (IPs, CIDRs, ranges) are in `./net`.
 */
import { InputError } from "./errors";

/** Bounds and wording of {@link checkInt}. */
export interface IntRange {
  /** Smallest accepted value (inclusive). */
  min: number;
  /** Largest accepted value (inclusive). */
  max: number;
  /** What the value is, before `from <min> to <max>`; default `an integer` (e.g. `an AS number, an integer`, `whole seconds`). */
  what?: string;
  /** Appended after the range: a unit (`ms`, `s`) or a short note. */
  unit?: string;
}

/**
 * Checks an integer in `[min, max]`.
 * @returns the value.
 * @throws InputError `must be <what> from <min> to <max>[ <unit>]` when the value is not a
 *   number, not an integer (`1.5`, `NaN`, `Infinity`) or outside the bounds.
 */
export function checkInt(field: string, value: unknown, range: IntRange): number {
  const { min, max, what = "an integer", unit } = range;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw new InputError(field, value, `must be ${what} from ${min} to ${max}${unit ? ` ${unit}` : ""}`);
  }
  return value;
}

/**
 * Checks a TCP/UDP port, 1–65535.
 * @throws InputError `must be a TCP port, an integer from 1 to 65535`.
 */
export function checkPort(field: string, value: unknown): number {
  return checkInt(field, value, { min: 1, max: 65535, what: "a TCP port, an integer" });
}

/**
 * Checks that `value` is one of `allowed` (compared with `===`).
 * @param options.quote list the allowed values as JSON (`"l2", "bgp"`, the default) or bare
 *   (`auto, no-reboot`).
 * @returns the value, typed as the member.
 * @throws InputError `must be one of <allowed>`.
 */
export function checkOneOf<T extends string | number>(
  field: string,
  value: unknown,
  allowed: readonly T[],
  options: { quote?: boolean } = {},
): T {
  if (!(allowed as readonly unknown[]).includes(value)) {
    const list = allowed.map((a) => (options.quote === false ? String(a) : JSON.stringify(a)));
    throw new InputError(field, value, `must be one of ${list.join(", ")}`);
  }
  return value as T;
}

/**
 * Checks a boolean field; `undefined` gives `fallback` when one is passed.
 * @throws InputError `must be true or false` for anything else (including the strings
 *   `"true"` / `"false"`).
 */
export function checkBoolean(field: string, value: unknown, fallback?: boolean): boolean {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== "boolean") throw new InputError(field, value, "must be true or false");
  return value;
}

/**
 * Checks a string of at least one character.
 * @throws InputError `must be a non-empty string`.
 */
export function checkNonEmptyString(field: string, value: unknown): string {
  if (typeof value !== "string" || value === "") throw new InputError(field, value, "must be a non-empty string");
  return value;
}

/**
 * Checks a list of non-empty strings.
 * @throws InputError naming `field` (`must be a list of strings`) when the value is not an
 *   array, or naming `field[i]` (`must be a non-empty string`) for a bad item.
 */
export function checkStringList(field: string, value: unknown): string[] {
  if (!Array.isArray(value)) throw new InputError(field, value, "must be a list of strings");
  value.forEach((v, i) => checkNonEmptyString(`${field}[${i}]`, v));
  return value as string[];
}

/**
 * Checks a string against a regular expression (anchor it: `^…$`).
 * @param reason the message after the value, e.g. `must be a systemd service unit name such as haproxy.service`.
 * @throws InputError `<reason>` when the value is not a string or does not match.
 */
export function checkPattern(field: string, value: unknown, pattern: RegExp, reason: string): string {
  if (typeof value !== "string" || !pattern.test(value)) throw new InputError(field, value, reason);
  return value;
}

/** RFC 1123 label, lower case: what Kubernetes object names, file names and Talos link aliases accept. */
const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * Checks a DNS label: 1–63 lower-case letters, digits and `-`, starting and ending with a
 * letter or digit (`cp-01`). Usable in resource names, file names and Talos link aliases.
 * @throws InputError `must be a DNS label: lower-case letters, digits and '-', 1-63 characters`.
 */
export function checkDnsLabel(field: string, value: unknown): string {
  return checkPattern(field, value, DNS_LABEL, "must be a DNS label: lower-case letters, digits and '-', 1-63 characters");
}

/**
 * Checks a Go duration (`time.ParseDuration` syntax without sign) greater than zero: one or more
 * `<number><unit>` with unit `ns`, `us`, `µs`, `ms`, `s`, `m` or `h`, e.g. `90s`, `2m`, `1m30s`, `1.5h`.
 * @throws InputError `must be a positive Go duration such as 90s, 2m or 1m30s` (also for `0s`).
 */
export function checkGoDuration(field: string, value: unknown): string {
  if (typeof value !== "string" || !/^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/.test(value) || !/[1-9]/.test(value)) {
    throw new InputError(field, value, "must be a positive Go duration such as 90s, 2m or 1m30s");
  }
  return value;
}

/**
 * A list of named items (pools, peers, …) whose names decide child resource names: a list, each
 * `name` a DNS label, no name twice.
 * @param what what the items are, for the error (`pools`).
 * @returns the names in order.
 * @throws InputError naming `field`, or `field[i].name` and the name.
 */
export function checkNamedList(field: string, value: unknown, what: string): string[] {
  if (!Array.isArray(value)) throw new InputError(field, value, `must be a list of ${what}`);
  const seen = new Map<string, number>();
  return value.map((item, i) => {
    const name = checkDnsLabel(`${field}[${i}].name`, (item as { name?: unknown } | undefined)?.name);
    if (seen.has(name)) throw new InputError(`${field}[${i}].name`, name, `is also the name of ${field}[${seen.get(name)}]`);
    seen.set(name, i);
    return name;
  });
}
