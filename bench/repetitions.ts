import { type LatencySummary, summarizeLatencies } from './latency-stats.ts';
import type { PhaseResult } from './load-loop.ts';

/** A figure measured once per repetition: the median is reported, min–max shows how far runs moved. */
export type Spread = { median: number; min: number; max: number; runs: number[] };

export function spreadOf(values: readonly number[]): Spread {
  if (values.length === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN, runs: [] };
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  return { median, min: sorted[0]!, max: sorted.at(-1)!, runs: [...values] };
}

/** One repetition of a phase. */
export type RunReport = {
  durationS: number;
  throughputPerS: number;
  okCount: number;
  errorCount: number;
  /** Over every request of the run, failed ones included. */
  latency: LatencySummary;
  /** Unexpected answers by "<status> <code>". */
  errors: Record<string, number>;
};

/** A phase over its repetitions: medians with their spread; error counts are totals. */
export type PhaseReport = {
  name: string;
  clients: number;
  runs: RunReport[];
  throughputPerS: Spread;
  latency: { p50Ms: Spread; p95Ms: Spread; p99Ms: Spread; maxMs: Spread };
  requestCount: number;
  errorCount: number;
};

export function toRunReport(result: PhaseResult, errors: Record<string, number>): RunReport {
  const durationS = result.durationMs / 1000;
  return {
    durationS,
    throughputPerS: result.okCount / durationS,
    okCount: result.okCount,
    errorCount: result.errorCount,
    latency: summarizeLatencies(result.latenciesMs),
    errors,
  };
}

export function summarizeRuns(name: string, clients: number, runs: RunReport[]): PhaseReport {
  const latency = (pick: (summary: LatencySummary) => number) =>
    spreadOf(runs.map((run) => pick(run.latency)));
  return {
    name,
    clients,
    runs,
    throughputPerS: spreadOf(runs.map((run) => run.throughputPerS)),
    latency: {
      p50Ms: latency((summary) => summary.p50Ms),
      p95Ms: latency((summary) => summary.p95Ms),
      p99Ms: latency((summary) => summary.p99Ms),
      maxMs: latency((summary) => summary.maxMs),
    },
    requestCount: runs.reduce((sum, run) => sum + run.okCount + run.errorCount, 0),
    errorCount: runs.reduce((sum, run) => sum + run.errorCount, 0),
  };
}
