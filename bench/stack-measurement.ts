import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { StackState } from '../scripts/stack/index.ts';
import type { BenchOptions, PhaseName } from './bench-options.ts';
import { createBenchClient, type OperationName, operationRequests } from './bench-requests.ts';
import { type Services, setUpUsers, startServices, stopServices, USERS_FUNDED } from './bench-setup.ts';
import { runPhase } from './load-loop.ts';
import {
  createPgbench,
  PGBENCH_CLIENTS,
  PGBENCH_REFERENCE_CLIENTS,
  PGBENCH_SCALE,
  PGBENCH_THREADS,
  type PgbenchRun,
} from './pgbench.ts';
import { isDurable, type PostgresSettings, readPostgresSettings } from './postgres-settings.ts';
import { type PhaseReport, type RunReport, spreadOf, summarizeRuns, toRunReport } from './repetitions.ts';
import type { PgbenchReport } from './report.ts';

export type HttpPhase = { name: OperationName; clients: number };

/** The HTTP phases of a round, in order. */
export const HTTP_PHASES: HttpPhase[] = [
  { name: 'transferMoney', clients: 1 },
  { name: 'transferMoney', clients: 16 },
  { name: 'transferMoney', clients: 64 },
  { name: 'addMoney', clients: 16 },
  { name: 'getBalance', clients: 16 },
  { name: 'createUser', clients: 16 },
];

export const selectHttpPhases = (phases: ReadonlySet<PhaseName>): HttpPhase[] =>
  HTTP_PHASES.filter((phase) => phases.has(phase.name));

/** How long the services sit after start before their idle memory is read. */
const IDLE_SETTLE_MS = 2_000;

/** What the rounds measured on one stack; the services are stopped by the time it is returned. */
export type StackMeasurement = {
  /** Read from the server with SHOW, not assumed. */
  postgres: PostgresSettings & { durable: boolean };
  phases: PhaseReport[];
  pgbench?: PgbenchReport;
  /** pgbench at the p99 target's 64 clients: PostgreSQL alone at that concurrency, not a yardstick. */
  pgbenchReference?: PgbenchReport;
  /** Resident memory a moment after start, before any load. */
  idleRssMb: Record<string, number | undefined>;
  /** Highest resident memory over the whole run (VmHWM). */
  peakRssMb: Record<string, number | undefined>;
};

export type MeasureStackOptions = {
  stack: StackState;
  bench: BenchOptions;
  httpPhases: HttpPhase[];
  /** The services' logs (and, with --replicas, HAProxy's and PgBouncer's files). */
  logDir: string;
  profileDir: string | undefined;
  /** Makes the bench users' emails unique, as a stack's database may hold earlier runs'. */
  runId: string;
  log: (line: string) => void;
  /** After every measured run (HTTP phase or pgbench), outside its measured time. */
  afterRun?: (phase: string) => Promise<void>;
};

const rssOf = (services: Services | undefined, pick: 'currentMb' | 'peakMb') =>
  services
    ? {
        'transactions-service': services['transactions-service'].rssMb()?.[pick],
        'user-service': services['user-service'].rssMb()?.[pick],
      }
    : {};

/**
 * The services started against `stack`, then rounds of the HTTP phases, each round ending with
 * pgbench on the same PostgreSQL, --repeat rounds; the services are stopped again whatever
 * happens.
 */
