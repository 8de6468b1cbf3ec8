/**
 * The fault scenarios of the lab. Each starts from {@link Lab.baseline} (one VIP holder, requests
 * succeeding), injects its fault at a recorded instant, observes the requests, repairs the fault
 * and waits for the config's settle time. Every wait is bounded (Lab.observe, waitFor).
 */
import { HAPROXY_CFG, LbHost } from "./lbHost";
import { Lab } from "./lab";
import { sleep, waitFor } from "./proc";
import { FaultId, Outcome, StreamOutcome } from "./results";
import { LB_ROLES, setMachineIsolated, setMachineLink } from "./topology";
import { okPercent, windowStats, WindowStats } from "./prober";

/** A scenario yields the outcome of one or more faults (b and d share one: d repairs b). */
export interface Scenario {
  /** Scenario id, as accepted on the command line: a, a', b, b', c, e, f, g, h, i, j, k, l (b also measures d). */
  id: string;
  faults: FaultId[];
  run(lab: Lab, rep: number): Promise<Outcome[]>;
}

function outcome(fault: FaultId, s: WindowStats, extra: Partial<Outcome> = {}): Outcome {
  return { fault, failed: s.failed, restoredS: s.restoredS, slowestOkMs: s.slowestOkMs, failures: s.failures, ...extra };
}

/** Streams a scenario opens through the VIP before its fault (as many as the measurement). */
export const STREAMS_PER_FAULT = 4;

/**
 * What happened to the streams `ids` from `since` on: how many ended within 1 s, in all, when the
 * last one ended, and how many reconnected (their reconnect through the VIP was answered).
 */
function streamOutcome(lab: Lab, ids: readonly number[], since: number): StreamOutcome {
  const events = lab.prober.streamEvents.filter((e) => ids.includes(e.stream) && e.t >= since);
  const ended = events.filter((e) => e.event === "closed" && !e.reopen);
  const reopened = new Set(events.filter((e) => e.event === "reopened").map((e) => e.stream));
  const last = ended.length ? Math.max(...ended.map((e) => e.t)) : undefined;
  return {
    open: ids.length,
    resetWithin1s: ended.filter((e) => e.t - since <= 1000).length,
    ended: ended.length,
    lastEndS: last === undefined ? null : (last - since) / 1000,
    reconnected: ended.filter((e) => reopened.has(e.stream)).length,
  };
}

