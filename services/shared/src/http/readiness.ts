import type { Pool } from '../db/pool.ts';
import { withinTimeout } from '../within-timeout.ts';
import { singleFlight } from './single-flight.ts';

/** A readiness probe answers within this even when a dependency hangs. */
export const READINESS_CHECK_TIMEOUT_MS = 2_000;
/**
 * A readiness report is reused for this long: probes (and load balancers, and anyone else who
 * can reach the unauthenticated /readyz) cost the dependencies at most one check per second.
 */
export const READINESS_REUSE_MS = 1_000;

export type ReadinessReport = { ready: boolean; checks: Record<string, boolean> };
export type ReadinessProbes = Record<string, () => Promise<boolean> | boolean>;

/** Runs every probe at once, each bounded by a timeout; a probe that throws or hangs counts as failing. */
export async function checkReadiness(probes: ReadinessProbes): Promise<ReadinessReport> {
  const names = Object.keys(probes);
  const results = await Promise.all(names.map((name) => withTimeout(probes[name]!)));
  const checks = Object.fromEntries(names.map((name, index) => [name, results[index]!]));
  return { ready: results.every(Boolean), checks };
}

/**
 * The readiness check a service serves: the report is cached for `reuseMs` and concurrent
 * callers share one run; each probe is single-flight too, so a probe that timed out (counted as
 * failing) but still runs is joined by the next report instead of being started a second time.
 */
export function createReadinessCheck(
  probes: ReadinessProbes,
  options: { reuseMs?: number } = {},
): () => Promise<ReadinessReport> {
  const shared: ReadinessProbes = Object.fromEntries(
    Object.entries(probes).map(([name, probe]) => [name, singleFlight(async () => probe())]),
  );
  return singleFlight(() => checkReadiness(shared), { reuseMs: options.reuseMs ?? READINESS_REUSE_MS });
}

/** A probe that throws, or does not answer within READINESS_CHECK_TIMEOUT_MS, counts as failing. */
function withTimeout(probe: () => Promise<boolean> | boolean): Promise<boolean> {
  return withinTimeout(Promise.resolve().then(probe), READINESS_CHECK_TIMEOUT_MS).catch(() => false);
}

export async function databaseAnswers(pool: Pool): Promise<boolean> {
  await pool.query('SELECT 1');
  return true;
}
