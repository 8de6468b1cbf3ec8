/**
 * `npm run synth -- --stack <name>`: runs the stack program in-process under Pulumi's mock
 * runtime with `examples/Pulumi.<name>.yaml` (or `--project <dir>`'s) as its config (no CLI, no
 * cloud) and writes `./synth/<name>/`.
 * See the README, "Offline synth".
 */
import * as path from "path";
import { synth } from "./stack/synth";

const USAGE = "usage: npm run synth -- --stack <name> [--project <dir>] [--out <dir>]";

function parseArgs(argv: string[]): { stack: string; projectDir?: string; outDir?: string } {
  let stack: string | undefined;
  let projectDir: string | undefined;
  let outDir: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--stack" || argv[i] === "-s") stack = argv[++i];
    else if (argv[i].startsWith("--stack=")) stack = argv[i].slice("--stack=".length);
    else if (argv[i] === "--project") projectDir = argv[++i];
    else if (argv[i] === "--out") outDir = argv[++i];
    else throw new Error(`unknown argument ${JSON.stringify(argv[i])}; ${USAGE}`);
  }
  if (!stack) throw new Error(`missing --stack <name>; ${USAGE}`);
  return { stack, projectDir, outDir };
}

// A bad value that only resolves inside an Output surfaces as an unhandled rejection: report it
// like any other validation error instead of a stack trace.
process.on("unhandledRejection", (err) => {
  console.error(`synth failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});

// The stack files: the examples beside this script unless --project names another directory. The
// output goes to ./synth/<stack> of the current directory unless --out says otherwise.
const args = parseArgs(process.argv.slice(2));
synth({
  stack: args.stack,
  projectDir: path.resolve(args.projectDir ?? __dirname),
  outDir: path.resolve(args.outDir ?? path.join("synth", args.stack)),
  log: (m) => console.log(m),
})
  .then((r) => {
    console.log(`synth: wrote ${path.relative(process.cwd(), r.outDir) || "."} (${r.resourceCount} resources, ${r.fileCount} files)`);
    process.exit(0);
  })
  .catch((err: Error) => {
    console.error(`synth failed: ${err.message}`);
    process.exit(1);
  });
