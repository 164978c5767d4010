import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultStackDir } from './paths.ts';

export type PostgresState = {
  adminUrl: string;
  databases: { users: string; transactions: string };
  pid?: number;
  port: number;
  managed: boolean;
  /**
   * Set when PostgreSQL runs highly available (`up --ha`, scripts/stack/ha/): the URLs then lead
   * through HAProxy's read-write port to whichever Patroni node leads.
   */
  ha?: { nodes: number };
};

export type NatsState = { url: string; pid?: number; managed: boolean };

/** One KRaft node the stack runs (broker and controller in one process). */
export type KafkaNodeState = {
  /** 1-based, as in its server.properties. */
  nodeId: number;
  pid: number;
  /** The port it listens on for clients. */
  port: number;
  /** The port clients are told to use: `port`, or a fault-injecting proxy's in front of it. */
  advertisedPort: number;
  /** host:port of its INTERNAL listener (replication, the stack's probes), never proxied. */
  internalAddress: string;
};

export type KafkaState = {
  /** What clients bootstrap from (`KAFKA_BROKERS`): every broker, as advertised. */
  brokers: string[];
  /** The first node's pid. */
  pid?: number;
  managed: boolean;
  version: string;
  /** Each node the stack started; absent for a Kafka given by env (and in stack.json of older stacks). */
  nodes?: KafkaNodeState[];
};

/** What `stackUp` started (or was given by env), as written to `<dir>/stack.json`. */
export type StackState = {
  dir: string;
  postgres: PostgresState;
  nats: NatsState;
  kafka: KafkaState;
  /** Bearer token with the operator scope for the services this stack serves. */
  operatorToken: string;
  startedAt: string;
};

const stateFileName = 'stack.json';

export function stateFilePath(dir: string): string {
  return join(dir, stateFileName);
}

/** The state of the stack in `dir`, or undefined when none was written (or it was taken down). */
export function readStackState(dir: string = defaultStackDir()): StackState | undefined {
  const file = stateFilePath(dir);
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')) as StackState;
}

/** Written via a rename so a reader never sees half a file. Mode 600: it holds a password. */
export function writeStackState(state: StackState): void {
  mkdirSync(state.dir, { recursive: true });
  const file = stateFilePath(state.dir);
  const partial = `${file}.${process.pid}.tmp`;
  writeFileSync(partial, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  renameSync(partial, file);
}

export function removeStackState(dir: string): void {
  rmSync(stateFilePath(dir), { force: true });
}
