import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { stackDown, stackUp } from '../scripts/stack/index.ts';
import { POOL_SIZE_DEFAULT } from '../services/shared/src/db/pool.ts';
import { hideKnownWarnings } from '../services/shared/src/process/known-warnings.ts';
import { type BenchOptions, readBenchOptions } from './bench-options.ts';
import { createBenchClient, type OperationName, operationRequests } from './bench-requests.ts';
import { type Services, setUpUsers, startServices, stopServices, USERS_FUNDED } from './bench-setup.ts';
import { ensureCompiledServices } from './compiled-services.ts';
import { summarizeCpuProfile } from './cpu-profile.ts';
import { type DashboardReport, runDashboardPhase } from './dashboard-bench.ts';
import { runPhase } from './load-loop.ts';
import {
  createPgbench,
  PGBENCH_CLIENTS,
  PGBENCH_SCALE,
  PGBENCH_THREADS,
  type PgbenchRun,
} from './pgbench.ts';
import { isDurable, readPostgresSettings } from './postgres-settings.ts';
import { type RunReport, spreadOf, summarizeRuns, toRunReport } from './repetitions.ts';
import { type BenchResults, formatMarkdown, type PgbenchReport, summaryLine, targetLine } from './report.ts';
import { finishMachine, readCommit, readMachine, resultsName } from './run-info.ts';
import { checkTargets, countTargets } from './targets.ts';

hideKnownWarnings();

/**
 * `npm run bench`: a durable stack of its own, one replica of each service as a process, then
 * rounds of fixed-duration closed-loop phases through HTTP, each round ending with pgbench's
 * TPC-B on the same PostgreSQL as the yardstick; then the dashboard under 2,000 events/s.
 * Every phase runs --repeat times (3): the report gives medians and the spread. It prints
 * PASS/MISS per target of issue 11 and writes bench/results.json (git-ignored) and
 * bench/results.md. The exit status is 0 on MISS too: it is a measurement, not a test.
 * With --replicas N, N processes of each service behind HAProxy and PgBouncer
 * (replicated-setup.ts), reported in bench/results-replicas-N.json and .md instead.
 */
const benchDir = import.meta.dirname;
/** The HTTP phases of a round, in order. */
const HTTP_PHASES: { name: OperationName; clients: number }[] = [
  { name: 'transferMoney', clients: 1 },
  { name: 'transferMoney', clients: 16 },
  { name: 'transferMoney', clients: 64 },
  { name: 'addMoney', clients: 16 },
  { name: 'getBalance', clients: 16 },
  { name: 'createUser', clients: 16 },
];
/** How long the services sit after start before their idle memory is read. */
const IDLE_SETTLE_MS = 2_000;

const log = (line: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);

const rssOf = (services: Services | undefined, pick: 'currentMb' | 'peakMb') =>
  services
    ? {
        'transactions-service': services['transactions-service'].rssMb()?.[pick],
        'user-service': services['user-service'].rssMb()?.[pick],
      }
    : {};

