/**
 * The README's TypeScript samples type-check as written: every ```ts block is compiled (no emit)
 * against the package source, with `talos-endpoints` resolved to src/index.ts as a consumer
 * would resolve the published package.
 */
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";

const ROOT = path.resolve(__dirname, "..");

/** The ```ts blocks of the README, with the line each starts on. */
function samples(): { line: number; code: string }[] {
  const lines = fs.readFileSync(path.join(ROOT, "README.md"), "utf8").split("\n");
  const found: { line: number; code: string }[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].trim() !== "```ts") continue;
    const start = i + 1;
    let end = start;
    while (end < lines.length && lines[end].trim() !== "```") end++;
    found.push({ line: start + 1, code: lines.slice(start, end).join("\n") });
    i = end;
  }
  return found;
}

test("the README has TypeScript samples", () => {
  expect(samples().length).toBeGreaterThanOrEqual(3);
});

test.each(samples().map((s) => [s.line, s.code] as const))("the sample at README line %i type-checks", (_line, code) => {
  const dir = fs.mkdtempSync(path.join(ROOT, ".readme-sample-"));
  try {
    const file = path.join(dir, "sample.ts");
    // A module of its own (samples may declare the same names).
    fs.writeFileSync(file, `${code}\nexport {};\n`);
    const program = ts.createProgram([file], {
      strict: true,
      noEmit: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.CommonJS,
      moduleResolution: ts.ModuleResolutionKind.Node10,
      esModuleInterop: true,
      skipLibCheck: true,
      types: ["node"],
      baseUrl: ROOT,
      paths: { "talos-endpoints": ["src/index.ts"], "talos-endpoints/*": ["*"] },
    });
    const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => {
      const where = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : undefined;
      return `${where ? `sample line ${where.line + 1}: ` : ""}${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`;
    });
    expect(diagnostics).toEqual([]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
