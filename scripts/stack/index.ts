import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { haStatus, stopHaPostgres } from './ha/index.ts';
import { kafkaLayout, kafkaPid, kafkaPorts, stopKafka } from './kafka.ts';
import { withLock } from './lock.ts';
import { natsLayout, natsPid, stopNats } from './nats.ts';
import { ensureOperatorToken } from './operator-token.ts';
import { kafkaUp, natsUp, type PartUpOptions, postgresUp } from './part-up.ts';
import { defaultStackDir } from './paths.ts';
import { stopPgbouncer } from './pgbouncer.ts';
import { isPortOpen, loopbackHost, readRememberedPort } from './ports.ts';
import { postgresLayout, postgresPid, stopPostgres } from './postgres.ts';
import { stopServiceBalancer } from './service-balancer.ts';
import { readStackState, removeStackState, type StackState, writeStackState } from './state.ts';
import { waitUntil } from './wait.ts';

export {
  killNats,
  killPostgres,
  pausePostgres,
  resumePostgres,
} from './faults.ts';
export { kafkaBrokerCount, killKafkaBroker, startKafkaBroker } from './kafka.ts';
export { ensureKafkaJars, kafkaVersion } from './kafka-jars.ts';
export { startNats } from './nats.ts';
export { defaultCacheDir, defaultStackDir } from './paths.ts';
export { startPostgres } from './postgres.ts';
export type { KafkaNodeState, KafkaState, NatsState, PostgresState, StackState } from './state.ts';
export { readStackState } from './state.ts';

export type StackUpOptions = {
  dir?: string;
  quiet?: boolean;
  log?: (line: string) => void;
  /** Durability off (fsync, full page writes): for throwaway test stacks only. */
  fast?: boolean;
  /** Where the Kafka jars are cached; default `WALLET_CACHE_DIR` or `<repo>/.wallet/cache`. */
  cacheDir?: string;
  /**
   * Kafka brokers: 1, or 3 for a cluster with replication factor 3 and min ISR 2 (kafka-config.ts).
   * Default: what runs (or ran last) in `dir`, else 1.
   */
  kafkaBrokers?: number;
  /**
   * Per broker, the loopback port clients are told to use, e.g. a fault-injecting proxy's in front
   * of it; replication and the controller quorum stay direct. Default: each broker's own port.
   */
  kafkaAdvertisedPorts?: readonly number[];
  /**
   * PostgreSQL highly available: this many nodes (2 or more) under Patroni with etcd and HAProxy
   * (scripts/stack/ha/), or 1 for the single server. Default: what ran last in `dir`, else 1.
   */
  postgresNodes?: number;
};

/** --ha alone means two nodes; --postgres-nodes alone says how many (1: the single server). */
export function postgresNodeCount(ha: boolean, nodes: string | undefined): number | undefined {
  if (nodes === undefined) return ha ? 2 : undefined;
  const count = Number(nodes);
  if (!Number.isInteger(count) || count < 1 || count > 5 || (ha && count < 2)) {
    throw new Error(`--postgres-nodes must be 1 to 5 (2 or more with --ha), got ${nodes}`);
  }
  return count;
}

const portsClosedTimeoutMs = 15_000;
const lockName = 'stack.lock';
// Long enough for another launcher's cold start (jar fetch included) to finish first.
const lockTimeoutMs = 10 * 60_000;

/**
 * Starts PostgreSQL, NATS and Kafka (in parallel) unless they already run healthy in `dir`, waits
 * until each really answers, and writes `<dir>/stack.json`. If any part fails, the parts this call
 * started are stopped again, so a failed `up` leaves nothing behind.
 */
export async function stackUp(options: StackUpOptions = {}): Promise<StackState> {
  const dir = resolve(options.dir ?? defaultStackDir());
  const log = options.quiet
    ? () => {}
    : (options.log ?? ((line: string) => process.stderr.write(`${line}\n`)));
  mkdirSync(dir, { recursive: true });
  const previous = readStackState(dir);
  const partOptions: PartUpOptions = {
    dir,
    fast: options.fast ?? false,
    cacheDir: options.cacheDir,
    log,
    kafkaBrokers: options.kafkaBrokers,
    kafkaAdvertisedPorts: options.kafkaAdvertisedPorts,
    postgresNodes: options.postgresNodes,
  };
  const [postgres, nats, kafka] = await Promise.allSettled([
    postgresUp(partOptions, previous?.postgres),
    natsUp(partOptions, previous?.nats),
    kafkaUp(partOptions, previous?.kafka),
  ]);
  if (postgres.status === 'rejected' || nats.status === 'rejected' || kafka.status === 'rejected') {
    const stops = [];
    if (postgres.status === 'fulfilled' && postgres.value.startedNow)
      stops.push(postgres.value.state.ha ? stopHaPostgres(dir) : stopPostgres(dir));
    if (nats.status === 'fulfilled' && nats.value.startedNow) stops.push(stopNats(dir));
    if (kafka.status === 'fulfilled' && kafka.value.startedNow) stops.push(stopKafka(dir));
    await Promise.allSettled(stops);
    const reasons = [postgres, nats, kafka]
      .filter((result) => result.status === 'rejected')
      .map((result) => (result.reason instanceof Error ? result.reason.message : String(result.reason)));
    throw new Error(`stack up failed in ${dir}:\n${reasons.join('\n\n')}`);
  }
  const startedNow = postgres.value.startedNow || nats.value.startedNow || kafka.value.startedNow;
  const state: StackState = {
    dir,
    postgres: postgres.value.state,
    nats: nats.value.state,
    kafka: kafka.value.state,
    operatorToken: ensureOperatorToken(dir),
    startedAt: startedNow || !previous ? new Date().toISOString() : previous.startedAt,
  };
  writeStackState(state);
  log(startedNow ? `stack up in ${dir}` : `stack already up in ${dir}`);
  return state;
}

