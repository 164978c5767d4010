import { LATENCY_SAMPLES_MAX } from './latency-stats.ts';

/** One request of a phase: resolves true on the expected success status, false otherwise. */
export type Request = () => Promise<boolean>;

export type PhaseResult = {
  name: string;
  clients: number;
  durationMs: number;
  okCount: number;
  errorCount: number;
  /** Every request's latency, failed ones included (up to LATENCY_SAMPLES_MAX). */
  latenciesMs: number[];
};

export const PROGRESS_INTERVAL_MS = 1_000;

/**
 * Closed loop: `clients` workers each send one request at a time, back to back, until the
 * duration is over. Throughput is ok responses / elapsed time. Latency covers every request,
 * answered with an error or not at all included: a fast failure must not flatter the figures,
 * and a slow one (a timeout) must show in them. Errors are also counted on their own.
 */
export async function runPhase(options: {
  name: string;
  clients: number;
  durationMs: number;
  request: Request;
  progress: (line: string) => void;
}): Promise<PhaseResult> {
  const result: PhaseResult = {
    name: options.name,
    clients: options.clients,
    durationMs: 0,
    okCount: 0,
    errorCount: 0,
    latenciesMs: [],
  };
  const startedMs = performance.now();
  const deadlineMs = startedMs + options.durationMs;
  let lastOkCount = 0;
  const timer = setInterval(() => {
    const rate = (result.okCount - lastOkCount) / (PROGRESS_INTERVAL_MS / 1000);
    lastOkCount = result.okCount;
    const elapsedS = ((performance.now() - startedMs) / 1000).toFixed(0);
    options.progress(
      `  ${options.name} ${elapsedS}s: ${result.okCount} ok, ${result.errorCount} errors, ${rate.toFixed(0)}/s`,
    );
  }, PROGRESS_INTERVAL_MS);
  const worker = async () => {
    while (performance.now() < deadlineMs) {
      const beganMs = performance.now();
      const ok = await options.request().catch(() => false);
      if (result.latenciesMs.length < LATENCY_SAMPLES_MAX)
        result.latenciesMs.push(performance.now() - beganMs);
      if (ok) result.okCount++;
      else result.errorCount++;
    }
  };
  try {
    await Promise.all(Array.from({ length: options.clients }, worker));
  } finally {
    clearInterval(timer);
  }
  result.durationMs = performance.now() - startedMs;
  return result;
}
