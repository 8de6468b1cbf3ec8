/**
 * Offline synth: runs {@link stackProgram} under Pulumi's mock runtime with a stack's
 * `Pulumi.<stack>.yaml` config, and writes what it would deploy to `synth/<stack>/`:
 *
 * - `resources.json`: every registered resource as `{type, name, parent, inputs}`; secret values
 *   are `"[secret]"`, values unknown before deployment `"[computed]"`;
 * - `outputs.json`: the stack outputs (secrets masked the same way);
 * - `files/`: every rendered artifact (e.g. `files/talos/<node>.yaml`);
 * - `topology.md`: a Mermaid diagram of the endpoint.
 *
 * Nothing here talks to a cloud, a CLI or a provider plugin: mocks answer every registration with
 * the inputs plus placeholder values for provider-computed outputs (IDs, DNS names).
 */
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { parse as parseYaml } from "yaml";
import type { StackResult } from "./program";
import { PROJECT, SECRET_CONFIG_KEYS } from "./config";

const SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/** Options of {@link synth}. */
export interface SynthOptions {
  /** Stack name: reads `Pulumi.<stack>.yaml`. */
  stack: string;
  /** Directory with Pulumi.yaml and the stack files. */
  projectDir: string;
  /** Output directory. Default `<projectDir>/synth/<stack>`. */
  outDir?: string;
  /** Progress and notices. */
  log?: (message: string) => void;
}

/** One registered resource as written to resources.json. */
export interface SynthResource {
  type: string;
  name: string;
  parent: string | null;
  /** Names of the resources this one waits for (explicit dependsOn and input dependencies). */
  dependsOn: string[];
  inputs: unknown;
}

/** What {@link synth} wrote. */
export interface SynthResult {
  outDir: string;
  resources: SynthResource[];
  outputs: Record<string, unknown>;
  files: Record<string, string>;
  resourceCount: number;
  fileCount: number;
  /** Secret config keys that were missing and got placeholders. */
  placeholders: string[];
}

/** Values a real provider computes; the mocks return placeholders so downstream Outputs resolve. */
function computedState(type: string, name: string, inputs: Record<string, unknown>): Record<string, unknown> {
  switch (type) {
    case "proxmoxve:index/vmLegacy:VmLegacy":
      return { vmId: inputs.vmId ?? 100 };
    case "command:local:Command":
      return { stdout: "", stderr: "" };
    default:
      return {};
  }
}

/** Replaces secrets and unknowns for display. */
function mask(value: unknown): unknown {
  if (value === undefined) return "[computed]";
  if (Array.isArray(value)) return value.map(mask);
  if (value !== null && typeof value === "object") {
    const obj = value as Record<string, unknown>;
    if (obj[SECRET_SIG_KEY] === SECRET_SIG) return "[secret]";
    return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined).map(([k, v]) => [k, mask(v)]));
  }
  return value;
}

/** Resolves a stack output for display: secrets masked, unknowns marked. */
async function resolveOutput(value: unknown): Promise<unknown> {
  const out = pulumi.output(value) as pulumi.Output<unknown>;
  if (await pulumi.isSecret(out)) return "[secret]";
  return new Promise((resolve) => out.apply((v) => resolve(v === undefined ? "[computed]" : v)));
}

/** Reads Pulumi.<stack>.yaml into the flat `project:key` → string map `setAllConfig` takes. */
function loadStackConfig(projectDir: string, stack: string, log: (m: string) => void) {
  const file = path.join(projectDir, `Pulumi.${stack}.yaml`);
  if (!fs.existsSync(file)) {
    const known = fs.readdirSync(projectDir).filter((f) => /^Pulumi\..+\.yaml$/.test(f)).map((f) => f.slice(7, -5));
    throw new Error(`no stack file Pulumi.${stack}.yaml (stacks here: ${known.join(", ") || "none"})`);
  }
  const doc = (parseYaml(fs.readFileSync(file, "utf8")) ?? {}) as { config?: Record<string, unknown> };
  const config: Record<string, string> = {};
  const secretKeys: string[] = [];
  const placeholders: string[] = [];
  for (const [rawKey, value] of Object.entries(doc.config ?? {})) {
    const key = rawKey.includes(":") ? rawKey : `${PROJECT}:${rawKey}`;
    if (value !== null && typeof value === "object" && "secure" in (value as object)) {
      // Encrypted with the stack's secrets provider, which synth cannot reach.
      config[key] = `<placeholder for ${key}>`;
      secretKeys.push(key);
      placeholders.push(key);
      continue;
    }
    config[key] = typeof value === "string" ? value : JSON.stringify(value);
  }
  const platform = config[`${PROJECT}:platform`];
  for (const short of SECRET_CONFIG_KEYS[platform] ?? []) {
    const key = `${PROJECT}:${short}`;
    if (!(key in config)) {
      config[key] = `<placeholder for ${key}>`;
      placeholders.push(key);
    }
    secretKeys.push(key);
  }
  for (const key of placeholders) {
    log(`synth: secret ${key} is not available here; using a placeholder (before \`pulumi up\`: pulumi config set --secret ${key} ...)`);
  }
  return { config, secretKeys, placeholders };
}

