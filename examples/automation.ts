/**
 * Driving the stack program through the Pulumi Automation API, for internal tools:
 *
 * ```ts
 * import { selectStack } from "talos-endpoints/dist/automation";
 * const stack = await selectStack({ stackName: "proxmox", workDir: "/path/to/checkout" });
 * await stack.up({ onOutput: console.log });
 * ```
 *
 * The Automation API runs the `pulumi` CLI; it must be on PATH (with the providers' plugins).
 */
import { LocalWorkspace, Stack } from "@pulumi/pulumi/automation";
import { PROJECT } from "./stack/config";
import { stackOutputs } from "./stack/program";

/** Options of {@link selectStack}. */
export interface SelectStackOptions {
  /** Stack name, e.g. `proxmox`; its config is read from `Pulumi.<stackName>.yaml` in `workDir`. */
  stackName: string;
  /** Directory holding Pulumi.yaml and the stack files. Default: the current directory. */
  workDir?: string;
  /**
   * Environment for every pulumi CLI call, on top of this process's environment, e.g.
   * `{ PULUMI_BACKEND_URL: "file:///srv/pulumi-state", PULUMI_CONFIG_PASSPHRASE: "…" }`.
   * Default none.
   */
  envVars?: Record<string, string>;
}

/** Raised when the Pulumi CLI is not installed. */
export class PulumiCliNotFoundError extends Error {
  constructor(cause: unknown) {
    super(
      "the pulumi CLI was not found on PATH: the Automation API runs it for every operation. " +
        "Install it (see https://www.pulumi.com/docs/install/) or use `npm run synth` for an offline run.",
    );
    this.name = "PulumiCliNotFoundError";
    (this as { cause?: unknown }).cause = cause;
  }
}

/**
 * Creates or selects the stack with the inline program {@link stackOutputs} (the same function
 * `index.ts` exports), in `workDir` so the stack's `Pulumi.<stack>.yaml` config applies.
 * @throws PulumiCliNotFoundError when the pulumi CLI is missing.
 */
export async function selectStack(options: SelectStackOptions): Promise<Stack> {
  try {
    return await LocalWorkspace.createOrSelectStack(
      { stackName: options.stackName, projectName: PROJECT, program: stackOutputs },
      { workDir: options.workDir ?? process.cwd(), envVars: options.envVars },
    );
  } catch (err) {
    const code = (err as { commandResult?: { err?: { code?: string } } }).commandResult?.err?.code;
    if (code === "ENOENT" || (err as { code?: string }).code === "ENOENT") throw new PulumiCliNotFoundError(err);
    throw err;
  }
}
