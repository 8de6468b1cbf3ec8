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
 * Checks a boolean field; `undefined` gives `fallback` when one is passed.
 * @throws InputError naming `field` when the value is not true or false.
 */
export function checkBoolean(field: string, value: unknown, fallback?: boolean): boolean {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== "boolean") throw new InputError(field, value, "must be true or false");
  return value;
}
