import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { stackDown, stackUp } from '../scripts/stack/index.ts';
import { POOL_SIZE_DEFAULT } from '../services/shared/src/db/pool.ts';
import { benchLog as log } from './bench-log.ts';
import type { BenchOptions } from './bench-options.ts';
import { ensureCompiledServices } from './compiled-services.ts';
import { compareSides, formatHaMarkdown, type HaResults, type HaSide } from './ha-report.ts';
import { checkSync, inSync, readReplicationSettings, type SyncCheck } from './replication-check.ts';
import { finishMachine, HA_RESULTS_NAME, readCommit, readMachine } from './run-info.ts';
import { type HttpPhase, measureStack, selectHttpPhases } from './stack-measurement.ts';

const benchDir = import.meta.dirname;
/** Two nodes: a primary and the synchronous standby every commit waits for. */
const HA_NODES = 2;

type Side = { label: string; dir: string; postgresNodes: number };

/**
 * `npm run bench -- --ha`: the write phases on the single server the bench always measures, then
 * on a Patroni cluster with a synchronous standby, each side a stack of its own, in one run; the
 * report divides one by the other. The sides run one after the other, not side by side: on the
 * 2-core machine two stacks at once would measure each other. The single side keeps `fast: false`,
 * as the plain bench does, so both sides are durable and the ratio prices replication; the
 * report checks that from the servers' own settings.
 */
export async function runHaBench(options: BenchOptions): Promise<void> {
  const startedAt = new Date().toISOString();
  const machine = readMachine();
  const commit = readCommit();
  const dir = mkdtempSync(join(tmpdir(), 'wallet-bench-ha-'));
  const runId = `b${randomBytes(3).toString('hex')}`;
  const httpPhases = selectHttpPhases(options.phases);
  const sides: Side[] = [
    { label: 'single server', dir: join(dir, 'single'), postgresNodes: 1 },
    { label: `HA, ${HA_NODES} nodes`, dir: join(dir, 'ha'), postgresNodes: HA_NODES },
  ];
  log(
    `HA bench of ${commit.id}: ${[...options.phases].join(', ')}, ${options.repeat} runs each, single server then ${HA_NODES} nodes`,
  );
  try {
    if (httpPhases.length > 0 && !options.fromSource) ensureCompiledServices(log);
    const single = await measureSide(sides[0]!, options, httpPhases, runId);
    const ha = await measureSide(sides[1]!, options, httpPhases, runId);
    const results: HaResults = {
      startedAt,
      finishedAt: new Date().toISOString(),
      commit,
      machine: finishMachine(machine),
      settings: {
        phaseDurationS: options.phaseDurationMs / 1000,
        repeat: options.repeat,
        phases: [...options.phases],
      },
      services: {
        script: options.fromSource ? 'TypeScript sources (type stripping)' : 'compiled dist',
        nodeFlags: options.serviceNodeFlags,
        poolSize: Number(options.poolSize ?? POOL_SIZE_DEFAULT),
      },
      sameDurability: single.postgres.durable && ha.postgres.durable,
      ...compareSides(single, ha),
      single,
      ha,
    };
    writeFileSync(join(benchDir, `${HA_RESULTS_NAME}.json`), `${JSON.stringify(results, null, 2)}\n`);
    const markdown = formatHaMarkdown(results);
    writeFileSync(join(benchDir, `${HA_RESULTS_NAME}.md`), markdown);
    console.log(`\n${markdown}`);
    console.log(`bench ${commit.id} --ha: bench/${HA_RESULTS_NAME}.md, bench/${HA_RESULTS_NAME}.json`);
  } finally {
    // Each side stops its stack once measured; this is for a side that failed half-way.
    for (const side of sides)
      await stackDown({ dir: side.dir }).catch((error: unknown) =>
        log(`stack down failed in ${side.dir}: ${String(error)}`),
      );
    if (options.keep) log(`kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

/** One side: its stack up, the rounds measured, its stack down again before the next side starts. */
async function measureSide(
  side: Side,
  options: BenchOptions,
  httpPhases: HttpPhase[],
  runId: string,
): Promise<HaSide> {
  mkdirSync(side.dir, { recursive: true });
  log(`— ${side.label} —`);
  const startedAt = new Date().toISOString();
  const loadStart = loadavg()[0] ?? 0;
  const stack = await stackUp({ dir: side.dir, fast: false, postgresNodes: side.postgresNodes, log });
  try {
    const { adminUrl } = stack.postgres;
    const replication = await readReplicationSettings(adminUrl);
    const syncChecks: SyncCheck[] = [];
    const afterRun =
      side.postgresNodes > 1
        ? async (phase: string) => {
            const check = await checkSync(adminUrl, phase);
            syncChecks.push(check);
            if (!inSync(check)) log(`  no synchronous standby after ${phase}: the primary committed alone`);
          }
        : undefined;
    const measured = await measureStack({
      stack,
      bench: options,
      httpPhases,
      logDir: side.dir,
      profileDir: undefined,
      runId,
      log,
      afterRun,
    });
    return {
      ...measured,
      postgresNodes: side.postgresNodes,
      replication,
      syncChecks,
      startedAt,
      finishedAt: new Date().toISOString(),
      loadAverage1m: { start: round2(loadStart), end: round2(loadavg()[0] ?? 0) },
    };
  } finally {
    await stackDown({ dir: side.dir });
  }
}

const round2 = (value: number) => Math.round(value * 100) / 100;
