import * as pulumi from "@pulumi/pulumi";
import { installMocks, MockRecorder } from "../../examples/stack/mockRuntime";

/**
 * Installs Pulumi's mocks (project `talos-endpoints`, stack `test`) and also records the provider
 * reference of each registration by resource name, which the recorder does not keep.
 */
export async function installMocksRecordingProviders(): Promise<{ rec: MockRecorder; providers: Record<string, string> }> {
  const rec = await installMocks("talos-endpoints", "test");
  const providers: Record<string, string> = {};
  const monitor = pulumi.runtime.getMonitor() as unknown as {
    registerResource: (req: { getName(): string; getProvider(): string }, cb: unknown) => unknown;
  };
  const inner = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, cb) => {
    providers[req.getName()] = req.getProvider();
    return inner(req, cb);
  };
  return { rec, providers };
}

/** Whether an Output is marked secret. */
export const isSecret = (o: pulumi.Output<unknown>): Promise<boolean> => (o as unknown as { isSecret: Promise<boolean> }).isSecret;
