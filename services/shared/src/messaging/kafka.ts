import { setTimeout as sleep } from 'node:timers/promises';
import { type Consumer, type IHeaders, Kafka, logLevel, Partitioners, type Producer } from 'kafkajs';
import { withinTimeout } from '../within-timeout.ts';

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

export type EventProducer = {
  send(topic: string, events: OutgoingEvent[]): Promise<void>;
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
  createConsumer(options: { groupId: string }): EventConsumer;
  /** True when the cluster answers a metadata request. */
  ping(): Promise<boolean>;
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
  for (let attempt = 1; ; attempt++) {
    try {
      await kafka.ensureTopics(topics);
      return;
    } catch (error) {
      if (attempt >= ENSURE_TOPICS_ATTEMPTS_MAX) throw error;
      await sleep(ENSURE_TOPICS_BACKOFF_MS * attempt);
    }
  }
}

export function createKafka(options: {
  brokers: string[];
  clientId: string;
  verbose?: boolean;
}): KafkaClient {
  const kafka = new Kafka({
    clientId: options.clientId,
    brokers: options.brokers,
    connectionTimeout: KAFKA_CONNECT_TIMEOUT_MS,
    requestTimeout: KAFKA_REQUEST_TIMEOUT_MS,
    retry: { initialRetryTime: 100, retries: 8, maxRetryTime: 5_000 },
    logLevel: options.verbose ? logLevel.INFO : logLevel.NOTHING,
  });

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
      // Idempotent producer: acks from all in-sync replicas and no duplicates from its own retries.
      const connectProducer = async (): Promise<Producer> => {
        const producer = kafka.producer({
          idempotent: true,
          maxInFlightRequests: 1,
          createPartitioner: Partitioners.DefaultPartitioner,
        });
        await producer.connect();
        return producer;
      };
      // A send that failed after kafkajs' own retries, or hung, leaves a producer we do not trust:
      // after a broker restart an idempotent producer can keep sequence numbers the broker has
      // forgotten and fail every send from then on. The next send starts a fresh producer (a new
      // producer id); a batch that may have landed is sent again, which at-least-once allows.
      let current: Promise<Producer> | undefined = Promise.resolve(await connectProducer());
      const discard = (failed: Promise<Producer>) => {
        if (current !== failed) return;
        current = undefined;
        void failed.then((producer) => producer.disconnect()).catch(() => {});
      };
      return {
        async send(topic, events) {
          if (events.length === 0) return;
          current ??= connectProducer();
          const attempt = current;
          try {
            const producer = await withinTimeout(attempt, KAFKA_SEND_TIMEOUT_MS);
            await withinTimeout(
              producer.send({
                topic,
                acks: -1,
                messages: events.map((event) => ({
                  key: event.key,
                  value: event.value,
                  headers: event.headers,
                })),
              }),
              KAFKA_SEND_TIMEOUT_MS,
            );
          } catch (error) {
            discard(attempt);
            throw error;
          }
        },
        async disconnect() {
          const last = current;
          current = undefined;
          await last?.then((producer) => producer.disconnect());
        },
      };
    },

    createConsumer({ groupId }) {
      return wrapConsumer(
        kafka,
        kafka.consumer({
          groupId,
          sessionTimeout: 10_000,
          heartbeatInterval: 1_000,
          // A short fetch wait keeps disconnect (and so shutdown) under a second.
          maxWaitTimeInMs: 500,
        }),
        groupId,
      );
    },

    async ping() {
      const admin = kafka.admin();
      try {
        await admin.connect();
        await admin.describeCluster();
        return true;
      } catch {
        return false;
      } finally {
        await admin.disconnect().catch(() => {});
      }
    },
  };
}

function wrapConsumer(kafka: Kafka, consumer: Consumer, groupId: string): EventConsumer {
  let running = false;
  let subscribed: string[] = [];
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
      subscribed = topics;
      await consumer.run({
        autoCommit: true,
        // Commit after every handled message: a restart redelivers at most the in-flight one.
        autoCommitThreshold: 1,
        eachMessage: async ({ topic, partition, message }) => {
          await handle({
            topic,
            partition,
            offset: message.offset,
            key: message.key?.toString('utf8') ?? null,
            value: message.value?.toString('utf8') ?? null,
            headers: headersToStrings(message.headers),
            timestampMs: Number(message.timestamp),
          });
        },
      });
      running = true;
    },

    async lag() {
      const admin = kafka.admin();
      await admin.connect();
      try {
        const result: Record<string, number> = {};
        for (const topic of subscribed) {
          const [ends, committed] = await Promise.all([
            admin.fetchTopicOffsets(topic),
            admin.fetchOffsets({ groupId, topics: [topic] }),
          ]);
          const committedByPartition = new Map(
            (committed[0]?.partitions ?? []).map((p) => [p.partition, BigInt(p.offset)]),
          );
          let lag = 0n;
          for (const end of ends) {
            const done = committedByPartition.get(end.partition) ?? -1n;
            const start = done < 0n ? BigInt(end.low) : done;
            lag += BigInt(end.high) - start;
          }
          result[topic] = Number(lag);
        }
        return result;
      } finally {
        await admin.disconnect();
      }
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
