/**
 * The error every validation in this package raises. Pure: no Pulumi imports.
 */

/**
 * Bad input to a component or renderer. The message always names the field and the offending
 * value, e.g. `vip: "10.0.0.5" is outside the control-plane subnet 192.168.30.0/24`.
 */
export class InputError extends Error {
  /** The input field, as a path such as `controlPlanes[1].address`. */
  readonly field: string;
  /** The rejected value. */
  readonly value: unknown;

  constructor(field: string, value: unknown, problem: string) {
    super(`${field}: ${formatValue(value)} ${problem}`);
    this.name = "InputError";
    this.field = field;
    this.value = value;
  }
}

function formatValue(value: unknown): string {
  if (value === undefined) return "(not set)";
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

/**
 * `checkBoolean` moved to the input-check kit (`./checks`) with the other checks; re-exported here
 * for the modules that import it from this file. (The cycle is harmless: neither module uses the
 * other while loading.)
 */
export { checkBoolean } from "./checks";
