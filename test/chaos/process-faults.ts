import { setTimeout as sleep } from 'node:timers/promises';
import {
  type HaStatus,
  haStatus,
  killEtcdMember,
  killPrimary,
  pausePrimary,
  restartEtcdMember,
  restartNode,
  switchover,
} from '../../scripts/stack/ha/index.ts';
import { etcdMemberCount } from '../../scripts/stack/ha/layout.ts';
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

/**
 * Patroni's ttl (10 s, scripts/stack/ha/patroni-config.ts) and a margin: frozen this long, a
 * leader always loses its key and its synchronous standby takes over while it sleeps.
 */
export const PRIMARY_PAUSE_MS = 15_000;
/** A killed etcd member stays down this long; the other two keep a quorum meanwhile. */
export const ETCD_DOWNTIME_MS = 3_000;
/** A failover, a pg_rewind and a catch-up on a busy 2-core machine fit in this, with room. */
const HA_WAIT_TIMEOUT_MS = 120_000;
const HA_POLL_MS = 250;

/**
 * What an HA fault hit, and a moment its blow had surely landed (the leader dead, frozen or
 * demoted): a write acknowledged by an attempt sent after it came from a leader that took over.
 */
export type HaBlow = { target: string; struckAtMs: number };

/** The leader's Patroni and PostgreSQL SIGKILLed; healed once the node is back as synchronous standby. */
export async function crashPrimary(stack: StackState, log: Log): Promise<HaBlow> {
  const killed = await killPrimary(stack.dir);
  const struckAtMs = Date.now();
  // Restarted sooner, the node could find its own leader key still alive and simply carry on
  // as leader: a restart, not the failover this fault is about.
  await waitForHa(
    stack,
    `a leader other than ${killed}`,
    (status) => !!status.leader && status.leader !== killed,
  );
  await restartNode(stack.dir, killed, log);
  await waitForHa(stack, `${killed} back as a standby`, replicated);
  return { target: killed, struckAtMs };
}

/**
 * The leader frozen past its ttl; healed once it woke, stepped down and rewound, and rejoined as
 * a standby. What it may have written after waking is rewound away, so an acknowledgement of it
 * would show up in the checker as a lost write.
 */
export async function pausePrimaryPastTtl(stack: StackState): Promise<HaBlow> {
  const frozen = await pausePrimary(stack.dir, PRIMARY_PAUSE_MS);
  // The SIGSTOP came at least the pause's length before pausePrimary returned.
  const struckAtMs = Date.now() - PRIMARY_PAUSE_MS;
  await waitForHa(
    stack,
    `${frozen} woken and back as a standby`,
    (status) => status.leader !== frozen && replicated(status),
  );
  return { target: frozen, struckAtMs };
}

/** A planned hand-over through Patroni; healed once the old leader replays the new one's WAL. */
export async function switchPrimary(stack: StackState): Promise<HaBlow> {
  const { from, to } = await switchover(stack.dir);
  const struckAtMs = Date.now();
  await waitForHa(stack, `${from} back as a standby of ${to}`, replicated);
  return { target: `${from} to ${to}`, struckAtMs };
}

/** One etcd member SIGKILLed and started again on its data a few seconds later. */
export async function crashEtcdMember(stack: StackState, turn: number, log: Log): Promise<HaBlow> {
  const index = turn % etcdMemberCount;
  await killEtcdMember(stack.dir, index);
  const struckAtMs = Date.now();
  await sleep(ETCD_DOWNTIME_MS);
  await restartEtcdMember(stack.dir, index, log);
  await waitForHa(stack, 'a leader after etcd came back', replicated);
  return { target: `etcd${index + 1}`, struckAtMs };
}

/**
 * A leader, every other node replaying its WAL, one of them the synchronous standby. Before that a
 * second failover would find no standby Patroni may promote: the next fault would not be fair.
 */
function replicated(status: HaStatus): boolean {
  const standbys = status.nodes.filter((node) => node.name !== status.leader);
  return (
    status.leader !== undefined &&
    standbys.every(
      (node) =>
        ['replica', 'sync_standby'].includes(node.role) && ['running', 'streaming'].includes(node.state),
    ) &&
    standbys.some((node) => node.role === 'sync_standby')
  );
}

async function waitForHa(
  stack: StackState,
  what: string,
  ready: (status: HaStatus) => boolean,
): Promise<void> {
  const deadlineMs = Date.now() + HA_WAIT_TIMEOUT_MS;
  let last = 'no answer yet';
  while (Date.now() < deadlineMs) {
    const status = await haStatus(stack.dir).catch((error: unknown) => String(error));
    if (typeof status !== 'string' && ready(status)) return;
    last =
      typeof status === 'string'
        ? status
        : status.nodes.map((node) => `${node.name}=${node.role}/${node.state}`).join(', ');
    await sleep(HA_POLL_MS);
  }
  throw new Error(`HA PostgreSQL: not ${what} after ${HA_WAIT_TIMEOUT_MS} ms (last seen: ${last})`);
}

function noteMove(log: Log, part: string, before: number | string, after: number | string): void {
  if (String(before) !== String(after)) log(`${part} came back on port ${after}: ${before} was taken`);
}
