import * as pulumi from "@pulumi/pulumi";

/** Resolves an Output in a test (mocks, not preview); rejects with the error an apply threw. */
export function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
  return (output as unknown as { promise(): Promise<T> }).promise();
}
