/**
 * A short run of the failover lab (tests/lab) with the project's default configuration: faults a
 * (a node's processes die), a' (a node vanishes without a reset), c (HAProxy dies on the MASTER),
 * f (a broken haproxy.cfg is pushed), g (kube-apiserver down on every node while apid runs) and
 * b' (Keepalived on the MASTER stops gracefully, with 4 idle watch streams open) must meet their
 * goals. a and a' run three times and are judged on the median like the bench, so one request that
 * happened to be in flight at the very instant of the fault does not decide the result.
 *
 * g and b' are the two promises of issue 12 checked here: with every kube-apiserver down the Talos
 * API answers through the VIP (≥ 99 % of probes, the VIP does not move), and a graceful VIP move
 * resets 4 of 4 open streams within 1 s, which then reconnect through the new holder.
 *
 * Needs root and `ip netns` (as in CI). Without them this test FAILS with the command to run; it
 * is never skipped.
 */
import { configById } from "./lab/configs";
import { scenariosById } from "./lab/faults";
import { labUnavailableReason } from "./lab/lab";
import { DEFAULT_GOALS, FaultId } from "./lab/results";
import { runConfig } from "./lab/runner";

const CHECKED: FaultId[] = ["a", "a'", "c", "f", "g", "b'"];

test("failover lab, default config: a, a', c, f, g and b' meet their goals", async () => {
  const unavailable = await labUnavailableReason();
  if (unavailable) throw new Error(`cannot run the failover lab: ${unavailable}`);

  const log: string[] = [];
  const config = configById("default");
  const scenarios = scenariosById(["a", "a'", "c", "a", "a'", "f", "a", "a'", "g", "b'"]);
  const result = await runConfig({ config, scenarios, reps: 1, log: (m) => log.push(m) });

  for (const fault of CHECKED) {
    const summary = result.summaries.find((s) => s.fault === fault);
    const goal = DEFAULT_GOALS[fault]!;
    const detail = `${fault} (${goal.text}):\n${result.table}\n${log.join("\n")}`;
    expect(summary ? goal.met(summary) || detail : `no result for ${fault}`).toBe(true);
  }
  // the figures behind the goals, so a goal that stopped checking them would still fail here
  const g = result.summaries.find((s) => s.fault === "g")!;
  expect(g.talosOkPct!.min).toBeGreaterThanOrEqual(99);
  const streams = result.summaries.find((s) => s.fault === "b'")!.streams!;
  expect(streams.map((o) => [o.open, o.resetWithin1s, o.reconnected])).toEqual([[4, 4, 4]]);
}, 200_000);
