import type { Consumer, ConsumerConfig, EachBatchPayload, IHeaders, Kafka, KafkaMessage } from 'kafkajs';
import type { EventConsumer, IncomingEvent } from './kafka.ts';
import { readConsumerLag } from './kafka-admin.ts';

/** Settings every consumer of ours uses, supervised or not. */
export const CONSUMER_SETTINGS = {
  sessionTimeout: 10_000,
  heartbeatInterval: 1_000,
  // A short fetch wait keeps disconnect (and so shutdown) under a second.
  maxWaitTimeInMs: 500,
} satisfies Omit<ConsumerConfig, 'groupId'>;

/** What `run` is given: commit after every handled message, so a restart redelivers at most the in-flight one. */
export function runOptions(handle: (event: IncomingEvent) => Promise<void>) {
  return {
    autoCommit: true,
    autoCommitThreshold: 1,
    eachMessage: async ({
      topic,
      partition,
      message,
    }: {
      topic: string;
      partition: number;
      message: KafkaMessage;
    }) => {
      await handle(toIncomingEvent(topic, partition, message));
    },
  };
}

/**
 * What a supervised consumer's `run` is given: each batch a fetch brought for one partition goes
 * to `handle` at once, in offset order, and its offsets are committed once it resolves; a restart
 * delivers again at most the batch in flight. One database transaction per batch rather than per
 * event keeps a consumer ahead of a burst of events (issue 11: one INSERT and one Kafka commit per
 * created user let wallets open 15 s late while users were created at ~1,600/s).
 */
export function batchRunOptions(handle: (events: IncomingEvent[]) => Promise<void>) {
  return {
    autoCommit: true,
    autoCommitThreshold: 1,
    // kafkajs would otherwise mark a batch done whenever eachBatch returns, the early return of a
    // stopping consumer included, and commit events nobody handled.
    eachBatchAutoResolve: false,
    eachBatch: async ({ batch, isRunning, isStale, heartbeat, resolveOffset }: EachBatchPayload) => {
      // A batch fetched before a rebalance or a stop is another member's now, or nobody's.
      if (!isRunning() || isStale() || batch.messages.length === 0) return;
      await handle(batch.messages.map((message) => toIncomingEvent(batch.topic, batch.partition, message)));
      resolveOffset(batch.lastOffset());
      await heartbeat();
    },
  };
}

/**
 * A plain consumer (the CLI, tests): it stops for good when kafkajs gives up on it, and
 * `isRunning()` says so. Services use supervised-consumer.ts, which starts a fresh one instead.
 */
export function createPlainConsumer(kafka: Kafka, groupId: string): EventConsumer {
  const consumer: Consumer = kafka.consumer({ groupId, ...CONSUMER_SETTINGS });
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
      await consumer.run(runOptions(handle));
      running = true;
    },

    async lag() {
      const admin = kafka.admin();
      await admin.connect();
      try {
        return await readConsumerLag(admin, groupId, subscribed);
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

function toIncomingEvent(topic: string, partition: number, message: KafkaMessage): IncomingEvent {
  return {
    topic,
    partition,
    offset: message.offset,
    key: message.key?.toString('utf8') ?? null,
    value: message.value?.toString('utf8') ?? null,
    headers: headersToStrings(message.headers),
    timestampMs: Number(message.timestamp),
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
