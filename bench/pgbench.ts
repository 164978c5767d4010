import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findPostgresBinDir } from '../scripts/stack/postgres-binaries.ts';
import { ensureDatabase, withDatabase } from '../scripts/stack/postgres-client.ts';
import { runCommand } from '../scripts/stack/processes.ts';
import { summarizeLatencies } from './latency-stats.ts';

export const PGBENCH_DATABASE = 'bench_pgbench';
/** Scale ≥ clients, so TPC-B's per-branch row is not the bottleneck of 16 clients. */
export const PGBENCH_SCALE = 16;
export const PGBENCH_CLIENTS = 16;
/**
 * A second run per round at the client count of the p99 target (64): not a yardstick of any
 * target, but what PostgreSQL alone does at that concurrency on the same machine, so the
 * report can set the services' p99 @64 beside PostgreSQL's own.
 */
export const PGBENCH_REFERENCE_CLIENTS = 64;
export const PGBENCH_THREADS = 2;
const PGBENCH_TIMEOUT_MARGIN_MS = 120_000;

/** One pgbench run: the built-in TPC-B-like script for a fixed time. */
export type PgbenchRun = {
  tps: number;
  latencyAverageMs: number;
  /** Transactions pgbench counted as failed (PostgreSQL 15+ reports them). */
  failedCount: number;
  /** From pgbench's per-transaction log (-l), as the HTTP phases measure theirs. */
  p50Ms: number;
  p99Ms: number;
};

export type Pgbench = {
  /** `pgbench -i -s PGBENCH_SCALE` into its own database on the services' server. */
  init(): Promise<void>;
  run(durationS: number, clients?: number): Promise<PgbenchRun>;
};

function environment(adminUrl: string): NodeJS.ProcessEnv {
  const url = new URL(adminUrl);
  return {
    ...process.env,
    // The services reach PostgreSQL over its Unix socket (`?host=<dir>`): the yardstick does too.
    PGHOST: url.searchParams.get('host') ?? url.hostname,
    PGPORT: url.port,
    PGUSER: decodeURIComponent(url.username),
    PGPASSWORD: decodeURIComponent(url.password),
    PGDATABASE: PGBENCH_DATABASE,
  };
}

/** pgbench on the same PostgreSQL as the services: the yardstick the ratio targets compare with. */
export function createPgbench(adminUrl: string, log: (line: string) => void): Pgbench {
  const pgbench = join(findPostgresBinDir(), 'pgbench');
  const env = environment(withDatabase(adminUrl, PGBENCH_DATABASE));
  return {
    async init() {
      await ensureDatabase(adminUrl, PGBENCH_DATABASE);
      log(`pgbench -i -s ${PGBENCH_SCALE}`);
      await runCommand(pgbench, ['-i', '-q', '-s', String(PGBENCH_SCALE)], {
        env,
        timeoutMs: PGBENCH_TIMEOUT_MARGIN_MS * 3,
      });
    },
    async run(durationS, clients = PGBENCH_CLIENTS) {
      const args = ['-c', clients, '-j', PGBENCH_THREADS, '-T', durationS].map(String);
      log(`pgbench ${args.join(' ')}`);
      const logDir = mkdtempSync(join(tmpdir(), 'wallet-pgbench-'));
      try {
        const output = await runCommand(pgbench, [...args, '-l'], {
          env,
          cwd: logDir,
          timeoutMs: durationS * 1000 + PGBENCH_TIMEOUT_MARGIN_MS,
        });
        const tps = /tps = ([\d.]+)/.exec(output)?.[1];
        if (!tps) throw new Error(`could not read tps from pgbench output:\n${output}`);
        const latency = /latency average = ([\d.]+) ms/.exec(output)?.[1];
        const failed = /number of failed transactions: (\d+)/.exec(output)?.[1];
        const latencies = summarizeLatencies(transactionLatenciesMs(logDir));
        return {
          tps: Number(tps),
          latencyAverageMs: Number(latency ?? Number.NaN),
          failedCount: Number(failed ?? 0),
          p50Ms: latencies.p50Ms,
          p99Ms: latencies.p99Ms,
        };
      } finally {
        rmSync(logDir, { recursive: true, force: true });
      }
    },
  };
}

/**
 * Every transaction's latency from the logs pgbench -l wrote into `dir` (one file per thread):
 * the third field of a line, in microseconds; a failed transaction has a word there and is left
 * out (the run's failed count reports it).
 */
function transactionLatenciesMs(dir: string): number[] {
  const latenciesMs: number[] = [];
  for (const file of readdirSync(dir)) {
    for (const line of readFileSync(join(dir, file), 'utf8').split('\n')) {
      const micros = Number(line.split(' ')[2]);
      if (line !== '' && Number.isFinite(micros)) latenciesMs.push(micros / 1000);
    }
  }
  return latenciesMs;
}
