import { setTimeout as sleep } from 'node:timers/promises';
import {
  killKafkaBroker,
  killNats,
  killPostgres,
  pausePostgres,
  resumePostgres,
  type StackState,
  startKafkaBroker,
  startNats,
  startPostgres,
} from '../../scripts/stack/index.ts';
import type { Replica } from './service-replicas.ts';

/**
 * Crashes and freezes of real processes: SIGKILL (no shutdown hook, no flush: PostgreSQL runs
 * crash recovery from its WAL at the next start, Kafka recovers its logs) and SIGSTOP/SIGCONT (the
 * process keeps its connections and answers nothing). A part comes back on its old port unless
 * something else took it meanwhile (another stack on the machine): then `stack` is updated in
 * place, and the proxies and the run's own connections, which read it at each use, follow.
 */

/** How long a killed replica stays down before it is started again. */
export const REPLICA_DOWNTIME_MS = 1_500;
/** How long a SIGSTOP lasts: longer than a request's patience, shorter than a session timeout. */
export const PAUSE_MS = 3_000;

type Log = (line: string) => void;

export async function crashReplica(replica: Replica): Promise<void> {
  await replica.kill();
  await sleep(REPLICA_DOWNTIME_MS);
  await replica.start();
}

export async function pauseReplica(replica: Replica): Promise<void> {
  await replica.pause(PAUSE_MS);
}

/** The postmaster and every backend killed at once, then started again (durable settings). */
export async function crashPostgres(stack: StackState, log: Log): Promise<void> {
  await killPostgres(stack.dir);
  const restarted = await startPostgres({ dir: stack.dir, fast: false, log });
  noteMove(log, 'postgres', stack.postgres.port, restarted.port);
  stack.postgres = restarted;
}

export async function pauseWholePostgres(stack: StackState): Promise<void> {
  pausePostgres(stack.dir);
  try {
    await sleep(PAUSE_MS);
  } finally {
    resumePostgres(stack.dir);
  }
}

export async function crashNats(stack: StackState, log: Log): Promise<void> {
  await killNats(stack.dir);
  const restarted = await startNats({ dir: stack.dir, log });
  noteMove(log, 'nats', new URL(stack.nats.url).port, new URL(restarted.url).port);
  stack.nats = restarted;
}

/** One broker of the cluster killed and started again; the others keep serving meanwhile. */
export async function crashKafkaBroker(stack: StackState, index: number, log: Log): Promise<void> {
  await killKafkaBroker(stack.dir, index);
  await startKafkaBroker(stack.dir, index, { log });
}

export function kafkaBrokerCountOf(stack: StackState): number {
  return stack.kafka.nodes?.length ?? 1;
}

function noteMove(log: Log, part: string, before: number | string, after: number | string): void {
  if (String(before) !== String(after)) log(`${part} came back on port ${after}: ${before} was taken`);
}
