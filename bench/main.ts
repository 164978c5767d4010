import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stackDown, stackUp } from '../scripts/stack/index.ts';
import { POOL_SIZE_DEFAULT } from '../services/shared/src/db/pool.ts';
import { hideKnownWarnings } from '../services/shared/src/process/known-warnings.ts';
import { benchLog as log } from './bench-log.ts';
import { type BenchOptions, readBenchOptions } from './bench-options.ts';
import { ensureCompiledServices } from './compiled-services.ts';
import { summarizeCpuProfile } from './cpu-profile.ts';
import { type DashboardReport, runDashboardPhase } from './dashboard-bench.ts';
import { runHaBench } from './ha-bench.ts';
import { type BenchResults, formatMarkdown, summaryLine, targetLine } from './report.ts';
import { finishMachine, readCommit, readMachine, resultsName } from './run-info.ts';
import { measureStack, selectHttpPhases } from './stack-measurement.ts';
import { checkTargets, countTargets } from './targets.ts';

hideKnownWarnings();

/**
 * `npm run bench`: a durable stack of its own, one replica of each service as a process, then
 * rounds of fixed-duration closed-loop phases through HTTP, each round ending with pgbench's
 * TPC-B on the same PostgreSQL: at 16 clients the yardstick of the ratio targets, at 64 what
 * PostgreSQL alone does at the p99 target's concurrency; then the dashboard under 2,000 events/s.
 * Every phase runs --repeat times (3): the report gives medians and the spread. It prints
 * PASS/MISS per target of issue 11 and writes bench/results.json (git-ignored) and
 * bench/results.md. The exit status is 0 on MISS too: it is a measurement, not a test.
 * With --replicas N, N processes of each service behind HAProxy and PgBouncer
 * (replicated-setup.ts), reported in bench/results-replicas-N.json and .md instead.
 * With --ha, the write phases on the single server and then on a Patroni cluster with a
 * synchronous standby (ha-bench.ts), reported in bench/results-ha.json and .md.
 */
const benchDir = import.meta.dirname;

async function main(options: BenchOptions): Promise<void> {
  const startedAt = new Date().toISOString();
  const machine = readMachine();
  const commit = readCommit();
  const dir = mkdtempSync(join(tmpdir(), 'wallet-bench-'));
  const profileDir = options.profile ? join(dir, 'profiles') : undefined;
  if (profileDir) mkdirSync(profileDir, { recursive: true });
  const runId = `b${randomBytes(3).toString('hex')}`;
  const httpPhases = selectHttpPhases(options.phases);
  const replicaNote = options.replicas > 1 ? `, ${options.replicas} replicas of each service` : '';
  log(`bench of ${commit.id}: ${[...options.phases].join(', ')}, ${options.repeat} runs each${replicaNote}`);
  try {
    if (httpPhases.length > 0 && !options.fromSource) ensureCompiledServices(log);
    const stack = await stackUp({ dir, fast: false, log });
    const measured = await measureStack({
      stack,
      bench: options,
      httpPhases,
      logDir: dir,
      profileDir,
      runId,
      log,
    });
    const { postgres, phases, idleRssMb, peakRssMb } = measured;
    const pgbenchReport = measured.pgbench;
    const dashboard: DashboardReport | undefined = options.phases.has('dashboard')
      ? await runDashboardPhase({
          brokers: stack.kafka.brokers,
          repeat: options.repeat,
          durationMs: options.dashboardDurationMs,
          profileDir,
          log,
        })
      : undefined;
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
      ...(measured.pgbenchReference ? { pgbenchReference: measured.pgbenchReference } : {}),
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

const options = readBenchOptions();
await (options.ha ? runHaBench(options) : main(options));
