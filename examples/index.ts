/**
 * Entry point of `pulumi up` (Pulumi.yaml `main`). The body lives in stack/program.ts so the
 * Automation API and `npm run synth` run exactly the same program.
 */
import { stackOutputs } from "./stack/program";

export = stackOutputs;
