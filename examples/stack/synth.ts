/**
 * Offline synth: runs {@link stackProgram} under Pulumi's mock runtime with a stack's
 * `Pulumi.<stack>.yaml` config, and writes what it would deploy to `synth/<stack>/`:
 *
 * - `resources.json`: every registered resource as `{type, name, parent, dependsOn, inputs}`; secret values
 *   are `"[secret]"`, values unknown before deployment `"[computed]"`;
 * - `outputs.json`: the stack outputs (secrets masked the same way);
 * - `files/`: every rendered artifact (e.g. `files/talos/<node>.yaml`);
 * - `topology.md`: a Mermaid diagram of the endpoint;
 * - `advice.md`: the strategy advisor's recommendation for the stack's facts, and where the stack
 *   departs from it.
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
import { installMocks, RecordedResource } from "./mockRuntime";
import { adviceMarkdown } from "./advice";

/** The platforms whose stack files the strategy advisor reads (examples/stack/adviseArgs.ts); other stacks get a notice in advice.md. */
const ADVISED_PLATFORMS = ["proxmox", "aws", "baremetal", "kubevip"];

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

/** What {@link synth} wrote. */
export interface SynthResult {
  outDir: string;
  resources: RecordedResource[];
  outputs: Record<string, unknown>;
  files: Record<string, string>;
  resourceCount: number;
  fileCount: number;
  /** Secret config keys that were missing and got placeholders. */
  placeholders: string[];
}

/** Resolves a stack output for display: secrets masked, unknowns marked. */
async function resolveOutput(value: unknown): Promise<unknown> {
  const out = pulumi.output(value) as pulumi.Output<unknown>;
  if (await pulumi.isSecret(out)) return "[secret]";
  return new Promise((resolve) => out.apply((v) => resolve(v === undefined ? "[computed]" : v)));
}

/** The stack file as {@link loadStackConfig} reads it. */
export interface LoadedStackConfig {
  /** `project:key` → the value as the Pulumi runtime holds it (strings as they are, other values as JSON). */
  config: Record<string, string>;
  /** The keys that hold secrets: those `secure:` in the file and the platform's required secrets. */
  secretKeys: string[];
  /** Secret keys that got a placeholder value (encrypted in the file, or missing). */
  placeholders: string[];
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/**
 * Reads Pulumi.<stack>.yaml into the flat `project:key` → string map `setAllConfig` takes. Values
 * encrypted with the stack's secrets provider, and the secrets the platform requires
 * (`SECRET_CONFIG_KEYS`) when missing, get placeholders.
 * @throws Error when the stack file does not exist.
 */
export function loadStackConfig(projectDir: string, stack: string, log: (m: string) => void): LoadedStackConfig {
  const file = path.join(projectDir, `Pulumi.${stack}.yaml`);
  if (!fs.existsSync(file)) {
    const known = fs
      .readdirSync(projectDir)
      .filter((f) => /^Pulumi\..+\.yaml$/.test(f))
      .map((f) => f.slice(7, -5));
    throw new Error(`no stack file Pulumi.${stack}.yaml (stacks here: ${known.join(", ") || "none"})`);
  }
  const doc: unknown = parseYaml(fs.readFileSync(file, "utf8"));
  const entries = isMapping(doc) && isMapping(doc.config) ? Object.entries(doc.config) : [];
  const config: Record<string, string> = {};
  const secretKeys: string[] = [];
  const placeholders: string[] = [];
  for (const [rawKey, value] of entries) {
    const key = rawKey.includes(":") ? rawKey : `${PROJECT}:${rawKey}`;
    if (value !== null && typeof value === "object" && "secure" in value) {
      // Encrypted with the stack's secrets provider, which synth cannot reach.
      config[key] = placeholderFor(key);
      secretKeys.push(key);
      placeholders.push(key);
      continue;
    }
    config[key] = typeof value === "string" ? value : JSON.stringify(value);
  }
  const platform = config[`${PROJECT}:platform`];
  // On proxmox and talosvip the talosconfig is needed only with configSource patch (the default).
  const needed = [...(SECRET_CONFIG_KEYS[platform] ?? [])];
  if (["proxmox", "talosvip"].includes(platform) && config[`${PROJECT}:configSource`] !== "generated") needed.push("talosconfig");
  for (const short of needed) {
    const key = `${PROJECT}:${short}`;
    if (!(key in config)) {
      config[key] = placeholderFor(key);
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

  const recorder = await installMocks(PROJECT, options.stack);
  pulumi.runtime.setAllConfig(config, secretKeys);

  let result: StackResult | undefined;
  const files: Record<string, string> = {};
  let topology = "";
  let programError: unknown;
  const outputs = (await pulumi.runtime.runInPulumiStack(async () => {
    const { stackProgram } = await import("./program");
    let program: StackResult;
    try {
      program = stackProgram();
    } catch (err) {
      // Reported after the runtime settles: an exception escaping here would also reject the
      // stack resource's own promises, which nothing awaits.
      programError = err;
      return {};
    }
    result = program;
    topology = await new Promise<string>((resolve) => program.topology.apply(resolve));
    for (const [rel, content] of Object.entries(program.files)) {
      files[rel] = (await pulumi.isSecret(content))
        ? "# [secret] This file holds a Pulumi secret, so synth does not write its content.\n"
        : await new Promise<string>((resolve) => content.apply(resolve));
    }
    return program.outputs;
  })) as Record<string, unknown> | undefined;
  const resources = await recorder.settle();
  if (programError) throw programError;
  for (const [resource, keys] of recorder.placeholders) {
    log(
      `synth: ${resource}: ${keys.join(", ")} ${keys.length === 1 ? "is a placeholder" : "are placeholders"} (assigned by the provider on deployment)`,
    );
  }
  if (!result || !outputs) throw new Error("the stack program returned nothing");

  const resolvedOutputs: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(result.outputs)) resolvedOutputs[k] = await resolveOutput(v);
  const outDir = options.outDir ?? path.join(options.projectDir, "synth", options.stack);
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(path.join(outDir, "files"), { recursive: true });
  fs.writeFileSync(path.join(outDir, "resources.json"), JSON.stringify(resources, null, 2) + "\n");
  fs.writeFileSync(path.join(outDir, "outputs.json"), JSON.stringify(resolvedOutputs, null, 2) + "\n");
  fs.writeFileSync(path.join(outDir, "topology.md"), topology);
  const platform = config[`${PROJECT}:platform`];
  fs.writeFileSync(
    path.join(outDir, "advice.md"),
    ADVISED_PLATFORMS.includes(platform)
      ? adviceMarkdown(options.stack, path.join(options.projectDir, `Pulumi.${options.stack}.yaml`), config)
      : `# Strategy advice for the \`${options.stack}\` stack\n\nThe strategy advisor reads stack files of the platforms ${ADVISED_PLATFORMS.join(", ")}, ` +
          `not "${platform}"; run \`npm run advise\` with flags for this cluster's facts.\n`,
  );
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

/**
 * The placeholder of a secret key: its name, in the shape the component checks (a talosconfig
 * needs a current context that `contexts` holds, so its placeholder is such a YAML document).
 */
function placeholderFor(key: string): string {
  if (key.endsWith(":talosconfig")) return `# <placeholder for ${key}>\ncontext: placeholder\ncontexts:\n  placeholder: {}\n`;
  return `<placeholder for ${key}>`;
}
