import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { parse, stringify } from "yaml";
import { PROJECT, readStackConfig, StackConfig } from "../../examples/stack/config";
import { loadStackConfig, synth, SynthResult } from "../../examples/stack/synth";
import type { NlbEndpointSpec } from "../../src/render/nlb";

const made: string[] = [];

/** The example project (where Pulumi.yaml and the example stack files are). */
export const PROJECT_DIR = path.resolve(__dirname, "..", "..", "examples");

/**
 * Copies an example stack file into a fresh directory, with `changes` applied to its config
 * (keys without namespace are `talos-endpoints:` keys; `undefined` removes a key).
 * @returns the directory; {@link removeVariants} removes it.
 */
export function stackVariant(stack: string, changes: Record<string, unknown> = {}): string {
  const doc = parse(fs.readFileSync(path.join(PROJECT_DIR, `Pulumi.${stack}.yaml`), "utf8"));
  for (const [key, value] of Object.entries(changes)) {
    const full = key.includes(":") ? key : `talos-endpoints:${key}`;
    if (value === undefined) delete doc.config[full];
    else doc.config[full] = value;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `stack-${stack}-`));
  made.push(dir);
  fs.copyFileSync(path.join(PROJECT_DIR, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
  fs.writeFileSync(path.join(dir, `Pulumi.${stack}.yaml`), stringify(doc));
  return dir;
}

/** Removes every directory made by {@link stackVariant} / {@link synthVariant}; call from `afterAll`. */
export function removeVariants(): void {
  for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

/**
 * Synthesizes a variant of an example stack (see {@link stackVariant}) into its own directory.
 * @returns the synth result plus every line synth logged.
 */
export async function synthVariant(stack: string, changes: Record<string, unknown> = {}): Promise<SynthResult & { log: string[] }> {
  const dir = stackVariant(stack, changes);
  const log: string[] = [];
  return { ...(await synth({ stack, projectDir: dir, log: (m) => log.push(m) })), log };
}

/**
 * Reads a variant of an example stack (see {@link stackVariant}) with `readStackConfig` alone, no
 * program: the config as synth sets it (placeholders for secrets encrypted in the file and for
 * the platform's required secrets), minus the secret keys in `unsetSecrets` (e.g. `proxmoxApiToken`).
 * @returns the stack config.
 * @throws what `readStackConfig` throws.
 */
export function readVariantConfig(stack: string, changes: Record<string, unknown> = {}, unsetSecrets: string[] = []): StackConfig {
  const { config, secretKeys } = loadStackConfig(stackVariant(stack, changes), stack, () => undefined);
  for (const key of unsetSecrets) delete config[`${PROJECT}:${key}`];
  pulumi.runtime.setAllConfig(config, secretKeys);
  return readStackConfig();
}

/**
 * The NLB inputs the NLB tests start from (tests/nlbPlan.test.ts, tests/nlbEndpoint.test.ts):
 * environment `prod`, VPC 10.0.0.0/16 over three subnets, public, two admin CIDRs, two control
 * planes (cp-01, cp-02) and one worker (wk-01). A fresh copy on every call.
 */
export function nlbSpecFixture(): NlbEndpointSpec {
  return {
    environment: "prod",
    vpcId: "vpc-0abc",
    vpcCidr: "10.0.0.0/16",
    subnetIds: ["subnet-a", "subnet-b", "subnet-c"],
    internal: false,
    allowedAdminCidrs: ["198.51.100.7/32", "203.0.113.0/24"],
    instanceSecurityGroupId: "sg-nodes",
    controlPlaneInstances: [
      { name: "cp-01", instanceId: "i-cp01", privateIp: "10.0.1.10" },
      { name: "cp-02", instanceId: "i-cp02", privateIp: "10.0.2.10" },
    ],
    workerInstances: [{ name: "wk-01", instanceId: "i-wk01" }],
  };
}
