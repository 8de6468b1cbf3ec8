/**
 * The package's Pulumi schema as the Node.js language host serves it to `pulumi package
 * get-schema` and `pulumi package add`: the host's component provider (`@pulumi/pulumi`
 * provider/experimental, `ComponentProvider.getSchema`) lists the component classes the entry
 * exports (`getPulumiComponents`), analyzes their source with `Analyzer` and builds the schema with
 * `generateSchema`. This helper runs exactly those three steps in-process: the host binary itself
 * (`pulumi-language-nodejs`) cannot be built here (docs/blocked.md).
 */
import * as fs from "fs";
import * as path from "path";
import { Analyzer } from "@pulumi/pulumi/provider/experimental/analyzer";
import { getPulumiComponents } from "@pulumi/pulumi/provider/experimental/provider";
import { generateSchema, PackageSpec } from "@pulumi/pulumi/provider/experimental/schema";

const ROOT = path.resolve(__dirname, "..", "..");

/** The package name Pulumi uses (package.json `name`): the token prefix. */
export const PACKAGE_NAME = "talos-endpoints";

/** The component class names the entry exports, as the host finds them. */
export function exportedComponents(): string[] {
  const entry = require(path.join(ROOT, "src", "index")) as Record<string, unknown>;
  return getPulumiComponents(entry).map((c) => c.name);
}

/** Analyzes the given components (default: every exported one) and returns the package schema. */
export function packageSchema(components: string[] = exportedComponents()): PackageSpec {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as Record<string, unknown> & {
    version: string;
    description: string;
  };
  const analyzer = new Analyzer(ROOT, PACKAGE_NAME, pkg, new Set(components));
  const result = analyzer.analyze();
  return generateSchema(PACKAGE_NAME, pkg.version, pkg.description, result.components, result.typeDefinitions, result.dependencies);
}