export type StackDownOptions = {
  dir?: string;
  /** Also delete the parts' data (databases, topics); the shared jar cache is kept. */
  purge?: boolean;
};

/** Stops what `stackUp` started in `dir`, waits until the processes are gone and ports closed. */
export async function stackDown(options: StackDownOptions = {}): Promise<void> {
  const dir = resolve(options.dir ?? defaultStackDir());
  if (!existsSync(dir)) return;
  await withLock(join(dir, lockName), lockTimeoutMs, () => downLocked(dir, options));
}

async function downLocked(dir: string, options: StackDownOptions): Promise<void> {
  const ports = managedPorts(dir);
  // Found by pid files rather than stack.json, so an `up` that died half-way is cleaned up too,
  // and so is the balancer and pooler of an `npm start -- --replicas N` that was killed.
  await Promise.all([stopServiceBalancer(dir), stopPgbouncer(dir)]);
  await Promise.all([stopPostgres(dir), stopHaPostgres(dir), stopNats(dir), stopKafka(dir)]);
  await waitUntil(
    async () => {
      for (const port of ports) {
        if (await isPortOpen(port)) throw new Error(`port ${port} still open`);
      }
    },
    { what: 'ports closed', timeoutMs: portsClosedTimeoutMs },
  );
  removeStackState(dir);
  if (options.purge) {
    for (const part of ['postgres', 'nats', 'kafka'])
      rmSync(join(dir, part), { recursive: true, force: true });
  }
}

export type PartStatus = {
  up: boolean;
  managed: boolean;
  pid?: number;
  address?: string;
  /** PostgreSQL under Patroni: which node leads, and each node's role and state. */
  ha?: {
    leader: string | undefined;
    nodes: { name: string; role: string; state: string; lagBytes?: number }[];
  };
};

export type StackStatus = {
  dir: string;
  stateFile: boolean;
  postgres: PartStatus;
  nats: PartStatus;
  kafka: PartStatus;
};

/** A quick look (pids and open ports, no probes) at each part of the stack in `dir`. */
export async function stackStatus(options: { dir?: string } = {}): Promise<StackStatus> {
  const dir = resolve(options.dir ?? defaultStackDir());
  const state = readStackState(dir);
  const postgresAddress = state
    ? hostAndPort(state.postgres.adminUrl)
    : addressOf(readRememberedPort(postgresLayout(dir).portFile));
  const natsAddress = state
    ? hostAndPort(state.nats.url)
    : addressOf(readRememberedPort(natsLayout(dir).portFile));
  // The first broker's own port: what the state advertises may be a proxy's that is not up.
  const firstNode = state?.kafka.nodes?.[0];
  const kafkaAddress = firstNode
    ? addressOf(firstNode.port)
    : (state?.kafka.brokers[0] ?? addressOf(readRememberedPort(kafkaLayout(dir).portFile)));
  return {
    dir,
    stateFile: state !== undefined,
    postgres: state?.postgres.ha
      ? await haPartStatus(dir, postgresAddress)
      : await partStatus(state?.postgres.managed ?? true, postgresPid(dir), postgresAddress),
    nats: await partStatus(state?.nats.managed ?? true, natsPid(dir), natsAddress),
    kafka: await partStatus(state?.kafka.managed ?? true, kafkaPid(dir), kafkaAddress),
  };
}

async function partStatus(managed: boolean, pid: number | undefined, address?: string): Promise<PartStatus> {
  const [host, port] = address ? splitAddress(address) : [loopbackHost, 0];
  const open = port > 0 && (await isPortOpen(port, host));
  return { up: open && (!managed || pid !== undefined), managed, pid: managed ? pid : undefined, address };
}

/** Up when HAProxy's read-write port is open and a node leads; the nodes as Patroni sees them. */
async function haPartStatus(dir: string, address: string | undefined): Promise<PartStatus> {
  const cluster = await haStatus(dir).catch(() => undefined);
  const front = await partStatus(false, undefined, address);
  return {
    up: front.up && cluster?.leader !== undefined,
    managed: true,
    address,
    ha: {
      leader: cluster?.leader,
      nodes: (cluster?.nodes ?? []).map((node) => ({
        name: node.name,
        role: node.role,
        state: node.state,
        lagBytes: node.lagBytes,
      })),
    },
  };
}

/** The ports of the parts that run now, which must be closed once they are stopped. */
function managedPorts(dir: string): number[] {
  const files = [
    ...(postgresPid(dir) ? [postgresLayout(dir).portFile] : []),
    ...(natsPid(dir) ? [natsLayout(dir).portFile] : []),
  ];
  return [
    ...files.map(readRememberedPort).filter((port): port is number => port !== undefined),
    ...kafkaPorts(dir),
  ];
}

function addressOf(port: number | undefined): string | undefined {
  return port ? `${loopbackHost}:${port}` : undefined;
}

function hostAndPort(url: string): string {
  const parsed = new URL(url);
  return `${parsed.hostname}:${parsed.port || (parsed.protocol === 'nats:' ? 4222 : 5432)}`;
}

function splitAddress(address: string): [string, number] {
  const index = address.lastIndexOf(':');
  return [address.slice(0, index), Number(address.slice(index + 1))];
}
