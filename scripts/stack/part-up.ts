import { kafkaFromEnv, natsFromEnv, postgresFromEnv } from './external-parts.ts';
import { kafkaPid, startKafka, stopKafka } from './kafka.ts';
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
  if (previous?.managed && kafkaPid(options.dir) && (await isHealthy(() => probeKafka(previous.brokers)))) {
    return { state: previous, startedNow: false };
  }
  await stopKafka(options.dir);
  return { state: await startKafka(options), startedNow: true };
}
