import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse, stringify } from "yaml";

/** Project root (where Pulumi.yaml and the example stack files are). */
export const PROJECT_DIR = path.resolve(__dirname, "..", "..");

/**
 * Copies an example stack file into a fresh directory, with `changes` applied to its config
 * (keys without namespace are `talos-endpoints:` keys; `undefined` removes a key).
 * @returns the directory; remove it with `fs.rmSync(dir, { recursive: true })`.
 */
export function stackVariant(stack: string, changes: Record<string, unknown> = {}): string {
  const doc = parse(fs.readFileSync(path.join(PROJECT_DIR, `Pulumi.${stack}.yaml`), "utf8"));
  for (const [key, value] of Object.entries(changes)) {
    const full = key.includes(":") ? key : `talos-endpoints:${key}`;
    if (value === undefined) delete doc.config[full];
    else doc.config[full] = value;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `stack-${stack}-`));
  fs.copyFileSync(path.join(PROJECT_DIR, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
  fs.writeFileSync(path.join(dir, `Pulumi.${stack}.yaml`), stringify(doc));
  return dir;
}
