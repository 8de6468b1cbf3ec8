/**
 * The fault scenarios of the lab. Each starts from {@link Lab.baseline} (one VIP holder, requests
 * succeeding), injects its fault at a recorded instant, observes the requests, repairs the fault
 * and waits for the config's settle time. Every wait is bounded (Lab.observe, waitFor).
 */
import { HAPROXY_CFG, LbHost } from "./lbHost";
import { Lab } from "./lab";
import { sleep, waitFor } from "./proc";
import { FaultId, Outcome } from "./results";
import { LB_ROLES, setMachineIsolated, setMachineLink } from "./topology";
import { windowStats, WindowStats } from "./prober";

/** A scenario yields the outcome of one or more faults (b and d share one: d repairs b). */
export interface Scenario {
  /** Scenario id, as accepted on the command line: a, a', b, b', c, e, f (b also measures d). */
  id: string;
  faults: FaultId[];
  run(lab: Lab, rep: number): Promise<Outcome[]>;
}

function outcome(fault: FaultId, s: WindowStats, extra: Partial<Outcome> = {}): Outcome {
  return { fault, failed: s.failed, restoredS: s.restoredS, slowestOkMs: s.slowestOkMs, failures: s.failures, ...extra };
}

/**
 * A scenario with one fault and one observation: after the baseline, pick the target, break it at
 * a recorded instant, observe, repair, settle.
 */
function singleFault<T>(
  id: FaultId,
  target: (lab: Lab, master: LbHost, rep: number) => T,
  inject: (t: T, lab: Lab) => Promise<void>,
  repair: (t: T, lab: Lab) => Promise<void>,
): Scenario {
  return {
    id,
    faults: [id],
    async run(lab, rep) {
      const master = await lab.baseline();
      const victim = target(lab, master, rep);
      const t = Date.now();
      await inject(victim, lab);
      const stats = await lab.observe(t);
      await repair(victim, lab);
      await lab.settle();
      return [outcome(id, stats)];
    },
  };
}

/** a: SIGKILL one node's process (a different node each run); repaired by starting it again. */
const backendDies = singleFault(
  "a",
  (lab, _master, rep) => lab.backends[rep % lab.backends.length],
  (node) => node.kill(),
  (node) => node.start(),
);

/** a': one node's bridge port goes down: packets to it vanish, nothing resets; repaired by link up. */
const backendVanishes = singleFault(
  "a'",
  (lab, _master, rep) => lab.backends[rep % lab.backends.length],
  (node, lab) => setMachineLink(lab.names, node.role, false),
  (node, lab) => setMachineLink(lab.names, node.role, true),
);

/** b: the MASTER dies (link down, all its processes killed); d: it returns (VIP removed, link up, HAProxy then Keepalived). */
const masterDiesAndReturns: Scenario = {
  id: "b",
  faults: ["b", "d"],
  async run(lab) {
    const master = await lab.baseline();
    const t = Date.now();
    await master.crash();
    const b = await lab.observe(t);
    const t2 = Date.now();
    await master.returnHost();
    const d = await lab.observe(t2, { minMs: 5000 });
    await lab.settle();
    return [outcome("b", b), outcome("d", d)];
  },
};

/** b': SIGTERM to Keepalived on the MASTER; repaired by starting it again. */
const keepalivedStops = singleFault(
  "b'",
  (_lab, master) => master,
  (master) => master.stopKeepalived(),
  (master) => master.startKeepalived(),
);

/** c: SIGKILL HAProxy (master and workers) on the MASTER; repaired by starting it again. */
const haproxyDies = singleFault(
  "c",
  (_lab, master) => master,
  (master) => master.killHaproxy(),
  (master) => master.startHaproxy(),
);

async function secondsUntil(what: string, cond: () => Promise<boolean>, since: number, timeoutMs: number): Promise<number | null> {
  try {
    await waitFor(what, async () => (await cond()) || undefined, timeoutMs, 20);
    return (Date.now() - since) / 1000;
  } catch {
    return null;
  }
}

/**
 * e: VRRP between the load balancers is cut (their bridge ports isolated from each other, see
 * setMachineIsolated), so both become MASTER; after 1 s more the cut is healed. Measures when
 * both held the VIP, when exactly one holds it again, the failed requests from the cut to the
 * end of observation, and the seconds from healing until requests succeed again.
 */
const splitBrain: Scenario = {
  id: "e",
  faults: ["e"],
  async run(lab) {
    await lab.baseline();
    const t = Date.now();
    await Promise.all(LB_ROLES.map((role) => setMachineIsolated(lab.names, role, true)));
    const bothMasterS = await secondsUntil("both hosts to hold the VIP", async () => (await lab.holders()).length === 2, t, 8000);
    await sleep(1000);
    const healedAt = Date.now();
    await Promise.all(LB_ROLES.map((role) => setMachineIsolated(lab.names, role, false)));
    const oneHolderS = await secondsUntil("one VIP holder", async () => (await lab.holders()).length === 1, healedAt, 10_000);
    // Up to 90 s: a client whose ARP entry still names the loser only recovers when that entry expires.
    const stats = await lab.observe(healedAt, { statsFrom: t, maxMs: 90_000 });
    const afterHealing = windowStats(lab.prober.results, healedAt, stats.until);
    await lab.settle();
    return [outcome("e", { ...stats, restoredS: afterHealing.restoredS }, { bothMasterS, oneHolderS })];
  },
};

/** The live config's line that makes haproxy refuse the pushed file. */
export const BROKEN_LINE = "    this-keyword-does-not-exist-in-haproxy";

/**
 * f: a broken haproxy.cfg (the valid one plus an unknown keyword) is pushed to the MASTER with the
 * push script. Expected: exit code 3, the live file unchanged, no reload, no failed request.
 */
const brokenPush: Scenario = {
  id: "f",
  faults: ["f"],
  async run(lab) {
    const master: LbHost = await lab.baseline();
    const files = lab.filesFor(master);
    const before = master.liveFile(HAPROXY_CFG);
    const t = Date.now();
    const result = await master.push({ ...files, haproxyConfig: `${files.haproxyConfig}${BROKEN_LINE}\n` });
    const liveUnchanged = master.liveFile(HAPROXY_CFG) === before;
    const stats = await lab.observe(t);
    lab.log(`f: push exit ${result.code}: ${result.stderr.trim().split("\n").pop()}`);
    lab.markCalm();
    return [outcome("f", stats, { refused: result.code === 3, liveUnchanged })];
  },
};

/** Every scenario, in table order. */
export const SCENARIOS: readonly Scenario[] = [
  backendDies,
  backendVanishes,
  masterDiesAndReturns,
  keepalivedStops,
  haproxyDies,
  splitBrain,
  brokenPush,
];

/**
 * The scenarios with the given ids (`b` also yields d).
 * @throws Error for an unknown id.
 */
export function scenariosById(ids: readonly string[]): Scenario[] {
  return ids.map((id) => {
    const s = SCENARIOS.find((x) => x.id === id);
    if (!s) throw new Error(`unknown fault ${JSON.stringify(id)}; use ${SCENARIOS.map((x) => x.id).join(", ")}`);
    return s;
  });
}
