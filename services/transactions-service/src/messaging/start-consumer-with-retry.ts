import { setTimeout as sleep } from 'node:timers/promises';
import type { EventConsumer, IncomingEvent, KafkaClient } from '../../../shared/src/messaging/kafka.ts';

export const CONSUMER_START_ATTEMPTS_MAX = 6;
const CONSUMER_START_BACKOFF_MS = 500;

/**
 * Joins the consumer group and subscribes, retrying with a fresh consumer: right after a topic
 * is created (by this replica or another one starting at the same time) a broker can still
 * answer "does not host this topic-partition" to the subscription's metadata request.
 */
export async function startConsumerWithRetry(
  kafka: KafkaClient,
  options: { groupId: string; topics: string[]; handle: (event: IncomingEvent) => Promise<void> },
): Promise<EventConsumer> {
  for (let attempt = 1; ; attempt++) {
    const consumer = kafka.createConsumer({ groupId: options.groupId });
    try {
      // A new group must open wallets for every user created before this service first ran.
      await consumer.start({ topics: options.topics, fromBeginning: true, handle: options.handle });
      return consumer;
    } catch (error) {
      await consumer.disconnect().catch(() => {});
      if (attempt >= CONSUMER_START_ATTEMPTS_MAX) throw error;
      await sleep(CONSUMER_START_BACKOFF_MS * attempt);
    }
  }
}
