import { setTimeout as sleep } from 'node:timers/promises';
import type { StackState } from '../../scripts/stack/index.ts';
import {
  blackhole,
  type ChaosNetwork,
  type Dependency,
  dependenciesOf,
  partitionReplica,
  resetConnections,
  slowNetwork,
} from './chaos-network.ts';
import type { FaultWindow } from './history.ts';
import {
  crashKafkaBroker,
  crashNats,
  crashPostgres,
  crashReplica,
  kafkaBrokerCountOf,
  pauseReplica,
  pauseWholePostgres,
} from './process-faults.ts';
import type { Replica } from './service-replicas.ts';

/**
 * The fault injector. Each fault is real. Crashes: SIGKILL of a replica, of PostgreSQL's
 * postmaster and all its backends at once (crash recovery at the next start), of nats-server, of
 * one Kafka broker, each started again. Freezes: SIGSTOP of a replica or of every PostgreSQL
 * process, SIGCONT a few seconds later. Network (through the fault proxies of chaos-network.ts):
 * every connection reset, latency added to every route, a black hole in front of one dependency,
 * one replica cut off from PostgreSQL and NATS while the other goes on. A fault's window runs from
 * the first blow until it has healed (the part answers again); the checker excuses 503s inside it
 * (plus a grace).
 */
export const FAULT_KINDS = [
  'kill-transactions',
  'reset-connections',
  'kill-postgres',
  'pause-replica',
  'kill-nats',
  'slow-network',
  'kill-users',
  'blackhole',
  'pause-postgres',
  'partition-replica',
  'kill-kafka',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** Quiet between one fault's healing and the next fault, so each is seen on its own. */
const QUIET_BETWEEN_FAULTS_MS = 1_000;

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
  stack: StackState;
  network: ChaosNetwork;
  users: readonly Replica[];
  transactions: readonly Replica[];
  log: (line: string) => void;
};

/** Round-robin counters, so repeated faults of a kind hit each replica, broker and route in turn. */
type Turns = Record<'users' | 'transactions' | 'paused' | 'broker' | 'blackhole' | 'partition', number>;

/**
 * Runs the plan from `startMs`, one fault at a time, each to its end, so windows never overlap;
 * a fault runs at its planned time or, when the one before it ran late, a moment after that one
 * healed. A fault whose turn comes after `lastStartMs` is skipped.
 */
export async function runNemesis(
  targets: NemesisTargets,
  plan: readonly PlannedFault[],
  startMs: number,
  lastStartMs: number,
): Promise<FaultWindow[]> {
  const windows: FaultWindow[] = [];
  const turns: Turns = { users: 0, transactions: 0, paused: 0, broker: 0, blackhole: 0, partition: 0 };
  let healedAtMs = 0;
  for (const fault of plan) {
    const waitMs = Math.max(startMs + fault.atMs, healedAtMs + QUIET_BETWEEN_FAULTS_MS) - Date.now();
    if (waitMs > 0) await sleep(waitMs);
    if (Date.now() > lastStartMs) {
      targets.log(`fault ${fault.kind} skipped: the chaos phase is ending`);
      continue;
    }
    const startedAtMs = Date.now();
    const target = await inject(fault.kind, targets, turns);
    healedAtMs = Date.now();
    windows.push({ kind: fault.kind, target, startedAtMs, endedAtMs: healedAtMs });
    targets.log(`fault ${fault.kind} on ${target}: healed after ${healedAtMs - startedAtMs} ms`);
  }
  return windows;
}

const next = <T>(list: readonly T[], turns: Turns, key: keyof Turns): T => list[turns[key]++ % list.length]!;

/** Injects one fault, waits until it has healed, and says what it hit. */
async function inject(kind: FaultKind, targets: NemesisTargets, turns: Turns): Promise<string> {
  const { stack, network, log } = targets;
  const replicas = [...targets.transactions, ...targets.users];
  switch (kind) {
    case 'kill-transactions':
    case 'kill-users': {
      const service = kind === 'kill-users' ? 'users' : 'transactions';
      const replica = next(targets[service], turns, service);
      await crashReplica(replica);
      return replica.spec.name;
    }
    case 'pause-replica': {
      const replica = next(replicas, turns, 'paused');
      await pauseReplica(replica);
      return replica.spec.name;
    }
    case 'kill-postgres':
      await crashPostgres(stack, log);
      return 'postgres';
    case 'pause-postgres':
      await pauseWholePostgres(stack);
      return 'postgres';
    case 'kill-nats':
      await crashNats(stack, log);
      return 'nats';
    case 'kill-kafka': {
      const index = turns.broker++ % kafkaBrokerCountOf(stack);
      await crashKafkaBroker(stack, index, log);
      return `kafka-${index + 1}`;
    }
    case 'reset-connections':
      resetConnections(network);
      return 'every route';
    case 'slow-network':
      await slowNetwork(network);
      return 'every route';
    case 'blackhole': {
      const dependency: Dependency = next(dependenciesOf(network), turns, 'blackhole');
      await blackhole(network, dependency);
      return dependency;
    }
    case 'partition-replica': {
      const replica = next(replicas, turns, 'partition');
      await partitionReplica(network, replica.spec.name);
      return replica.spec.name;
    }
  }
}
