import { randomUUID } from 'node:crypto';
import { createKafka, type IncomingEvent } from '../../services/shared/src/messaging/kafka.ts';
import { getStack } from './stack.ts';

/** Reads a topic (or several) from the beginning in a consumer group of its own and keeps every record. */
export async function collectTopic(
  topic: string | string[],
  brokers: string[] = getStack().kafka.brokers,
): Promise<{ events: IncomingEvent[]; stop(): Promise<void> }> {
  const kafka = createKafka({ brokers, clientId: 'test-topic-reader' });
  const consumer = kafka.createConsumer({ groupId: `test-reader-${randomUUID()}` });
  const events: IncomingEvent[] = [];
  await consumer.start({
    topics: Array.isArray(topic) ? topic : [topic],
    fromBeginning: true,
    handle: async (event) => {
      events.push(event);
    },
  });
  return { events, stop: () => consumer.disconnect() };
}
