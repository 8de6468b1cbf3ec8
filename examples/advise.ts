/**
 * `npm run advise -- …`: the strategy advisor (`render.adviseStrategy`) on the command line. Facts
 * come from flags (`--platform bare-metal --control-planes 3 --workers 20 --bgp --same-l2
 * --api-load high --talos 1.12 --kubernetes 1.33 --cni cilium --kube-proxy ipvs`) or from an
 * example stack (`--stack <name>` reads `examples/Pulumi.<name>.yaml`; flags override it). Prints
 * the recommendation, every candidate's failover time with its source, the reasons, the traps and
 * a starting stack file (`--no-stack` leaves it out, `--json` prints the whole answer as JSON).
 * See the README, "Strategy advisor".
 */
import { adviseStrategy, formatAdvice } from "../src/render/advisor";
import { parseAdviseArgs } from "./stack/adviseArgs";

try {
  const request = parseAdviseArgs(process.argv.slice(2), __dirname);
  const advice = adviseStrategy(request.facts);
  process.stdout.write(request.json ? `${JSON.stringify(advice, null, 2)}\n` : formatAdvice(advice, request.withStack));
} catch (err) {
  console.error(`advise failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