/**
 * Runs the stack program under mocks and writes the synth directory.
 * @throws the program's own error (e.g. an InputError naming the bad config field).
 */
export async function synth(options: SynthOptions): Promise<SynthResult> {
  const log = options.log ?? (() => undefined);
  const { config, secretKeys, placeholders } = loadStackConfig(options.projectDir, options.stack, log);

  const registered: { type: string; name: string; inputs: unknown }[] = [];
  const parents = new Map<string, string>();
  const dependencies = new Map<string, string[]>();
  await pulumi.runtime.setMocks(
    {
      newResource(args: pulumi.runtime.MockResourceArgs) {
        registered.push({ type: args.type, name: args.name, inputs: args.inputs });
        const plain = JSON.parse(JSON.stringify(args.inputs, (_k, v) => (v && v[SECRET_SIG_KEY] === SECRET_SIG ? v.value : v)));
        return { id: `${args.name}-id`, state: { ...plain, ...computedState(args.type, args.name, plain) } };
      },
      call(args: pulumi.runtime.MockCallArgs) {
        return args.inputs;
      },
    },
    PROJECT,
    options.stack,
    false,
  );
  // The mock's newResource is not told the parent; the register request is.
  const monitor = pulumi.runtime.getMonitor() as unknown as { registerResource: (req: RegisterRequest, cb: unknown) => unknown };
  const original = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, cb) => {
    const key = `${req.getType()}::${req.getName()}`;
    if (req.getParent()) parents.set(key, urnName(req.getParent()));
    dependencies.set(key, req.getDependenciesList().map(urnName));
    return original(req, cb);
  };
  pulumi.runtime.setAllConfig(config, secretKeys);

  let result: StackResult | undefined;
  let files: Record<string, string> = {};
  let topology = "";
  const outputs = (await pulumi.runtime.runInPulumiStack(async () => {
    const { stackProgram } = await import("./program");
    result = stackProgram();
    [files, topology] = await Promise.all([
      new Promise<Record<string, string>>((resolve) => result!.files.apply(resolve)),
      new Promise<string>((resolve) => result!.topology.apply(resolve)),
    ]);
    return result.outputs;
  })) as Record<string, unknown> | undefined;
  await pulumi.runtime.disconnect();
  if (!result || !outputs) throw new Error("the stack program returned nothing");

  const resolvedOutputs: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(result.outputs)) resolvedOutputs[k] = await resolveOutput(v);
  const resources: SynthResource[] = registered.map((r) => ({
    type: r.type,
    name: r.name,
    parent: parents.get(`${r.type}::${r.name}`) ?? null,
    dependsOn: dependencies.get(`${r.type}::${r.name}`) ?? [],
    inputs: mask(r.inputs),
  }));

  const outDir = options.outDir ?? path.join(options.projectDir, "synth", options.stack);
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(path.join(outDir, "files"), { recursive: true });
  fs.writeFileSync(path.join(outDir, "resources.json"), JSON.stringify(resources, null, 2) + "\n");
  fs.writeFileSync(path.join(outDir, "outputs.json"), JSON.stringify(resolvedOutputs, null, 2) + "\n");
  fs.writeFileSync(path.join(outDir, "topology.md"), topology);
  for (const [rel, content] of Object.entries(files)) {
    const target = path.join(outDir, "files", rel);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, content);
  }
  return {
    outDir,
    resources,
    outputs: resolvedOutputs,
    files,
    resourceCount: resources.length,
    fileCount: Object.keys(files).length,
    placeholders,
  };
}

interface RegisterRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getDependenciesList(): string[];
}

function urnName(urn: string): string {
  return urn.split("::").pop() as string;
}
