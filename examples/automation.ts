/**
 * Driving the stack program through the Pulumi Automation API, for internal tools:
 *
 * ```ts
 * // a script in the checkout's scripts/ folder (examples are not in the published package)
 * import { selectStack } from "../examples/automation";
 * const stack = await selectStack({ stackName: "proxmox", workDir: "examples" });
 * await stack.up({ onOutput: console.log });
 * ```
 * `workDir` is the checkout's `examples/` folder: the CLI checks that the project's `main`
 * (`index.ts`) exists there even for an inline program.
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
