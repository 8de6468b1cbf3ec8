/**
 * Lab results: one {@link Outcome} per fault and run, the goals, and the summary table (median
 * and range over the runs of each fault).
 */

/** The faults of the lab (issue 3; g to k from issue 12). */
export const FAULT_IDS = ["a", "a'", "b", "b'", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l"] as const;
/** One of {@link FAULT_IDS}. */
export type FaultId = (typeof FAULT_IDS)[number];

/** What each fault does. */
export const FAULT_TITLES: Readonly<Record<FaultId, string>> = Object.freeze({
  a: "a backend's processes die",
  "a'": "a backend host vanishes (link down, no reset)",
  b: "MASTER LB host dies (link down + all processes killed)",
  "b'": "Keepalived on the MASTER stops gracefully",
  c: "only HAProxy dies on the MASTER",
  d: "the old MASTER returns",
  e: "split brain (VRRP cut, then healed)",
  f: "a broken haproxy.cfg is pushed",
  g: "kube-apiserver down on every node, apid up",
  h: "a node's kube-apiserver serves but is not ready",
  i: "HAProxy hung (SIGSTOP) on the MASTER",
  j: "Keepalived frozen 2 s on the MASTER, then resumed",
  k: "both load balancers restart together",
  l: "the MASTER alone loses every Kubernetes API node",
});

/** What happened to 4 idle watch streams open through the VIP when the fault hit. */
export interface StreamOutcome {
  /** Streams open before the fault. */
  open: number;
  /** Streams that ended (reset or closed) within 1 s of the fault (of the peer taking the VIP, for j). */
  resetWithin1s: number;
  /** Streams that ended within the observation. */
  ended: number;
  /** Seconds from the fault to the last stream that ended (null: none ended). */
  lastEndS: number | null;
  /** Ended streams whose reconnect through the VIP was answered. */
  reconnected: number;
  /** j: the stalled host, which carries the streams, ended up holding the VIP (the streams never led nowhere). */
  hostKeptVip?: boolean;
}

/** One run of one fault. */
export interface Outcome {
  fault: FaultId;
  /** Failed requests (new TLS connection + GET /readyz every 100 ms, 1 s limit). */
  failed: number;
  /** Seconds from the fault until requests succeed again (0: none failed; null: not within the window). */
  restoredS: number | null;
  /** Slowest successful request, ms. */
  slowestOkMs: number;
  /** Failed requests by reason. */
  failures: Record<string, number>;
  /** e: seconds from healing the VRRP cut until exactly one host holds the VIP (null: not within 10 s). */
  oneHolderS?: number | null;
  /** e: seconds from the cut until both hosts held the VIP (null: never, within 8 s). */
  bothMasterS?: number | null;
  /** f: the push script refused the file (exit code 3). */
  refused?: boolean;
  /** f: the live haproxy.cfg was unchanged afterwards. */
  liveUnchanged?: boolean;
  /** Long-lived streams (b, b', c, d, i, j). */
  streams?: StreamOutcome;
  /** g, l: share of Talos API probes through the VIP that succeeded, %, from the fault for 5 s (l: until restored). */
  talosOkPct?: number;
  /** g: times the VIP changed hands during the fault. */
  vipMoves?: number;
  /** h: seconds from the fault until no request reached the not-ready node any more (null: it still got requests at the end). */
  outOfRotationS?: number | null;
  /** j: which host was frozen: the one with the lower or the higher address (VRRP's tie-break favours the higher). */
  stalledHost?: "lower" | "higher";
  /** j: seconds both hosts held the VIP. */
  twoHoldersS?: number;
}

/** A goal for one fault, checked on the medians. */
export interface Goal {
  text: string;
  met(s: FaultSummary): boolean;
}

/** Median and range of one fault over its runs. */
export interface FaultSummary {
  fault: FaultId;
  runs: number;
  failed: Stat;
  restoredS: Stat;
  slowestOkMs: Stat;
  oneHolderS?: Stat;
  bothMasterS?: Stat;
  /** f: refused in every run. */
  refusedAll?: boolean;
  /** f: live config unchanged in every run. */
  unchangedAll?: boolean;
  /** Runs' stream outcomes, in run order. */
  streams?: StreamOutcome[];
  talosOkPct?: Stat;
  vipMoves?: Stat;
  outOfRotationS?: Stat;
  twoHoldersS?: Stat;
  /** j: VIP moves of each run with the host that stalled. */
  stallMoves?: Array<{ host: "lower" | "higher"; moves: number }>;
}

/** Median, min, max; Infinity stands for "not within the window". */
export interface Stat {
  median: number;
  min: number;
  max: number;
}

/** Median (mean of the two middle values for an even count), min and max; nulls count as Infinity. */
export function stat(values: ReadonlyArray<number | null>): Stat {
  const v = values.map((x) => (x === null ? Infinity : x)).sort((a, b) => a - b);
  if (v.length === 0) return { median: NaN, min: NaN, max: NaN };
  const mid = Math.floor(v.length / 2);
  const median = v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
  return { median, min: v[0], max: v[v.length - 1] };
}

const zeroFailed = (s: FaultSummary) => s.failed.median === 0;
const restoredWithin = (limit: number) => (s: FaultSummary) => s.restoredS.median <= limit;
/** Every run reset every open stream within 1 s and every one reconnected. */
const streamsResetWithin1s = (s: FaultSummary) =>
  (s.streams ?? []).length > 0 && s.streams!.every((o) => o.open > 0 && o.resetWithin1s === o.open && o.reconnected === o.open);
const noStreamEnded = (s: FaultSummary) => (s.streams ?? []).length > 0 && s.streams!.every((o) => o.ended === 0);
/**
 * One VIP move per stall where VRRP allows it: a resumed MASTER of equal priority keeps the VIP
 * only when its address is the higher one (RFC 5798 §6.4.3), which is the documented trade-off.
 */
const oneMovePerStall = (s: FaultSummary) =>
  (s.stallMoves ?? []).length > 0 && s.stallMoves!.every((m) => (m.host === "lower" ? m.moves === 1 : m.moves <= 2));

/** Goals with the project defaults (issue 3). */
export const DEFAULT_GOALS: Readonly<Partial<Record<FaultId, Goal>>> = Object.freeze({
  a: { text: "0 failed", met: zeroFailed },
  "a'": { text: "0 failed", met: zeroFailed },
  b: { text: "restored ≤ 1.0 s", met: restoredWithin(1.0) },
  "b'": {
    text: "restored ≤ 0.3 s; 4/4 streams reset ≤ 1 s and reconnected",
    met: (s: FaultSummary) => restoredWithin(0.3)(s) && streamsResetWithin1s(s),
  },
  c: { text: "restored ≤ 1.0 s; 4/4 streams reset ≤ 1 s", met: (s: FaultSummary) => restoredWithin(1.0)(s) && streamsResetWithin1s(s) },
  d: { text: "0 failed; no stream broken", met: (s: FaultSummary) => zeroFailed(s) && noStreamEnded(s) },
  e: { text: "one holder ≤ 3 s after healing", met: (s: FaultSummary) => (s.oneHolderS?.median ?? Infinity) <= 3 },
  f: {
    text: "refused, old config serves, 0 failed",
    met: (s: FaultSummary) => zeroFailed(s) && s.refusedAll === true && s.unchangedAll === true,
  },
  g: {
    text: "Talos API through the VIP ≥ 99 %; VIP stays",
    met: (s: FaultSummary) => (s.talosOkPct?.min ?? 0) >= 99 && (s.vipMoves?.max ?? 1) === 0,
  },
  i: { text: "restored ≤ 1.0 s; 4/4 streams reset ≤ 1 s", met: (s: FaultSummary) => restoredWithin(1.0)(s) && streamsResetWithin1s(s) },
  j: {
    text: "1 VIP move per stall (2 when the higher-address host stalled: the documented trade-off); 4/4 streams reset ≤ 1 s after the peer took the VIP",
    met: (s: FaultSummary) => oneMovePerStall(s) && streamsResetWithin1s(s),
  },
  k: { text: "restored ≤ 2.0 s after the restart", met: restoredWithin(2.0) },
  l: {
    text: "the peer takes the VIP; Kubernetes API restored ≤ 6 s; Talos API ≥ 99 %",
    met: (s: FaultSummary) => restoredWithin(6)(s) && (s.vipMoves?.min ?? 0) === 1 && (s.talosOkPct?.min ?? 0) >= 99,
  },
});

/** Goals of the authenticated configuration: the defaults' plus h. */
export const AUTH_GOALS: Readonly<Partial<Record<FaultId, Goal>>> = Object.freeze({
  ...DEFAULT_GOALS,
  h: {
    text: "not-ready node out of rotation ≤ 2 s, 0 failed",
    met: (s: FaultSummary) => zeroFailed(s) && (s.outOfRotationS?.max ?? Infinity) <= 2,
  },
});

/** Goals of the fast profile: the defaults' goals with b and c ≤ 0.5 s. */
export const FAST_GOALS: Readonly<Partial<Record<FaultId, Goal>>> = Object.freeze({
  ...DEFAULT_GOALS,
  b: { text: "restored ≤ 0.5 s", met: restoredWithin(0.5) },
  c: { text: "restored ≤ 0.5 s", met: restoredWithin(0.5) },
});

function optionalStat(outcomes: Outcome[], pick: (o: Outcome) => number | null | undefined): Stat | undefined {
  const values = outcomes.map(pick).filter((v): v is number | null => v !== undefined);
  return values.length ? stat(values) : undefined;
}

/** Summaries per fault, in {@link FAULT_IDS} order, of the faults that have outcomes. */
export function summarize(outcomes: readonly Outcome[]): FaultSummary[] {
  return FAULT_IDS.flatMap((fault) => {
    const runs = outcomes.filter((o) => o.fault === fault);
    if (runs.length === 0) return [];
    const summary: FaultSummary = {
      fault,
      runs: runs.length,
      failed: stat(runs.map((o) => o.failed)),
      restoredS: stat(runs.map((o) => o.restoredS)),
      slowestOkMs: stat(runs.map((o) => o.slowestOkMs)),
      oneHolderS: optionalStat(runs, (o) => o.oneHolderS),
      bothMasterS: optionalStat(runs, (o) => o.bothMasterS),
    };
    if (fault === "f") {
      summary.refusedAll = runs.every((o) => o.refused === true);
      summary.unchangedAll = runs.every((o) => o.liveUnchanged === true);
    }
    const streams = runs.flatMap((o) => (o.streams ? [o.streams] : []));
    if (streams.length) summary.streams = streams;
    summary.talosOkPct = optionalStat(runs, (o) => o.talosOkPct);
    summary.vipMoves = optionalStat(runs, (o) => o.vipMoves);
    summary.outOfRotationS = optionalStat(runs, (o) => o.outOfRotationS);
    summary.twoHoldersS = optionalStat(runs, (o) => o.twoHoldersS);
    const stalls = runs.flatMap((o) => (o.stalledHost ? [{ host: o.stalledHost, moves: o.vipMoves ?? 0 }] : []));
    if (stalls.length) summary.stallMoves = stalls;
    return [summary];
  });
}

function fmt(n: number, digits: number): string {
  return Number.isFinite(n) ? n.toFixed(digits) : "never";
}

function fmtStat(s: Stat | undefined, digits: number): string {
  if (!s) return "–";
  if (s.min === s.max) return fmt(s.median, digits);
  return `${fmt(s.median, digits)} [${fmt(s.min, digits)}–${fmt(s.max, digits)}]`;
}

function streamText(list: StreamOutcome[]): string {
  const sum = (pick: (o: StreamOutcome) => number) => list.reduce((n, o) => n + pick(o), 0);
  const last = list.map((o) => o.lastEndS).filter((x): x is number => x !== null);
  return (
    `streams: ${sum((o) => o.resetWithin1s)}/${sum((o) => o.open)} reset ≤ 1 s, ${sum((o) => o.ended)} ended, ` +
    `${sum((o) => o.reconnected)} reconnected` +
    (last.length ? `, last after ≤ ${Math.max(...last).toFixed(2)} s` : "")
  );
}

function extra(s: FaultSummary): string {
  const parts: string[] = [];
  if (s.fault === "e")
    parts.push(`both MASTER after ${fmtStat(s.bothMasterS, 2)} s; one holder ${fmtStat(s.oneHolderS, 2)} s after healing`);
  if (s.fault === "f") parts.push(`push refused: ${s.refusedAll ? "yes" : "NO"}; live config unchanged: ${s.unchangedAll ? "yes" : "NO"}`);
  if (s.talosOkPct) parts.push(`Talos API OK ${fmtStat(s.talosOkPct, 1)} %`);
  if (s.vipMoves && !s.stallMoves) parts.push(`VIP moves ${fmtStat(s.vipMoves, 0)}`);
  if (s.outOfRotationS) parts.push(`not-ready node out of rotation after ${fmtStat(s.outOfRotationS, 2)} s`);
  if (s.stallMoves) parts.push(`VIP moves by stalled host: ${s.stallMoves.map((m) => `${m.host} ${m.moves}`).join(", ")}`);
  if (s.twoHoldersS) parts.push(`two holders ${fmtStat(s.twoHoldersS, 2)} s`);
  if (s.streams) parts.push(streamText(s.streams));
  return parts.join("; ");
}

/**
 * A Markdown table: one row per fault with failed requests and seconds until restored as
 * `median [min–max]`, the slowest successful request, fault-specific figures, and the goal with
 * met/missed when `goals` has one. `never` = not restored within the observation window.
 */
export function markdownTable(
  config: string,
  summaries: readonly FaultSummary[],
  goals: Readonly<Partial<Record<FaultId, Goal>>> = {},
): string {
  const head = [
    "| config | fault | runs | failed requests | restored after (s) | slowest OK request (ms) | other | goal | met |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
  ];
  const rows = summaries.map((s) => {
    const goal = goals[s.fault];
    const met = goal ? (goal.met(s) ? "yes" : "**no**") : "–";
    return `| ${config} | ${s.fault}: ${FAULT_TITLES[s.fault]} | ${s.runs} | ${fmtStat(s.failed, 0)} | ${fmtStat(s.restoredS, 1)} | ${fmtStat(s.slowestOkMs, 0)} | ${extra(s)} | ${goal?.text ?? "–"} | ${met} |`;
  });
  return [...head, ...rows].join("\n");
}
