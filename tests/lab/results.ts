/**
 * Lab results: one {@link Outcome} per fault and run, the goals, and the summary table (median
 * and range over the runs of each fault).
 */

/** The faults of the lab (issue 3). */
export const FAULT_IDS = ["a", "a'", "b", "b'", "c", "d", "e", "f"] as const;
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
});

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

/** Goals with the project defaults (issue 3). */
export const DEFAULT_GOALS: Readonly<Partial<Record<FaultId, Goal>>> = Object.freeze({
  a: { text: "0 failed", met: zeroFailed },
  "a'": { text: "0 failed", met: zeroFailed },
  b: { text: "restored ≤ 1.0 s", met: restoredWithin(1.0) },
  "b'": { text: "restored ≤ 0.3 s", met: restoredWithin(0.3) },
  c: { text: "restored ≤ 1.0 s", met: restoredWithin(1.0) },
  d: { text: "0 failed", met: zeroFailed },
  e: { text: "one holder ≤ 3 s after healing", met: (s: FaultSummary) => (s.oneHolderS?.median ?? Infinity) <= 3 },
  f: {
    text: "refused, old config serves, 0 failed",
    met: (s: FaultSummary) => zeroFailed(s) && s.refusedAll === true && s.unchangedAll === true,
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

function extra(s: FaultSummary): string {
  if (s.fault === "e") return `both MASTER after ${fmtStat(s.bothMasterS, 2)} s; one holder ${fmtStat(s.oneHolderS, 2)} s after healing`;
  if (s.fault === "f") return `push refused: ${s.refusedAll ? "yes" : "NO"}; live config unchanged: ${s.unchangedAll ? "yes" : "NO"}`;
  return "";
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