export async function measureStack(options: MeasureStackOptions): Promise<StackMeasurement> {
  const { stack, bench, httpPhases, log } = options;
  const operatorToken = stack.operatorToken ?? randomBytes(32).toString('hex');
  const postgresSettings = await readPostgresSettings(stack.postgres.adminUrl);
  const postgres = { ...postgresSettings, durable: isDurable(postgresSettings) };
  log(
    `PostgreSQL ${postgres.version}: fsync ${postgres.fsync}, synchronous_commit ${postgres.synchronousCommit}, full_page_writes ${postgres.fullPageWrites}`,
  );
  const pgbench = bench.phases.has('pgbench') ? createPgbench(stack.postgres.adminUrl, log) : undefined;
  await pgbench?.init();
  const client = createBenchClient(operatorToken);
  let services: Services | undefined;
  try {
    let requests: ReturnType<typeof operationRequests> | undefined;
    let idleRssMb: Record<string, number | undefined> = {};
    if (httpPhases.length > 0) {
      services = await startServices({
        stack,
        operatorToken,
        bench,
        logDir: options.logDir,
        profileDir: options.profileDir,
        log,
      });
      await sleep(IDLE_SETTLE_MS);
      idleRssMb = rssOf(services, 'currentMb');
      log(
        `services up (${bench.fromSource ? 'from source' : 'from dist'}, flags "${bench.serviceNodeFlags.join(' ')}"); funding ${USERS_FUNDED} users`,
      );
      const users = await setUpUsers({
        client,
        services,
        transactionsDbUrl: stack.postgres.databases.transactions,
        runId: options.runId,
      });
      const urls = {
        users: services['user-service'].url,
        transactions: services['transactions-service'].url,
      };
      requests = operationRequests(client, urls, users, options.runId);
    }
    const runs = new Map<string, RunReport[]>();
    const pgbenchRuns: PgbenchRun[] = [];
    const referenceRuns: PgbenchRun[] = [];
    const durationS = bench.phaseDurationMs / 1000;
    // Rounds rather than one phase's runs back to back: a burst of other work on the shared
    // machine then lands in one run of several phases, which the medians absorb.
    for (let round = 1; round <= bench.repeat; round++) {
      for (const { name, clients } of httpPhases) {
        log(
          `${name} with ${clients} clients for ${bench.phaseDurationMs / 1000} s (${round}/${bench.repeat})`,
        );
        const result = await runPhase({
          name,
          clients,
          durationMs: bench.phaseDurationMs,
          request: requests![name],
          progress: log,
        });
        const run = toRunReport(result, client.takeUnexpected());
        runs.set(`${name}@${clients}`, [...(runs.get(`${name}@${clients}`) ?? []), run]);
        if (run.errorCount > 0) log(`  errors: ${JSON.stringify(run.errors)}`);
        log(
          `  → ${run.throughputPerS.toFixed(0)}/s, p50 ${run.latency.p50Ms.toFixed(1)} ms, p99 ${run.latency.p99Ms.toFixed(1)} ms, ${run.errorCount} errors`,
        );
        await options.afterRun?.(`${name}@${clients}`);
      }
      if (pgbench) {
        const run = await pgbench.run(durationS);
        pgbenchRuns.push(run);
        log(`  → pgbench ${run.tps.toFixed(0)} tps (${round}/${bench.repeat})`);
        await options.afterRun?.('pgbench');
        const reference = await pgbench.run(durationS, PGBENCH_REFERENCE_CLIENTS);
        referenceRuns.push(reference);
        log(
          `  → pgbench @${PGBENCH_REFERENCE_CLIENTS}: ${reference.tps.toFixed(0)} tps, p99 ${reference.p99Ms.toFixed(1)} ms (${round}/${bench.repeat})`,
        );
        await options.afterRun?.(`pgbench@${PGBENCH_REFERENCE_CLIENTS}`);
      }
    }
    const peakRssMb = rssOf(services, 'peakMb');
    const pgbenchReport = pgbench && pgbenchReportOf(pgbenchRuns, PGBENCH_CLIENTS, durationS);
    const referenceReport = pgbench && pgbenchReportOf(referenceRuns, PGBENCH_REFERENCE_CLIENTS, durationS);
    return {
      postgres,
      phases: httpPhases.map(({ name, clients }) =>
        summarizeRuns(name, clients, runs.get(`${name}@${clients}`) ?? []),
      ),
      ...(pgbenchReport ? { pgbench: pgbenchReport } : {}),
      ...(referenceReport ? { pgbenchReference: referenceReport } : {}),
      idleRssMb,
      peakRssMb,
    };
  } finally {
    await stopServices(services);
  }
}

function pgbenchReportOf(runs: PgbenchRun[], clients: number, durationS: number): PgbenchReport {
  return {
    scale: PGBENCH_SCALE,
    clients,
    threads: PGBENCH_THREADS,
    durationS,
    runs,
    tps: spreadOf(runs.map((run) => run.tps)),
    latencyAverageMs: spreadOf(runs.map((run) => run.latencyAverageMs)),
    p50Ms: spreadOf(runs.map((run) => run.p50Ms)),
    p99Ms: spreadOf(runs.map((run) => run.p99Ms)),
    failedCount: runs.reduce((sum, run) => sum + run.failedCount, 0),
  };
}
