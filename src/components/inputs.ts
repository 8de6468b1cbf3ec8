/**
 * Helpers for validating `pulumi.Input` values before any resource is registered.
 */
import * as pulumi from "@pulumi/pulumi";
import { InputError } from "../core/errors";

/**
 * True when `value` holds no Output or Promise anywhere inside it, i.e. it can be validated
 * synchronously in a constructor, before `super()` registers anything.
 */
export function isPlain(value: unknown): boolean {
  if (pulumi.Output.isInstance(value) || value instanceof Promise) return false;
  if (Array.isArray(value)) return value.every(isPlain);
  if (value !== null && typeof value === "object") return Object.values(value).every(isPlain);
  return true;
}

/**
 * Runs `validate` on `args` now when every value in it is plain (so a bad value throws before any
 * resource is registered), and always again on the resolved values inside the returned Output (so
 * values that arrive as Outputs are checked before anything consumes them).
 */
export function validated<T, R>(args: T, validate: (resolved: pulumi.Unwrap<T>) => R): pulumi.Output<R> {
  if (isPlain(args)) validate(args as pulumi.Unwrap<T>);
  return pulumi.output(args).apply((resolved) => validate(resolved as pulumi.Unwrap<T>));
}

/**
 * A password as a Pulumi secret, checked when it resolves: a non-empty string.
 * @throws InputError naming `field` (the value shown as `[secret]`).
 */
export function nonEmptyPassword(field: string, password: pulumi.Input<string>): pulumi.Output<string> {
  return pulumi.secret(password).apply((v) => {
    if (typeof v !== "string" || v === "") throw new InputError(field, "[secret]", "must be a non-empty string");
    return v;
  });
}
