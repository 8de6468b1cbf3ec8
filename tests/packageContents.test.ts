/**
 * What `npm pack` ships: dist/ built from src/ only (no example, no test, no source map pointing at
 * files not shipped), the README, the license and PulumiPlugin.yaml; and what the entry exports.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

jest.setTimeout(120_000);

const ROOT = path.resolve(__dirname, "..");

interface PackResult {
  files: { path: string }[];
}

let files: string[];

beforeAll(() => {
  // `npm pack --dry-run` runs `prepack` (the build) and lists the tarball without writing it.
  const out = execFileSync("npm", ["pack", "--dry-run", "--json"], { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  files = (JSON.parse(out) as PackResult[])[0].files.map((f) => f.path).sort();
});

test("ships the built package, its README, license, manifest and plugin file, and nothing else", () => {
  const outside = files.filter((f) => !f.startsWith("dist/"));
  expect(outside).toEqual(["LICENSE", "PulumiPlugin.yaml", "README.md", "package.json"]);
  for (const f of [
    "dist/index.js",
    "dist/index.d.ts",
    "dist/components/TalosVipEndpoint.js",
    "dist/render/index.js",
    "dist/core/errors.js",
  ]) {
    expect(files).toContain(f);
  }
});

test("ships no example, test, script, source map or TypeScript source", () => {
  expect(files.filter((f) => /^dist\/(examples|tests|scripts|stack)\//.test(f))).toEqual([]);
  expect(files.filter((f) => f.endsWith(".map") || (f.endsWith(".ts") && !f.endsWith(".d.ts")))).toEqual([]);
});

test("every shipped module comes from src/: one .js and one .d.ts per source file", () => {
  const js = files.filter((f) => f.endsWith(".js")).map((f) => f.slice("dist/".length, -".js".length));
  const dts = files.filter((f) => f.endsWith(".d.ts")).map((f) => f.slice("dist/".length, -".d.ts".length));
  expect(dts).toEqual(js);
  const sources = fs
    .readdirSync(path.join(ROOT, "src"), { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile() && d.name.endsWith(".ts"))
    .map((d) => path.relative(path.join(ROOT, "src"), path.join(d.parentPath, d.name)).slice(0, -".ts".length))
    .sort();
  expect(js.sort()).toEqual(sources);
});

test("the entry exports the components, the enums, InputError and the render namespace, and no internal helper", () => {
  const entry = require(path.join(ROOT, "dist", "index.js")) as Record<string, unknown>;
  expect(Object.keys(entry).sort()).toEqual([
    "ApplyMode",
    "BalanceAlgorithm",
    "CiliumDelivery",
    "CiliumMode",
    "CiliumServices",
    "ConfigSource",
    "DnsRecordType",
    "HaproxyKeepalivedEndpoint",
    "InputError",
    "KubeProxyMode",
    "KubeVipEndpoint",
    "KubeVipForwardingMethod",
    "KubeVipMode",
    "LabelSelectorOperator",
    "LinkAddressing",
    "LoadBalancerMode",
    "MetalLbDelivery",
    "MetalLbMode",
    "MetalLbServices",
    "NlbEndpoint",
    "TalosConfigPush",
    "TalosVipEndpoint",
    "TuningProfile",
    "VrrpVersion",
    "componentToken",
    "render",
  ]);
});
