/**
 * `npm run synth -- --stack <name>`: runs the stack program in-process under Pulumi's mock
 * runtime with `Pulumi.<name>.yaml` as its config (no CLI, no cloud) and writes `synth/<name>/`.
 * See the README, "Offline synth".
 */
import * as path from "path";
import { synth } from "../stack/synth";

function parseArgs(argv: string[]): { stack: string; outDir?: string } {
  let stack: string | undefined;
  let outDir: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--stack" || argv[i] === "-s") stack = argv[++i];
    else if (argv[i].startsWith("--stack=")) stack = argv[i].slice("--stack=".length);
    else if (argv[i] === "--out") outDir = argv[++i];
    else throw new Error(`unknown argument ${JSON.stringify(argv[i])}; usage: npm run synth -- --stack <name> [--out <dir>]`);
  }
  if (!stack) throw new Error("missing --stack <name>; usage: npm run synth -- --stack <name> [--out <dir>]");
  return { stack, outDir };
}

// A bad value that only resolves inside an Output surfaces as an unhandled rejection: report it
// like any other validation error instead of a stack trace.
process.on("unhandledRejection", (err) => {
  console.error(`synth failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});

synth({ ...parseArgs(process.argv.slice(2)), projectDir: process.cwd(), log: (m) => console.log(m) })
  .then((r) => {
    console.log(`synth: wrote ${path.relative(process.cwd(), r.outDir) || "."} (${r.resourceCount} resources, ${r.fileCount} files)`);
    process.exit(0);
  })
  .catch((err: Error) => {
    console.error(`synth failed: ${err.message}`);
    process.exit(1);
  });