/** Waits (≤ 2.5 s) until every stream of `ids` that ended has reconnected, so the outcome sees the reconnects. */
async function reconnectsSettled(lab: Lab, ids: readonly number[], since: number): Promise<void> {
  await waitFor(
    "ended streams to reconnect",
    () => {
      const o = streamOutcome(lab, ids, since);
      return o.reconnected === o.ended;
    },
    2500,
    50,
  ).catch(() => undefined);
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
  withStreams = false,
): Scenario {
  return {
    id,
    faults: [id],
    async run(lab, rep) {
      const master = await lab.baseline();
      const ids = withStreams ? await lab.prober.openStreams(STREAMS_PER_FAULT) : [];
      const victim = target(lab, master, rep);
      const t = Date.now();
      await inject(victim, lab);
      const stats = await lab.observe(t);
      if (withStreams) await reconnectsSettled(lab, ids, t);
      const streams = withStreams ? streamOutcome(lab, ids, t) : undefined;
      if (withStreams) lab.prober.closeStreams();
      await repair(victim, lab);
      await lab.settle();
      return [outcome(id, stats, streams ? { streams } : {})];
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
    const bIds = await lab.prober.openStreams(STREAMS_PER_FAULT);
    const t = Date.now();
    await master.crash();
    const b = await lab.observe(t);
    const bStreams = streamOutcome(lab, bIds, t);
    lab.prober.closeStreams();
    // the streams for d go through the new holder; the old MASTER's return must not break them
    const dIds = await lab.prober.openStreams(STREAMS_PER_FAULT);
    const t2 = Date.now();
    await master.returnHost();
    const d = await lab.observe(t2, { minMs: 5000 });
    const dStreams = streamOutcome(lab, dIds, t2);
    lab.prober.closeStreams();
    await lab.settle();
    return [outcome("b", b, { streams: bStreams }), outcome("d", d, { streams: dStreams })];
  },
};

/** b': SIGTERM to Keepalived on the MASTER; repaired by starting it again. */
const keepalivedStops = singleFault(
  "b'",
  (_lab, master) => master,
  (master) => master.stopKeepalived(),
  (master) => master.startKeepalived(),
  true,
);

/** c: SIGKILL HAProxy (master and workers) on the MASTER; repaired by starting it again. */
const haproxyDies = singleFault(
  "c",
  (_lab, master) => master,
  (master) => master.killHaproxy(),
  (master) => master.startHaproxy(),
  true,
);

/**
 * g: kube-apiserver stops on every node (etcd quorum lost) while apid keeps running. Observes the
 * Talos API probes through the VIP for 5 s and whether the VIP moves; repaired by starting the
 * apiservers again and waiting until Kubernetes API requests succeed.
 */
const apiserversDown: Scenario = {
  id: "g",
  faults: ["g"],
  async run(lab) {
    const master = await lab.baseline();
    const t = Date.now();
    await Promise.all(lab.backends.map((b) => b.command("api down")));
    const moves = await countMoves(lab, master, 5000);
    const until = Date.now();
    await waitFor("Talos API probes in flight to end", () => !lab.prober.inFlightSince(until), 2000, 20).catch(() => undefined);
    const talosOkPct = okPercent(lab.prober.talosResults, t, until);
    const stats = windowStats(lab.prober.results, t, until);
    await Promise.all(lab.backends.map((b) => b.command("api up")));
    await lab.observe(Date.now(), { minMs: 1000, maxMs: 20_000 });
    await lab.settle();
    return [outcome("g", stats, { talosOkPct, vipMoves: moves.moves })];
  },
};

/**
 * l: the MASTER alone loses every Kubernetes API node (its TCP to port 6443 is blackholed; the
 * Talos API still works from both hosts). Expected: the peer, which still sees them, takes the
 * VIP. Measures the Kubernetes API requests until restored and the Talos API probes meanwhile;
 * repaired by removing the cut.
 */
const masterLosesKubernetesApi: Scenario = {
  id: "l",
  faults: ["l"],
  async run(lab) {
    const master = await lab.baseline();
    const t = Date.now();
    await master.cutKubernetesApi(true);
    const stats = await lab.observe(t, { minMs: 6000, maxMs: 20_000 });
    const talosOkPct = okPercent(lab.prober.talosResults, t, stats.until);
    const holders = await lab.holders();
    await master.cutKubernetesApi(false);
    await lab.settle();
    return [outcome("l", stats, { talosOkPct, vipMoves: holders.length === 1 && holders[0] !== master ? 1 : 0 })];
  },
};

/**
 * Polls the VIP holders every 50 ms for `ms` and counts the VIP changing hands (a host that did
 * not hold it taking it), and the seconds two hosts held it at once.
 */
async function countMoves(
  lab: Lab,
  start: LbHost,
  ms: number,
): Promise<{ moves: number; twoHoldersS: number; last: LbHost[]; firstMoveAt?: number }> {
  let holders: LbHost[] = [start];
  let moves = 0;
  let twoMs = 0;
  let firstMoveAt: number | undefined;
  const end = Date.now() + ms;
  let prev = Date.now();
  while (Date.now() < end) {
    const now = await lab.holders();
    const t = Date.now();
    if (now.length > 1) twoMs += t - prev;
    prev = t;
    if (now.some((h) => !holders.includes(h))) {
      moves++;
      firstMoveAt ??= t;
    }
    // the clients follow the latest gratuitous ARP: a host that kept the VIP while another took it
    // "moves it back" when the other one gives it up
    if (holders.length > 1 && now.length === 1 && now[0] === start && moves > 0) moves++;
    holders = now.length ? now : holders;
    await sleep(50);
  }
  return { moves, twoHoldersS: twoMs / 1000, last: holders, firstMoveAt };
}

/**
 * h: one node's kube-apiserver keeps serving but is not ready (`/readyz` 500 to authenticated
 * requests, like etcd lagging). Measures when the last Kubernetes API request reached that node;
 * repaired by making it ready again.
 */
const backendNotReady: Scenario = {
  id: "h",
  faults: ["h"],
  async run(lab, rep) {
    await lab.baseline();
    const node = lab.backends[rep % lab.backends.length];
    const t = Date.now();
    await node.command("notready");
    const stats = await lab.observe(t, { minMs: 5000 });
    const hits = lab.prober.results.filter((r) => r.t0 >= t && r.node === node.role);
    const lastHit = hits.length ? Math.max(...hits.map((r) => r.t0)) : t;
    const stillHit = hits.some((r) => r.t0 >= stats.until - 1000);
    await node.command("ready");
    await lab.settle();
    await sleep(1500); // HAProxy needs rise × downinter to take the node back
    return [outcome("h", stats, { outOfRotationS: stillHit ? null : (lastHit - t) / 1000 })];
  },
};

/** i: HAProxy hangs on the MASTER (SIGSTOP); repaired by SIGCONT. */
const haproxyHangs = singleFault(
  "i",
  (_lab, master) => master,
  async (master) => master.freezeHaproxy(),
  async (master) => master.resumeHaproxy(),
  true,
);

/** How long fault j freezes Keepalived: above the master-down interval of both profiles (0.61 s, 0.31 s). */
export const STALL_MS = 2000;

/**
 * j: every Keepalived process of the MASTER is frozen (SIGSTOP) for {@link STALL_MS}, then
 * resumed. Counts the VIP moves and the seconds with two holders; the streams are judged from the
 * moment the peer took the VIP (the frozen host's HAProxy still runs: its client keepalive probes
 * leave from the VIP, the clients' answers reach the new holder, which resets them).
 */
const keepalivedStalls: Scenario = {
  id: "j",
  faults: ["j"],
  async run(lab, rep) {
    // alternate the frozen host (lb1 has the lower address, lb2 the higher): move the VIP first if needed
    const wanted = lab.lbs[rep % lab.lbs.length];
    let master = await lab.baseline();
    if (master !== wanted) {
      await master.stopKeepalived();
      await waitFor(`${wanted.role} to take the VIP`, async () => (await wanted.holdsVip()) || undefined, 5000, 50);
      await master.startKeepalived();
      await lab.settle();
      master = await lab.baseline();
    }
    const ids = await lab.prober.openStreams(STREAMS_PER_FAULT);
    const t = Date.now();
    master.freezeKeepalived();
    const during = await countMoves(lab, master, STALL_MS);
    master.resumeKeepalived();
    const resumedAt = Date.now();
    const after = await countMoves(lab, during.last.length === 1 ? during.last[0] : master, 3000);
    const stats = await lab.observe(t);
    const movedAt = during.firstMoveAt ?? resumedAt;
    await reconnectsSettled(lab, ids, movedAt);
    const streams = streamOutcome(lab, ids, movedAt);
    lab.prober.closeStreams();
    const others = lab.lbs.filter((lb) => lb !== master);
    const stalledHost = others.every((o) => ipNumber(o.ip) < ipNumber(master.ip)) ? "higher" : "lower";
    const finalHolder = (await lab.holders())[0];
    // moves seen by clients: to the peer during the stall, and back if the frozen host kept it
    const moves = during.moves === 0 ? 0 : finalHolder === master ? 2 : 1;
    await lab.settle();
    return [
      outcome("j", stats, {
        streams: { ...streams, hostKeptVip: finalHolder === master },
        vipMoves: moves,
        stalledHost,
        twoHoldersS: during.twoHoldersS + after.twoHoldersS,
      }),
    ];
  },
};

function ipNumber(ip: string): number {
  return ip.split(".").reduce((n, octet) => n * 256 + Number(octet), 0);
}

/**
 * k: both load balancers go down together (link down, every process killed) and come back at the
 * same time (VIP removed, link up, HAProxy then Keepalived). Measured from the return.
 */
const bothRestart: Scenario = {
  id: "k",
  faults: ["k"],
  async run(lab) {
    await lab.baseline();
    await Promise.all(lab.lbs.map((lb) => lb.crash()));
    const t = Date.now();
    await Promise.all(lab.lbs.map((lb) => lb.returnHost()));
    const stats = await lab.observe(t, { minMs: 4000 });
    await lab.settle();
    return [outcome("k", stats)];
  },
};

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
  apiserversDown,
  backendNotReady,
  haproxyHangs,
  keepalivedStalls,
  bothRestart,
  masterLosesKubernetesApi,
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
