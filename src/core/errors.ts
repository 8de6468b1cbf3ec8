/**
 * The error every validation in this package raises. Pure: no Pulumi imports.
 */

/**
 * Bad input to a component or renderer. The message always names the field and the offending
 * value, e.g. `vip: "10.0.0.5" is outside the control-plane subnet 192.168.30.0/24`.
 *
 * It is also a Pulumi input-property error and a Pulumi run error by the test the Pulumi SDK itself
 * uses (`pulumi.InputPropertyError.isInstance`, `pulumi.RunError.isInstance`: marker properties,
 * so that several copies of the SDK in one process agree), without importing the SDK here:
 * - a component constructed from another language (Python, Go, C#, YAML) reports it through the
 *   provider as an invalid property, with `propertyPath` (the field) and `reason`;
 * - in a TypeScript program the Node.js runtime prints its message alone, without the stack
 *   trace and "Unhandled exception" it prints for other errors.
 */
export class InputError extends Error {
  /** The input field, as a path such as `controlPlanes[1].address`. */
  readonly field: string;
  /** The rejected value. */
  readonly value: unknown;
  /** Pulumi's name for `field` (`InputPropertyError.propertyPath`). */
  readonly propertyPath: string;
  /** Why the value is refused: the message without the field (`InputPropertyError.reason`). */
  readonly reason: string;
  /** Why the value is refused, without the field and the value. */
  readonly problem: string;
  /** Marks this as a `pulumi.InputPropertyError` (the SDK's `isInstance` test). */
  readonly __pulumiInputPropertyError = true;
  /** Marks this as a `pulumi.RunError`: the runtime reports the message without a stack trace. */
  readonly __pulumiRunError = true;

  constructor(field: string, value: unknown, problem: string) {
    super(`${field}: ${formatValue(value)} ${problem}`);
    this.name = "InputError";
    this.field = field;
    this.value = value;
    this.propertyPath = field;
    this.reason = `${formatValue(value)} ${problem}`;
    this.problem = problem;
  }

  /**
   * The same error for another field name: a layer that calls a renderer with its own inputs
   * reports the renderer's errors under the names its users gave (e.g. `hosts[1]` →
   * `loadBalancers[1]`).
   */
  renamed(field: string): InputError {
    return new InputError(field, this.value, this.problem);
  }
}

/**
 * Runs `fn`, reporting any InputError under the caller's field names: `rename` maps a field path
 * of the callee to the caller's (return it unchanged when it is already right).
 */
export function withFieldNames<T>(rename: (field: string) => string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof InputError) {
      const field = rename(err.field);
      if (field !== err.field) throw err.renamed(field);
    }
    throw err;
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
