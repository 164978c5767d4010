import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startKafka, stopKafka } from '../../scripts/stack/kafka.ts';
import { startNats, stopNats } from '../../scripts/stack/nats.ts';
import { postgresLayout } from '../../scripts/stack/postgres.ts';
import { findPostgresBinDir } from '../../scripts/stack/postgres-binaries.ts';
import { probePostgres } from '../../scripts/stack/postgres-client.ts';
import { runCommand } from '../../scripts/stack/processes.ts';
import { postgresRunAs } from '../../scripts/stack/system-user.ts';
import { waitUntil } from '../../scripts/stack/wait.ts';
import type { FaultWindow } from './history.ts';
import type { Replica } from './service-replicas.ts';

/**
 * The fault injector. Each fault is real: SIGKILL of a replica process, `pg_ctl restart -m fast`
 * (every backend terminated, in-flight transactions rolled back), a stop and start of nats-server
 * and of the Kafka broker on the same port. A fault's window runs from the first blow until the
 * part answers again; the checker excuses 503s inside it (plus a grace).
 */
export const FAULT_KINDS = [
  'kill-transactions',
  'restart-postgres',
  'kill-users',
  'restart-nats',
  'restart-kafka',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** How long a killed replica stays down before it is started again. */
export const REPLICA_DOWNTIME_MS = 1_500;
const POSTGRES_RESTART_TIMEOUT_S = 60;
const POSTGRES_READY_TIMEOUT_MS = 30_000;

export type PlannedFault = { atMs: number; kind: FaultKind };

/**
 * Faults spread evenly over the chaos phase, cycling through `kinds`, leaving the first and last
 * `marginMs` quiet so the run starts clean and each fault has time to heal before the end.
 */
export function planFaults(
  durationMs: number,
  gapMs: number,
  marginMs: number,
  kinds: readonly FaultKind[],
): PlannedFault[] {
  const faults: PlannedFault[] = [];
  for (let atMs = marginMs, index = 0; atMs <= durationMs - marginMs; atMs += gapMs, index++) {
    faults.push({ atMs, kind: kinds[index % kinds.length]! });
  }
  return faults;
}

export type NemesisTargets = {
  stackDir: string;
  postgresAdminUrl: string;
  users: readonly Replica[];
  transactions: readonly Replica[];
  log: (line: string) => void;
};

/**
 * Runs the plan from `startMs`; faults run one at a time, each to its end, so windows never
 * overlap. A fault whose turn comes after `lastStartMs` (a slow one before it ran late) is skipped.
 */
export async function runNemesis(
  targets: NemesisTargets,
  plan: readonly PlannedFault[],
  startMs: number,
  lastStartMs: number,
): Promise<FaultWindow[]> {
  const windows: FaultWindow[] = [];
  const kills = { users: 0, transactions: 0 };
  for (const fault of plan) {
    const waitMs = startMs + fault.atMs - Date.now();
    if (waitMs > 0) await sleep(waitMs);
    if (Date.now() > lastStartMs) {
      targets.log(`fault ${fault.kind} skipped: the chaos phase is ending`);
      continue;
    }
    const startedAtMs = Date.now();
    const target = await inject(fault.kind, targets, kills);
    windows.push({ kind: fault.kind, target, startedAtMs, endedAtMs: Date.now() });
    targets.log(`fault ${fault.kind} on ${target}: healed after ${Date.now() - startedAtMs} ms`);
  }
  return windows;
}

async function inject(
  kind: FaultKind,
  targets: NemesisTargets,
  kills: { users: number; transactions: number },
): Promise<string> {
  switch (kind) {
    case 'kill-transactions':
      return killAndRestart(targets.transactions[kills.transactions++ % targets.transactions.length]!);
    case 'kill-users':
      return killAndRestart(targets.users[kills.users++ % targets.users.length]!);
    case 'restart-postgres':
      await restartPostgres(targets.stackDir, targets.postgresAdminUrl);
      return 'postgres';
    case 'restart-nats':
      await stopNats(targets.stackDir);
      await startNats({ dir: targets.stackDir, log: targets.log });
      return 'nats';
    case 'restart-kafka':
      await stopKafka(targets.stackDir);
      await startKafka({ dir: targets.stackDir, log: targets.log });
      return 'kafka';
  }
}

async function killAndRestart(replica: Replica): Promise<string> {
  await replica.kill();
  await sleep(REPLICA_DOWNTIME_MS);
  await replica.start();
  return replica.spec.name;
}

/** As the stack runs it: pg_ctl on the stack's data dir, as the unprivileged user when we are root. */
export async function restartPostgres(stackDir: string, adminUrl: string): Promise<void> {
  const paths = postgresLayout(stackDir);
  const args = [
    'restart',
    '-D',
    paths.data,
    '-m',
    'fast',
    '-w',
    '-t',
    String(POSTGRES_RESTART_TIMEOUT_S),
    '-l',
    paths.logFile,
  ];
  await runCommand(join(findPostgresBinDir(), 'pg_ctl'), args, { cwd: paths.root, runAs: postgresRunAs() });
  await waitUntil(() => probePostgres(adminUrl), {
    what: 'postgres after restart',
    timeoutMs: POSTGRES_READY_TIMEOUT_MS,
  });
}