async function main(options: BenchOptions): Promise<void> {
  const startedAt = new Date().toISOString();
  const machine = readMachine();
  const commit = readCommit();
  const dir = mkdtempSync(join(tmpdir(), 'wallet-bench-'));
  const profileDir = options.profile ? join(dir, 'profiles') : undefined;
  if (profileDir) mkdirSync(profileDir, { recursive: true });
  const runId = `b${randomBytes(3).toString('hex')}`;
  const httpPhases = HTTP_PHASES.filter((phase) => options.phases.has(phase.name));
  let services: Services | undefined;
  const replicaNote = options.replicas > 1 ? `, ${options.replicas} replicas of each service` : '';
  log(`bench of ${commit.id}: ${[...options.phases].join(', ')}, ${options.repeat} runs each${replicaNote}`);
  try {
    if (httpPhases.length > 0 && !options.fromSource) ensureCompiledServices(log);
    const stack = await stackUp({ dir, fast: false, log });
    const operatorToken = stack.operatorToken ?? randomBytes(32).toString('hex');
    const postgresSettings = await readPostgresSettings(stack.postgres.adminUrl);
    const postgres = { ...postgresSettings, durable: isDurable(postgresSettings) };
    log(
      `PostgreSQL ${postgres.version}: fsync ${postgres.fsync}, synchronous_commit ${postgres.synchronousCommit}, full_page_writes ${postgres.fullPageWrites}`,
    );
    const pgbench = options.phases.has('pgbench') ? createPgbench(stack.postgres.adminUrl, log) : undefined;
    await pgbench?.init();
    const client = createBenchClient(operatorToken);
    let requests: ReturnType<typeof operationRequests> | undefined;
    let idleRssMb: Record<string, number | undefined> = {};
    if (httpPhases.length > 0) {
      services = await startServices({ stack, operatorToken, bench: options, logDir: dir, profileDir, log });
      await sleep(IDLE_SETTLE_MS);
      idleRssMb = rssOf(services, 'currentMb');
      log(
        `services up (${options.fromSource ? 'from source' : 'from dist'}, flags "${options.serviceNodeFlags.join(' ')}"); funding ${USERS_FUNDED} users`,
      );
      const users = await setUpUsers({
        client,
        services,
        transactionsDbUrl: stack.postgres.databases.transactions,
        runId,
      });
      const urls = {
        users: services['user-service'].url,
        transactions: services['transactions-service'].url,
      };
      requests = operationRequests(client, urls, users, runId);
    }
    const runs = new Map<string, RunReport[]>();
    const pgbenchRuns: PgbenchRun[] = [];
    // Rounds rather than one phase's runs back to back: a burst of other work on the shared
    // machine then lands in one run of several phases, which the medians absorb.
    for (let round = 1; round <= options.repeat; round++) {
      for (const { name, clients } of httpPhases) {
        log(
          `${name} with ${clients} clients for ${options.phaseDurationMs / 1000} s (${round}/${options.repeat})`,
        );
        const result = await runPhase({
          name,
          clients,
          durationMs: options.phaseDurationMs,
          request: requests![name],
          progress: log,
        });
        const run = toRunReport(result, client.takeUnexpected());
        runs.set(`${name}@${clients}`, [...(runs.get(`${name}@${clients}`) ?? []), run]);
        if (run.errorCount > 0) log(`  errors: ${JSON.stringify(run.errors)}`);
        log(
          `  → ${run.throughputPerS.toFixed(0)}/s, p50 ${run.latency.p50Ms.toFixed(1)} ms, p99 ${run.latency.p99Ms.toFixed(1)} ms, ${run.errorCount} errors`,
        );
      }
      if (pgbench) {
        const run = await pgbench.run(options.phaseDurationMs / 1000);
        pgbenchRuns.push(run);
        log(`  → pgbench ${run.tps.toFixed(0)} tps (${round}/${options.repeat})`);
      }
    }
    const peakRssMb = rssOf(services, 'peakMb');
    await stopServices(services);
    const dashboard: DashboardReport | undefined = options.phases.has('dashboard')
      ? await runDashboardPhase({
          brokers: stack.kafka.brokers,
          repeat: options.repeat,
          durationMs: options.dashboardDurationMs,
          profileDir,
          log,
        })
      : undefined;
    const phases = httpPhases.map(({ name, clients }) =>
      summarizeRuns(name, clients, runs.get(`${name}@${clients}`) ?? []),
    );
    const pgbenchReport: PgbenchReport | undefined = pgbench && {
      scale: PGBENCH_SCALE,
      clients: PGBENCH_CLIENTS,
      threads: PGBENCH_THREADS,
      durationS: options.phaseDurationMs / 1000,
      runs: pgbenchRuns,
      tps: spreadOf(pgbenchRuns.map((run) => run.tps)),
      latencyAverageMs: spreadOf(pgbenchRuns.map((run) => run.latencyAverageMs)),
      failedCount: pgbenchRuns.reduce((sum, run) => sum + run.failedCount, 0),
    };
    const targets = checkTargets({ phases, pgbenchTps: pgbenchReport?.tps, peakRssMb, dashboard });
    const results: BenchResults = {
      startedAt,
      finishedAt: new Date().toISOString(),
      commit,
      machine: finishMachine(machine),
      postgres,
      settings: {
        phaseDurationS: options.phaseDurationMs / 1000,
        repeat: options.repeat,
        dashboardDurationS: options.dashboardDurationMs / 1000,
        phases: [...options.phases],
      },
      services: {
        script: options.fromSource ? 'TypeScript sources (type stripping)' : 'compiled dist',
        nodeFlags: options.serviceNodeFlags,
        poolSize: Number(options.poolSize ?? POOL_SIZE_DEFAULT),
        replicas: options.replicas,
      },
      phases,
      ...(pgbenchReport ? { pgbench: pgbenchReport } : {}),
      idleRssMb,
      peakRssMb,
      ...(dashboard ? { dashboard } : {}),
      targets,
      summary: countTargets(targets),
    };
    const name = resultsName(options.replicas);
    writeFileSync(join(benchDir, `${name}.json`), `${JSON.stringify(results, null, 2)}\n`);
    const markdown = formatMarkdown(results);
    writeFileSync(join(benchDir, `${name}.md`), markdown);
    console.log(`\n${markdown}`);
    if (profileDir) printProfile(profileDir);
    console.log(results.targets.map(targetLine).join('\n'));
    console.log(`\n${summaryLine(results)} (bench/${name}.md, bench/${name}.json)`);
  } finally {
    await stopServices(services);
    await stackDown({ dir }).catch((error: unknown) => log(`stack down failed: ${String(error)}`));
    if (options.keep) log(`kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

function printProfile(profileDir: string): void {
  const files = readdirSync(profileDir).filter((name) => name.endsWith('.cpuprofile'));
  for (const file of files) {
    const summary = summarizeCpuProfile(join(profileDir, file));
    console.log(`CPU profile ${file} (idle ${summary.idlePercent.toFixed(0)}% of samples)`);
    console.log('self time by package:');
    for (const share of summary.packages)
      console.log(`  ${share.selfPercent.toFixed(1).padStart(5)}%  ${share.frame}`);
    console.log('native frames by the package that called them:');
    for (const share of summary.nativeCallers)
      console.log(`  ${share.selfPercent.toFixed(1).padStart(5)}%  ${share.frame}`);
    console.log('top functions by self time:');
    for (const share of summary.frames)
      console.log(`  ${share.selfPercent.toFixed(1).padStart(5)}%  ${share.frame}`);
  }
}

await main(readBenchOptions());
