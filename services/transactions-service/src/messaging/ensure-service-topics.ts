import { TOPICS, topicName } from '../../../shared/src/contracts/events.ts';
import { ensureTopicsWithRetry, type KafkaClient } from '../../../shared/src/messaging/kafka.ts';

/** Creates the namespaced topics this service reads and writes (retried, see ensureTopicsWithRetry). */
export async function ensureServiceTopics(kafka: KafkaClient, namespace: string): Promise<void> {
  const topics = Object.values(TOPICS).map((topic) => ({ topic: topicName(namespace, topic) }));
  await ensureTopicsWithRetry(kafka, topics);
}
