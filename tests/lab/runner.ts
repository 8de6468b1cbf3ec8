/**
 * Runs fault scenarios against one configuration and reports, shared by `npm run lab`,
 * `npm run bench:failover` and tests/labShort.test.ts.
 */
import { ConfigUnderTest } from "./configs";
import { Scenario } from "./faults";
import { withLab } from "./lab";
import { FaultSummary, markdownTable, Outcome, summarize } from "./results";

/** Options of {@link runConfig}. */
export interface RunConfigOptions {
  config: ConfigUnderTest;
  scenarios: readonly Scenario[];
  /** Runs per scenario; default 1. */
  reps?: number;
  log?: (message: string) => void;
  keepDir?: boolean;
  /** Called inside the lab before the scenarios (e.g. to record something about the config). */
  before?: Parameters<typeof withLab>[1];
}

/** Result of {@link runConfig}. */
export interface ConfigResult {
  config: ConfigUnderTest;
  outcomes: Outcome[];
  summaries: FaultSummary[];
  /** The Markdown table with the config's goals. */
  table: string;
}

function describe(o: Outcome): string {
  const parts = [
    `failed ${o.failed}`,
    `restored ${o.restoredS === null ? "never" : `${o.restoredS.toFixed(1)} s`}`,
    `slowest OK ${o.slowestOkMs} ms`,
  ];
  if (Object.keys(o.failures).length) parts.push(`reasons ${JSON.stringify(o.failures)}`);
  if (o.oneHolderS !== undefined)
    parts.push(`both MASTER after ${o.bothMasterS ?? "never"} s, one holder ${o.oneHolderS ?? "never"} s after healing`);
  if (o.refused !== undefined) parts.push(`refused ${o.refused}, live unchanged ${o.liveUnchanged}`);
  return parts.join(", ");
}

/**
 * Builds a lab with `config`, runs the scenario list `reps` times (a, a', b, … then again; a
 * scenario listed twice runs twice per pass), tears the lab down, and summarises. A scenario's
 * n-th run gets n as its run index (a and a' pick a different node each run).
 */
export async function runConfig(opts: RunConfigOptions): Promise<ConfigResult> {
  const log = opts.log ?? (() => undefined);
  const outcomes: Outcome[] = [];
  await withLab({ config: opts.config, log, keepDir: opts.keepDir }, async (lab) => {
    if (opts.before) await opts.before(lab);
    const runs = new Map<Scenario, number>();
    for (let rep = 0; rep < (opts.reps ?? 1); rep++) {
      for (const scenario of opts.scenarios) {
        const run = runs.get(scenario) ?? 0;
        runs.set(scenario, run + 1);
        const results = await scenario.run(lab, run);
        results.forEach((o) => log(`[${opts.config.id}] run ${run + 1} ${o.fault}: ${describe(o)}`));
        outcomes.push(...results);
      }
    }
  });
  const summaries = summarize(outcomes);
  return { config: opts.config, outcomes, summaries, table: markdownTable(opts.config.id, summaries, opts.config.goals) };
}
