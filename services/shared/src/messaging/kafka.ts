import { Kafka, logLevel, Partitioners, type Producer } from 'kafkajs';
import pRetry from 'p-retry';
import { withinTimeout } from '../within-timeout.ts';
import { createSharedKafkaAdmin } from './kafka-admin.ts';
import { createPlainConsumer } from './kafka-consumer.ts';
import { seedBrokersInRandomOrder } from './seed-brokers.ts';
import {
  type RunningConsumer,
  type SupervisedConsumerOptions,
  startSupervisedConsumer,
} from './supervised-consumer.ts';

/**
 * Our small messaging interface. kafkajs stays behind it so the rest of the code speaks
 * in topics, keys, string values and string headers, and a client swap touches one file.
 */
export type OutgoingEvent = { key: string; value: string; headers: Record<string, string> };
export type IncomingEvent = {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: string | null;
  headers: Record<string, string>;
  timestampMs: number;
};

export type TopicEvents = { topic: string; events: OutgoingEvent[] };

export type EventProducer = {
  /** One topic's events, in order; resolves once Kafka acknowledged all of them (acks=all). */
  send(topic: string, events: OutgoingEvent[]): Promise<void>;
  /**
   * Several topics' events in one request per broker, each topic's in order; resolves once Kafka
   * acknowledged all of them. A rejection says nothing of which parts landed.
   */
  sendAll(batches: TopicEvents[]): Promise<void>;
  disconnect(): Promise<void>;
};

export type EventConsumer = {
  /** Resolves once subscribed and running; `handle` is awaited before the offset is committed. */
  start(options: {
    topics: string[];
    fromBeginning?: boolean;
    handle: (event: IncomingEvent) => Promise<void>;
  }): Promise<void>;
  /** Offsets behind the end of each partition, summed per topic. */
  lag(): Promise<Record<string, number>>;
  isRunning(): boolean;
  disconnect(): Promise<void>;
};

export type KafkaClient = {
  ensureTopics(topics: { topic: string; partitions?: number }[]): Promise<void>;
  createProducer(): Promise<EventProducer>;
  /** A consumer that stops for good when kafkajs gives up on it (the CLI, tests). */
  createConsumer(options: { groupId: string }): EventConsumer;
  /** A service's consumer: restarted with backoff whenever kafkajs gives up on it (supervised-consumer.ts). */
  startSupervisedConsumer(options: SupervisedConsumerOptions): Promise<RunningConsumer>;
  /**
   * True when the cluster answers a metadata request, asked over one long-lived admin client
   * per KafkaClient; callers arriving while a ping runs share it (kafka-admin.ts).
   */
  ping(): Promise<boolean>;
  /** Closes the shared admin client (producers and consumers are closed on their own). */
  disconnect(): Promise<void>;
};

export const KAFKA_REQUEST_TIMEOUT_MS = 10_000;
export const KAFKA_CONNECT_TIMEOUT_MS = 3_000;
/** Bounds one send, kafkajs' retries included: past it the batch is retried with a fresh producer. */
export const KAFKA_SEND_TIMEOUT_MS = 30_000;
export const TOPIC_PARTITIONS_DEFAULT = 6;

export const ENSURE_TOPICS_ATTEMPTS_MAX = 5;
const ENSURE_TOPICS_BACKOFF_MS = 500;

/**
 * ensureTopics for service start-up, retried: the other service may be creating the same topic
 * at the same time, and while a new topic's leaders are being elected a broker can answer
 * "already exists" or "does not host this topic-partition"; a second look finds the topic.
 */
export async function ensureTopicsWithRetry(
  kafka: KafkaClient,
  topics: { topic: string; partitions?: number }[],
): Promise<void> {
  await pRetry(() => kafka.ensureTopics(topics), {
    retries: ENSURE_TOPICS_ATTEMPTS_MAX - 1,
    minTimeout: ENSURE_TOPICS_BACKOFF_MS,
    factor: 1.5,
  });
}

