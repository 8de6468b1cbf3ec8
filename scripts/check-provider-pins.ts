/**
 * Checks that every Pulumi provider package this project depends on asks for a provider plugin
 * version that upstream really released. `@pulumi/command@4.5.0` was a stray npm publish: npm's
 * `latest` was 1.2.1, pulumi-command's tags end at v1.2.1, no plugin v4.5.0 exists, and every
 * `pulumi up` would have failed at plugin installation; mocks never load plugins, so no other test
 * could see it.
 *
 * For each dependency whose package.json has `pulumi.resource: true`:
 * 1. the plugin version (`pulumi.version`) equals the package version (Pulumi publishes them together);
 * 2. the npm registry lists that version and it is not above the package's `latest` dist-tag
 *    (a publish above `latest` is how the stray showed);
 * 3. where the Go module proxy serves the provider's Go SDK, that module exists at `v<version>`:
 *    its tag is the upstream release tag. The proxy here serves only pulumi-command's SDK of the
 *    four providers, so aws, kubernetes and proxmoxve are checked by 1 and 2 only.
 *
 * Usage: `npx tsx scripts/check-provider-pins.ts` (exit 1 with the reasons on a bad pin). Needs
 * the npm registry and, for 3, `go` and the Go module proxy.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as semver from "semver";

/** Go SDK module of a provider whose release tags the Go module proxy serves, by plugin name. */
export const GO_SDK_MODULES: Record<string, string> = {
  command: "github.com/pulumi/pulumi-command/sdk",
};

/** One provider package and the plugin it asks for. */
export interface ProviderPin {
  /** npm package name, e.g. `@pulumi/command`. */
  packageName: string;
  /** Version pinned in package.json (exact). */
  version: string;
  /** Plugin name (`pulumi.name`). */
  plugin: string;
  /** Plugin version the package installs (`pulumi.version`, else the package version). */
  pluginVersion: string;
}

/**
 * The provider packages among `dependencies` and `devDependencies` (the examples' providers, e.g.
 * proxmoxve), read from their installed package.json.
 */
export function providerPins(root = path.resolve(__dirname, "..")): ProviderPin[] {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as {
    dependencies?: Record<string, string>;
    devDependencies?: Record<string, string>;
  };
  const pins: ProviderPin[] = [];
  for (const [name, version] of Object.entries({ ...pkg.dependencies, ...pkg.devDependencies })) {
    const installed = JSON.parse(fs.readFileSync(path.join(root, "node_modules", name, "package.json"), "utf8")) as {
      version: string;
      pulumi?: { resource?: boolean; name?: string; version?: string };
    };
    if (!installed.pulumi?.resource) continue;
    pins.push({
      packageName: name,
      version,
      plugin: installed.pulumi.name ?? name,
      pluginVersion: installed.pulumi.version ?? installed.version,
    });
  }
  return pins;
}

/** What the npm registry says of a package. */
export interface NpmFacts {
  latest: string;
  versions: string[];
}

/** Reads `dist-tags.latest` and `versions` from the npm registry. */
export function npmFacts(packageName: string): NpmFacts {
  const out = execFileSync("npm", ["view", packageName, "dist-tags", "versions", "--json"], { encoding: "utf8", timeout: 60_000 });
  const view = JSON.parse(out) as { "dist-tags": { latest: string }; versions: string[] };
  return { latest: view["dist-tags"].latest, versions: view.versions };
}

/** Whether the Go module proxy serves `module@version` (`go list -m` exits 0; run outside any module). */
export function goModuleServed(module: string, version: string): boolean {
  try {
    execFileSync("go", ["list", "-m", `${module}@${version}`], { stdio: "pipe", timeout: 120_000, cwd: os.tmpdir() });
    return true;
  } catch {
    return false;
  }
}

/** The reasons a pin is not a real upstream release; empty when it is. */
export function pinProblems(pin: ProviderPin, npm: NpmFacts, goServed?: (module: string, version: string) => boolean): string[] {
  const problems: string[] = [];
  if (!semver.valid(pin.version)) problems.push(`${pin.packageName}: "${pin.version}" is not an exact version; pin providers exactly`);
  if (pin.pluginVersion !== pin.version) {
    problems.push(`${pin.packageName}@${pin.version} installs plugin ${pin.plugin} v${pin.pluginVersion}, not v${pin.version}`);
  }
  if (!npm.versions.includes(pin.version)) problems.push(`${pin.packageName}@${pin.version} is not published on npm`);
  if (semver.valid(pin.version) && semver.gt(pin.version, npm.latest)) {
    problems.push(
      `${pin.packageName}@${pin.version} is above npm's latest (${npm.latest}): a stray publish, not an upstream release; ` +
        `pin ${pin.packageName}@${npm.latest} or an earlier release`,
    );
  }
  const goModule = GO_SDK_MODULES[pin.plugin];
  if (goModule && goServed && !goServed(goModule, `v${pin.pluginVersion}`)) {
    problems.push(
      `${pin.packageName}@${pin.version}: no upstream release tag v${pin.pluginVersion} (${goModule}@v${pin.pluginVersion} is not on the Go module proxy)`,
    );
  }
  return problems;
}

if (require.main === module) {
  const problems = providerPins().flatMap((pin) => {
    const found = pinProblems(pin, npmFacts(pin.packageName), goModuleServed);
    console.log(`${found.length ? "BAD" : "ok "} ${pin.packageName}@${pin.version} (plugin ${pin.plugin} v${pin.pluginVersion})`);
    return found;
  });
  problems.forEach((p) => console.error(p));
  process.exit(problems.length ? 1 : 0);
}
