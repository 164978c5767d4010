import { type IHeaders, Kafka, logLevel } from 'kafkajs';
import {
  type EventConsumer,
  KAFKA_CONNECT_TIMEOUT_MS,
  KAFKA_REQUEST_TIMEOUT_MS,
} from '../../../../services/shared/src/messaging/kafka.ts';
import { seedBrokersInRandomOrder } from '../../../../services/shared/src/messaging/seed-brokers.ts';

/** Fetches wait for this much data, or FETCH_WAIT_MS, whichever comes first. */
export const FETCH_BYTES_MIN = 64 * 1024;
/** Short also so that disconnecting (quitting) takes well under a second. */
export const FETCH_WAIT_MS = 100;

/** What following needs of a consumer: no lag, which counts committed offsets. */
export type FollowConsumer = Pick<EventConsumer, 'start' | 'isRunning' | 'disconnect'>;

/**
 * A consumer for `--follow` and the dashboard, in a throwaway group (a new id each run, never
 * resumed): it commits no offsets. The services' consumer (services/shared messaging/kafka.ts)
 * commits after every record, a round trip to the broker each that caps one consumer at a
 * broker's answer rate: at 2,000 events/s on a busy 2-core machine the dashboard fell seconds
 * behind and spent half a core on commits (`npm run bench -- --dashboard`). A group nobody
 * resumes has no use for them. Records are handled a fetched batch at a time, in order, with
 * kafkajs' per-record bookkeeping (resolve, heartbeat check) once per batch; should `handle`
 * throw, the batch is delivered again. Otherwise configured as the services' consumer.
 */
export function createFollowConsumer(options: {
  brokers: string[];
  clientId: string;
  groupId: string;
  verbose: boolean;
}): FollowConsumer {
  const kafka = new Kafka({
    clientId: options.clientId,
    brokers: seedBrokersInRandomOrder(options.brokers),
    connectionTimeout: KAFKA_CONNECT_TIMEOUT_MS,
    requestTimeout: KAFKA_REQUEST_TIMEOUT_MS,
    retry: { initialRetryTime: 100, retries: 8, maxRetryTime: 5_000 },
    logLevel: options.verbose ? logLevel.INFO : logLevel.NOTHING,
  });
  const consumer = kafka.consumer({
    groupId: options.groupId,
    sessionTimeout: 10_000,
    heartbeatInterval: 1_000,
    // The broker answers a fetch once FETCH_BYTES_MIN are there or FETCH_WAIT_MS passed: under
    // load, a few large fetches a second instead of one per handful of records (each fetch
    // names every partition of the followed topics); idle, a record shows within FETCH_WAIT_MS.
    minBytes: FETCH_BYTES_MIN,
    maxWaitTimeInMs: FETCH_WAIT_MS,
  });
  let running = false;
  consumer.on(consumer.events.CRASH, (event) => {
    if (!event.payload.restart) running = false;
  });
  consumer.on(consumer.events.STOP, () => {
    running = false;
  });
  return {
    async start({ topics, fromBeginning = false, handle }) {
      await consumer.connect();
      await consumer.subscribe({ topics, fromBeginning });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: true,
        eachBatch: async ({ batch, heartbeat, isRunning, isStale }) => {
          const { topic, partition } = batch;
          for (const message of batch.messages) {
            if (!isRunning() || isStale()) return;
            await handle({
              topic,
              partition,
              offset: message.offset,
              key: message.key?.toString('utf8') ?? null,
              value: message.value?.toString('utf8') ?? null,
              headers: headersToStrings(message.headers),
              timestampMs: Number(message.timestamp),
            });
          }
          await heartbeat();
        },
      });
      running = true;
    },
    isRunning: () => running,
    async disconnect() {
      running = false;
      await consumer.disconnect();
    },
  };
}

function headersToStrings(headers: IHeaders | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined) continue;
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) result[name] = first.toString();
  }
  return result;
}
