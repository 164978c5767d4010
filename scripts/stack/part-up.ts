import { kafkaFromEnv, natsFromEnv, postgresFromEnv } from './external-parts.ts';
import { startHaPostgres, stopHaPostgres } from './ha/index.ts';
import { haLayout, haproxyName } from './ha/layout.ts';
import { haproxyPid } from './haproxy.ts';
import { kafkaBrokerCount, kafkaPid, startKafka, stopKafka } from './kafka.ts';
import { probeKafka } from './kafka-probe.ts';
import { natsPid, probeNats, startNats, stopNats } from './nats.ts';
import { postgresPid, startPostgres, stopPostgres } from './postgres.ts';
import { probePostgres } from './postgres-client.ts';
import type { KafkaState, NatsState, PostgresState } from './state.ts';
import { waitUntil } from './wait.ts';

/** A part after `up`: its state, and whether this call started it (and so must undo it on failure). */
export type PartUp<T> = { state: T; startedNow: boolean };

export type PartUpOptions = {
  dir: string;
  fast: boolean;
  cacheDir?: string;
  log: (line: string) => void;
  /** Kafka brokers wanted; undefined keeps what runs (or ran last) in the dir. */
  kafkaBrokers?: number;
  kafkaAdvertisedPorts?: readonly number[];
  /** PostgreSQL nodes under Patroni (2 or more), or 1 for the single server; undefined keeps what ran last. */
  postgresNodes?: number;
};

const externalReadyTimeoutMs = 30_000;

async function isHealthy(probe: () => Promise<void>): Promise<boolean> {
  return probe().then(
    () => true,
    () => false,
  );
}

export async function postgresUp(
  options: PartUpOptions,
  previous?: PostgresState,
): Promise<PartUp<PostgresState>> {
  const fromEnv = await postgresFromEnv();
  if (fromEnv) return { state: fromEnv, startedNow: false };
  const nodes = options.postgresNodes ?? previous?.ha?.nodes ?? 1;
  if (nodes > 1) return haPostgresUp(options, nodes, previous);
  await stopHaPostgres(options.dir);
  if (
    previous?.managed &&
    postgresPid(options.dir) &&
    (await isHealthy(() => probePostgres(previous.adminUrl)))
  ) {
    return { state: previous, startedNow: false };
  }
  // A server that runs but does not answer (or has no state) is restarted, not trusted.
  await stopPostgres(options.dir);
  return { state: await startPostgres(options), startedNow: true };
}

/**
 * Patroni, etcd and HAProxy (scripts/stack/ha/): startHaPostgres reuses a cluster that runs
 * healthy in the dir with this many nodes. The single server of an earlier `up` is stopped first.
 */
async function haPostgresUp(
  options: PartUpOptions,
  nodes: number,
  previous: PostgresState | undefined,
): Promise<PartUp<PostgresState>> {
  await stopPostgres(options.dir);
  // What this call starts it must undo if another part fails; a cluster that ran already stays.
  const wasRunning =
    previous?.ha?.nodes === nodes && haproxyPid(haLayout(options.dir).root, haproxyName) !== undefined;
  const ha = await startHaPostgres({ dir: options.dir, nodes, log: options.log });
  return {
    state: { adminUrl: ha.adminUrl, databases: ha.databases, port: ha.port, managed: true, ha: { nodes } },
    startedNow: !wasRunning,
  };
}

export async function natsUp(options: PartUpOptions, previous?: NatsState): Promise<PartUp<NatsState>> {
  const fromEnv = natsFromEnv();
  if (fromEnv) {
    await waitUntil(() => probeNats(fromEnv.url), {
      what: `NATS_URL ${fromEnv.url}`,
      timeoutMs: externalReadyTimeoutMs,
    });
    return { state: fromEnv, startedNow: false };
  }
  if (previous?.managed && natsPid(options.dir) && (await isHealthy(() => probeNats(previous.url)))) {
    return { state: previous, startedNow: false };
  }
  await stopNats(options.dir);
  return { state: await startNats(options), startedNow: true };
}

export async function kafkaUp(options: PartUpOptions, previous?: KafkaState): Promise<PartUp<KafkaState>> {
  const fromEnv = kafkaFromEnv();
  if (fromEnv) {
    await waitUntil(() => probeKafka(fromEnv.brokers), {
      what: `KAFKA_BROKERS ${fromEnv.brokers.join(',')}`,
      timeoutMs: externalReadyTimeoutMs,
    });
    return { state: fromEnv, startedNow: false };
  }
  const brokers = options.kafkaBrokers ?? previous?.nodes?.length ?? kafkaBrokerCount(options.dir);
  if (
    previous?.managed &&
    kafkaPid(options.dir) &&
    sameKafkaShape(previous, brokers, options.kafkaAdvertisedPorts) &&
    (await isHealthy(() =>
      probeKafka(previous.nodes?.map((node) => node.internalAddress) ?? previous.brokers),
    ))
  ) {
    return { state: previous, startedNow: false };
  }
  await stopKafka(options.dir);
  const state = await startKafka({ ...options, brokers, advertisedPorts: options.kafkaAdvertisedPorts });
  return { state, startedNow: true };
}

/** A running Kafka is reused only with the broker count and advertised ports asked for. */
function sameKafkaShape(
  previous: KafkaState,
  brokers: number,
  advertisedPorts: readonly number[] | undefined,
): boolean {
  const nodes = previous.nodes ?? [];
  if ((nodes.length || 1) !== brokers) return false;
  const advertised = nodes.map((node) => node.advertisedPort);
  const wanted = advertisedPorts ?? nodes.map((node) => node.port);
  return advertised.length === wanted.length && advertised.every((port, index) => port === wanted[index]);
}
