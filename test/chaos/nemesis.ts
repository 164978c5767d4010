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
import type { FailoverWindow } from './failover-figures.ts';
import {
  crashEtcdMember,
  crashKafkaBroker,
  crashNats,
  crashPostgres,
  crashPrimary,
  crashReplica,
  type HaBlow,
  kafkaBrokerCountOf,
  pausePrimaryPastTtl,
  pauseReplica,
  pauseWholePostgres,
  switchPrimary,
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
 * On an HA stack (PostgreSQL under Patroni) PostgreSQL is hurt node by node instead: the leader
 * SIGKILLed, frozen past its ttl or switched over, or an etcd member killed (HA_FAULT_KINDS).
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
/** Faults of PostgreSQL under Patroni; each heals once every node is back in its place. */
export const HA_FAULT_KINDS = ['kill-primary', 'switchover', 'pause-primary', 'kill-etcd'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number] | (typeof HA_FAULT_KINDS)[number];
/** These act on the one PostgreSQL server; with Patroni they would fight it (it restarts its own). */
const SINGLE_NODE_FAULT_KINDS: readonly FaultKind[] = ['kill-postgres', 'pause-postgres'];

/** Why `kinds` cannot run on a stack with (`ha`) or without PostgreSQL under Patroni; undefined if they can. */
export function faultKindsRefused(kinds: readonly FaultKind[], ha: boolean): string | undefined {
  const refused = ha
    ? kinds.filter((kind) => SINGLE_NODE_FAULT_KINDS.includes(kind))
    : kinds.filter((kind) => (HA_FAULT_KINDS as readonly FaultKind[]).includes(kind));
  if (refused.length === 0) return undefined;
  return ha
    ? `${refused.join(', ')}: PostgreSQL runs highly available here; use ${HA_FAULT_KINDS.join(', ')}`
    : `${refused.join(', ')}: needs PostgreSQL highly available (--ha)`;
}

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
type Turns = Record<
  'users' | 'transactions' | 'paused' | 'broker' | 'blackhole' | 'partition' | 'etcd',
  number
>;

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
): Promise<FailoverWindow[]> {
  const refused = faultKindsRefused(
    plan.map((fault) => fault.kind),
    targets.stack.postgres.ha !== undefined,
  );
  if (refused) throw new Error(`nemesis: ${refused}`);
  const windows: FailoverWindow[] = [];
  const turns: Turns = {
    users: 0,
    transactions: 0,
    paused: 0,
    broker: 0,
    blackhole: 0,
    partition: 0,
    etcd: 0,
  };
  let healedAtMs = 0;
  for (const fault of plan) {
    const waitMs = Math.max(startMs + fault.atMs, healedAtMs + QUIET_BETWEEN_FAULTS_MS) - Date.now();
    if (waitMs > 0) await sleep(waitMs);
    if (Date.now() > lastStartMs) {
      targets.log(`fault ${fault.kind} skipped: the chaos phase is ending`);
      continue;
    }
    const startedAtMs = Date.now();
    const hit = await inject(fault.kind, targets, turns).catch((error: unknown) => error as Error);
    healedAtMs = Date.now();
    if (hit instanceof Error) {
      // The history up to here is still worth judging (a failover that went wrong is exactly
      // what the checker is for), but later faults would hit a stack of unknown shape.
      windows.push({
        kind: fault.kind,
        target: '?',
        startedAtMs,
        endedAtMs: healedAtMs,
        notHealed: hit.message,
      });
      targets.log(`fault ${fault.kind} did NOT heal: ${hit.message}; no further faults`);
      break;
    }
    const { target, struckAtMs } = typeof hit === 'string' ? { target: hit, struckAtMs: undefined } : hit;
    windows.push({
      kind: fault.kind,
      target,
      startedAtMs,
      endedAtMs: healedAtMs,
      ...(struckAtMs === undefined ? {} : { struckAtMs }),
    });
    targets.log(`fault ${fault.kind} on ${target}: healed after ${healedAtMs - startedAtMs} ms`);
  }
  return windows;
}

const next = <T>(list: readonly T[], turns: Turns, key: keyof Turns): T => list[turns[key]++ % list.length]!;

/** Injects one fault, waits until it has healed, and says what it hit (an HA fault also when). */
async function inject(kind: FaultKind, targets: NemesisTargets, turns: Turns): Promise<string | HaBlow> {
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
    case 'kill-primary':
      return await crashPrimary(stack, log);
    case 'pause-primary':
      return await pausePrimaryPastTtl(stack);
    case 'switchover':
      return await switchPrimary(stack);
    case 'kill-etcd':
      return await crashEtcdMember(stack, turns.etcd++, log);
  }
}
