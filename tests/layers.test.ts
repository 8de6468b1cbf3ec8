/**
 * The layers import one way: src/core ← src/render ← src/components ← examples. Imports are read
 * with TypeScript's own `preProcessFile` (every import, export-from, require and dynamic import).
 */
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";

const ROOT = path.resolve(__dirname, "..");

/** Every .ts file under a folder of the repository. */
function sources(dir: string): string[] {
  return fs
    .readdirSync(path.join(ROOT, dir), { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile() && d.name.endsWith(".ts"))
    .map((d) => path.relative(ROOT, path.join(d.parentPath, d.name)));
}

/** The module specifiers a file imports, resolved to repository paths when relative. */
function importsOf(file: string): string[] {
  const info = ts.preProcessFile(fs.readFileSync(path.join(ROOT, file), "utf8"), true, true);
  return info.importedFiles.map((f) =>
    f.fileName.startsWith(".") ? path.relative(ROOT, path.resolve(path.dirname(path.join(ROOT, file)), f.fileName)) : f.fileName,
  );
}

function violations(dir: string, forbidden: (spec: string) => boolean): string[] {
  return sources(dir).flatMap((file) =>
    importsOf(file)
      .filter(forbidden)
      .map((spec) => `${file} imports ${spec}`),
  );
}

const isPulumi = (spec: string) => spec.startsWith("@pulumi/") || spec.startsWith("@muhlba91/");
const under =
  (...dirs: string[]) =>
  (spec: string) =>
    dirs.some((d) => spec === d || spec.startsWith(`${d}/`));

test("src/core imports no Pulumi package and nothing from the layers above it", () => {
  expect(sources("src/core").length).toBeGreaterThan(0);
  expect(violations("src/core", (s) => isPulumi(s) || under("src/render", "src/components", "examples")(s))).toEqual([]);
});

test("src/render (pure renderers and plans) imports no Pulumi package, no component and no example", () => {
  expect(sources("src/render").length).toBeGreaterThan(10);
  expect(violations("src/render", (s) => isPulumi(s) || under("src/components", "examples")(s))).toEqual([]);
});

test("the package (src) never imports the examples or the Proxmox provider", () => {
  expect(violations("src", (s) => under("examples")(s) || s.startsWith("@muhlba91/"))).toEqual([]);
});

test("the checker itself sees a forbidden import (a renderer importing @pulumi/pulumi)", () => {
  const info = ts.preProcessFile('import * as pulumi from "@pulumi/pulumi";\nexport const x = 1;', true, true);
  expect(info.importedFiles.map((f) => f.fileName).filter(isPulumi)).toEqual(["@pulumi/pulumi"]);
});
