import { join } from 'node:path';
import { findPostgresBinDir } from '../scripts/stack/postgres-binaries.ts';
import { ensureDatabase, withDatabase } from '../scripts/stack/postgres-client.ts';
import { runCommand } from '../scripts/stack/processes.ts';

export const PGBENCH_DATABASE = 'bench_pgbench';
/** Scale ≥ clients, so TPC-B's per-branch row is not the bottleneck of 16 clients. */
export const PGBENCH_SCALE = 16;
const PGBENCH_TIMEOUT_MARGIN_MS = 120_000;

export type PgbenchResult = {
  clients: number;
  threads: number;
  durationS: number;
  tps: number;
  latencyAverageMs: number;
};

function environment(adminUrl: string): NodeJS.ProcessEnv {
  const url = new URL(adminUrl);
  return {
    ...process.env,
    PGHOST: url.hostname,
    PGPORT: url.port,
    PGUSER: decodeURIComponent(url.username),
    PGPASSWORD: decodeURIComponent(url.password),
    PGDATABASE: PGBENCH_DATABASE,
  };
}

/** The built-in TPC-B-like script on the same PostgreSQL as the services: the yardstick. */
export async function runPgbench(options: {
  adminUrl: string;
  clients: number;
  threads: number;
  durationS: number;
  log: (line: string) => void;
}): Promise<PgbenchResult> {
  await ensureDatabase(options.adminUrl, PGBENCH_DATABASE);
  const pgbench = join(findPostgresBinDir(), 'pgbench');
  const env = environment(withDatabase(options.adminUrl, PGBENCH_DATABASE));
  options.log(`pgbench -i -s ${PGBENCH_SCALE}`);
  await runCommand(pgbench, ['-i', '-q', '-s', String(PGBENCH_SCALE)], {
    env,
    timeoutMs: PGBENCH_TIMEOUT_MARGIN_MS * 3,
  });
  options.log(`pgbench -c ${options.clients} -j ${options.threads} -T ${options.durationS}`);
  const output = await runCommand(
    pgbench,
    [
      '-c',
      String(options.clients),
      '-j',
      String(options.threads),
      '-T',
      String(options.durationS),
      '-P',
      '2',
    ],
    { env, timeoutMs: options.durationS * 1000 + PGBENCH_TIMEOUT_MARGIN_MS },
  );
  const tps = /tps = ([\d.]+)/.exec(output)?.[1];
  const latency = /latency average = ([\d.]+) ms/.exec(output)?.[1];
  if (!tps) throw new Error(`could not read tps from pgbench output:\n${output}`);
  return {
    clients: options.clients,
    threads: options.threads,
    durationS: options.durationS,
    tps: Number(tps),
    latencyAverageMs: Number(latency ?? Number.NaN),
  };
}
