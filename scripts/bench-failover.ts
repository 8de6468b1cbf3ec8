/**
 * `npm run bench:failover [-- --reps 5] [--configs default,fast,default-auth,default-strict,seed,default-shutdown] [--out <file.md>]`:
 * the full failover table. For each configuration it builds the network-namespace lab
 * (tests/lab), runs every fault `--reps` times (default 5; `default-shutdown` only runs a', the
 * fault it exists to measure; `default-auth`, the authenticated Kubernetes API check, runs h, g and a; `default-strict`,
 * the previous `failWhenNoKubernetesBackend: true`, runs g) and prints, per fault, the median and range of failed requests and
 * of the seconds until requests succeed again, with the goals. For the seed configuration it first
 * records how the push treats the seed keepalived.conf as written. Needs root, iproute2, haproxy,
 * keepalived, openssl. Takes about 4 minutes per configuration at 5 runs.
 */
import * as fs from "fs";
import { configById, rawSeedFiles } from "../tests/lab/configs";
import { SCENARIOS, scenariosById } from "../tests/lab/faults";
import { Lab, labUnavailableReason } from "../tests/lab/lab";
import { ConfigResult, runConfig } from "../tests/lab/runner";

interface Args {
  reps: number;
  configs: string[];
  out?: string;
}

const USAGE =
  "usage: npm run bench:failover -- [--reps N] [--configs default,fast,default-auth,default-strict,seed,default-shutdown] [--out file.md]";

function parseArgs(argv: string[]): Args {
  const args: Args = { reps: 5, configs: ["default", "fast", "default-auth", "default-strict", "seed", "default-shutdown"] };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--reps") args.reps = Number(argv[++i]);
    else if (argv[i] === "--configs") args.configs = (argv[++i] ?? "").split(",").filter(Boolean);
    else if (argv[i] === "--out") args.out = argv[++i];
    else throw new Error(`unknown argument ${JSON.stringify(argv[i])}; ${USAGE}`);
  }
  if (!Number.isInteger(args.reps) || args.reps < 1 || args.reps > 50) throw new Error(`--reps must be an integer from 1 to 50; ${USAGE}`);
  return args;
}

/** Pushes the seed keepalived.conf as written to lb1 and reports what the push script says (it must refuse it). */
async function recordRawSeed(lab: Lab, notes: string[]): Promise<void> {
  const lb = lab.lbs[0];
  const result = await lb.push(rawSeedFiles(lb.role));
  const reasons = result.stderr
    .split("\n")
    .filter((l) => /not found|SECURITY|refused/.test(l))
    .map((l) => l.trim());
  notes.push(`seed keepalived.conf as written: push exit code ${result.code}; ${reasons.join(" / ")}`);
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const unavailable = await labUnavailableReason();
  if (unavailable) throw new Error(unavailable);
  const log = (m: string) => console.log(m);
  const notes: string[] = [];
  const results: ConfigResult[] = [];
  const started = Date.now();
  for (const id of args.configs) {
    // default-shutdown exists to measure a'; default-auth adds the authenticated check, measured by h (and g)
    const scenarios =
      id === "default-shutdown"
        ? scenariosById(["a'"])
        : id === "default-auth"
          ? scenariosById(["h", "g", "a"])
          : id === "default-strict"
            ? scenariosById(["g"])
            : SCENARIOS;
    const before = id === "seed" ? (lab: Lab) => recordRawSeed(lab, notes) : undefined;
    results.push(await runConfig({ config: configById(id), scenarios, reps: args.reps, log, before }));
  }
  const report = [
    `Failover bench, ${args.reps} run(s) per fault, ${new Date().toISOString()}, ${((Date.now() - started) / 60_000).toFixed(1)} min.`,
    "Cells: median [min–max]; `never` = not restored within the observation window (15 s; 90 s after healing for e).",
    "",
    ...results.flatMap((r) => [`### ${r.config.id}: ${r.config.title}`, "", r.table, ""]),
    ...notes.map((n) => `- ${n}`),
    "",
  ].join("\n");
  console.log(`\n${report}`);
  if (args.out) fs.writeFileSync(args.out, report);
}

main().then(
  () => process.exit(0),
  (err: Error) => {
    console.error(`bench failed: ${err.message}`);
    process.exit(1);
  },
);
