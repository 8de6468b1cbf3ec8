/**
 * The error a call throws, for tests that look at an InputError's fields, not only its message.
 */
import { InputError } from "../../src/core/errors";

/** Runs `fn` and returns what it threw; fails the test when it threw nothing or not an InputError. */
export function inputErrorOf(fn: () => unknown): InputError {
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(InputError);
  return error as InputError;
}