export function createKafka(options: {
  brokers: string[];
  clientId: string;
  verbose?: boolean;
}): KafkaClient {
  const clientOptions = {
    clientId: options.clientId,
    brokers: seedBrokersInRandomOrder(options.brokers),
    connectionTimeout: KAFKA_CONNECT_TIMEOUT_MS,
    requestTimeout: KAFKA_REQUEST_TIMEOUT_MS,
    logLevel: options.verbose ? logLevel.INFO : logLevel.NOTHING,
  };
  const kafka = new Kafka({
    ...clientOptions,
    retry: { initialRetryTime: 100, retries: 8, maxRetryTime: 5_000 },
  });
  // The producers' client gives up on a broker after two quick retries instead of eight slow
  // ones (about 15 s): kafkajs retries a seed broker that accepts and drops connections instead
  // of moving on (seed-brokers.ts), and the outbox's own retry, with a fresh producer from
  // another seed, is the faster way round a dead broker.
  const producerKafka = new Kafka({
    ...clientOptions,
    retry: { initialRetryTime: 100, retries: 2, maxRetryTime: 1_000 },
  });
  const admin = createSharedKafkaAdmin(kafka);

  return {
    async ensureTopics(topics) {
      const admin = kafka.admin();
      await admin.connect();
      try {
        const existing = new Set(await admin.listTopics());
        const missing = topics.filter(({ topic }) => !existing.has(topic));
        if (missing.length === 0) return;
        await admin.createTopics({
          waitForLeaders: true,
          topics: missing.map(({ topic, partitions }) => ({
            topic,
            numPartitions: partitions ?? TOPIC_PARTITIONS_DEFAULT,
          })),
        });
      } finally {
        await admin.disconnect();
      }
    },

    async createProducer() {
      // acks=all on every send, and no retries inside kafkajs: its producer keeps one map of broker
      // answers across its own retries of a send, so when a partition's leader dies and the new
      // leader already answered for other partitions, the moved partition's records are never sent
      // again and the send still resolves (kafkajs issue #1303): an acknowledged event lost. An
      // idempotent kafkajs producer cannot turn its retries off, hence a plain one. A failed send
      // rejects; the outbox sends the whole batch again, and consumers dedupe by event id.
      const connectProducer = async (): Promise<Producer> => {
        const producer = producerKafka.producer({
          retry: { retries: 0 },
          maxInFlightRequests: 1,
          createPartitioner: Partitioners.DefaultPartitioner,
        });
        await producer.connect();
        return producer;
      };
      // A send that failed, or hung, leaves a producer we do not trust (a connection to a dead
      // leader, stale metadata): the next send starts a fresh producer. A batch that may have
      // landed is sent again, which at-least-once allows.
      let current: Promise<Producer> | undefined;
      try {
        current = Promise.resolve(await connectProducer());
      } catch {
        // Not fatal: the first send connects again, from another seed broker.
      }
      const discard = (failed: Promise<Producer>) => {
        if (current !== failed) return;
        current = undefined;
        void failed.then((producer) => producer.disconnect()).catch(() => {});
      };
      const sendAll = async (batches: TopicEvents[]): Promise<void> => {
        const topicMessages = batches
          .filter((batch) => batch.events.length > 0)
          .map((batch) => ({
            topic: batch.topic,
            messages: batch.events.map((event) => ({
              key: event.key,
              value: event.value,
              headers: event.headers,
            })),
          }));
        if (topicMessages.length === 0) return;
        current ??= connectProducer();
        const attempt = current;
        try {
          const producer = await withinTimeout(attempt, KAFKA_SEND_TIMEOUT_MS);
          await withinTimeout(producer.sendBatch({ topicMessages, acks: -1 }), KAFKA_SEND_TIMEOUT_MS);
        } catch (error) {
          discard(attempt);
          throw error;
        }
      };
      return {
        send: (topic, events) => sendAll([{ topic, events }]),
        sendAll,
        async disconnect() {
          const last = current;
          current = undefined;
          await last?.then((producer) => producer.disconnect());
        },
      };
    },

    createConsumer({ groupId }) {
      return createPlainConsumer(kafka, groupId);
    },

    startSupervisedConsumer(consumerOptions) {
      return startSupervisedConsumer(kafka, admin, consumerOptions);
    },

    ping: () => admin.ping(),

    disconnect: () => admin.disconnect(),
  };
}
