import { setTimeout as sleep } from 'node:timers/promises';
import { TOPICS, topicName } from '../../../shared/src/contracts/events.ts';
import type { KafkaClient } from '../../../shared/src/messaging/kafka.ts';

export const TOPIC_PARTITIONS = 6;
export const ENSURE_TOPICS_ATTEMPTS_MAX = 5;
const ENSURE_TOPICS_BACKOFF_MS = 500;

/**
 * Creates the namespaced topics this service reads and writes. Retried: while a new topic's
 * leaders are being elected, the broker can answer "does not host this topic-partition",
 * and a second look finds the topic existing.
 */
export async function ensureServiceTopics(kafka: KafkaClient, namespace: string): Promise<void> {
  const topics = [
    TOPICS.userCreated,
    TOPICS.userCreatedDeadLetter,
    TOPICS.moneyAdded,
    TOPICS.moneyTransferred,
  ].map((topic) => ({ topic: topicName(namespace, topic), partitions: TOPIC_PARTITIONS }));
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
