/**
 * `npm run lab [-- --config default|fast|default-auth|default-strict|seed|default-shutdown] [--faults a,a',b,b',c,e,f,g,h,i,j,k,l] [--keep]`: builds the
 * network-namespace failover lab (tests/lab) with the project's rendered configuration (default
 * profile unless --config says otherwise), runs each fault once, prints the results and tears the
 * lab down. Needs root, iproute2, haproxy, keepalived, openssl. See tests/lab/RESULTS.md.
 */
import { configById } from "../tests/lab/configs";
import { SCENARIOS, scenariosById } from "../tests/lab/faults";
import { runConfig } from "../tests/lab/runner";
import { labUnavailableReason } from "../tests/lab/lab";

function parseArgs(argv: string[]): { config: string; faults: string[]; keep: boolean } {
  const out = { config: "default", faults: SCENARIOS.map((s) => s.id), keep: false };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--config") out.config = argv[++i];
    else if (argv[i] === "--faults") out.faults = (argv[++i] ?? "").split(",").filter(Boolean);
    else if (argv[i] === "--keep") out.keep = true;
    else
      throw new Error(
        `unknown argument ${JSON.stringify(argv[i])}; usage: npm run lab -- [--config default|fast|default-auth|default-strict|seed|default-shutdown] [--faults a,a',b,b',c,e,f,g,h,i,j,k,l] [--keep]`,
      );
  }
  return out;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const unavailable = await labUnavailableReason();
  if (unavailable) throw new Error(unavailable);
  const result = await runConfig({
    config: configById(args.config),
    scenarios: scenariosById(args.faults),
    log: (m) => console.log(m),
    keepDir: args.keep,
  });
  console.log(`\n${result.config.title}\n\n${result.table}`);
}

main().then(
  () => process.exit(0),
  (err: Error) => {
    console.error(`lab failed: ${err.message}`);
    process.exit(1);
  },
);
