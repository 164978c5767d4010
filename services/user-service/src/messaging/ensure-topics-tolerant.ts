import { setTimeout as sleep } from 'node:timers/promises';
import type { KafkaClient } from '../../../shared/src/messaging/kafka.ts';

const ENSURE_TOPICS_ATTEMPTS_MAX = 5;
const ENSURE_TOPICS_BACKOFF_MS = 200;

/**
 * Creates the topics unless they exist. transactions-service ensures the same topic at the
 * same time; whichever loses the race sees "already exists" (or a half-created topic) and
 * simply asks again, when the listing then shows the topic.
 */
export async function ensureTopicsTolerant(kafka: KafkaClient, topics: string[]): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await kafka.ensureTopics(topics.map((topic) => ({ topic })));
      return;
    } catch (error) {
      if (attempt >= ENSURE_TOPICS_ATTEMPTS_MAX) throw error;
      await sleep(ENSURE_TOPICS_BACKOFF_MS * attempt);
    }
  }
}
