import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  createKafka,
  type EventConsumer,
  type IncomingEvent,
  type OutgoingEvent,
} from '../../services/shared/src/messaging/kafka.ts';
import { getStack, uniqueNamespace } from '../support/index.ts';

const consumeTimeoutMs = 30_000;

function events(...values: string[]): OutgoingEvent[] {
  return values.map((value) => ({ key: `key-${value}`, value, headers: { 'x-probe': value } }));
}

describe('Kafka in the test stack, through our messaging interface', () => {
  const namespace = uniqueNamespace();
  const kafka = createKafka({ brokers: getStack().kafka.brokers, clientId: `infra-kafka-${namespace}` });
  const topic = `${namespace}.infra.probe`;
  const groupId = `${namespace}.infra.group`;
  const consumers: EventConsumer[] = [];

  afterEach(async () => {
    await Promise.all(consumers.splice(0).map((consumer) => consumer.disconnect()));
  });

  async function consumeInto(received: IncomingEvent[]): Promise<EventConsumer> {
    const consumer = kafka.createConsumer({ groupId });
    consumers.push(consumer);
    await consumer.start({
      topics: [topic],
      fromBeginning: true,
      handle: async (event) => {
        received.push(event);
      },
    });
    return consumer;
  }

  it('given a new topic, when events are produced and consumed in a group, then a restarted consumer resumes after the committed offset', async () => {
    // Given: the topic exists (ensureTopics is idempotent) and three events are on it
    await kafka.ensureTopics([{ topic, partitions: 1 }]);
    await kafka.ensureTopics([{ topic, partitions: 1 }]);
    const producer = await kafka.createProducer();
    await producer.send(topic, events('1', '2', '3'));

    // When: a consumer in the group reads them and commits
    const firstRun: IncomingEvent[] = [];
    const firstConsumer = await consumeInto(firstRun);
    await vi.waitFor(() => expect(firstRun).toHaveLength(3), { timeout: consumeTimeoutMs });
    await vi.waitFor(async () => expect(await firstConsumer.lag()).toEqual({ [topic]: 0 }), {
      timeout: consumeTimeoutMs,
    });

    // Then: order, keys and headers are kept
    expect(firstRun.map((event) => [event.key, event.value, event.headers['x-probe']])).toEqual([
      ['key-1', '1', '1'],
      ['key-2', '2', '2'],
      ['key-3', '3', '3'],
    ]);

    // When: the consumer stops, two more events arrive, and a new consumer joins the same group
    await firstConsumer.disconnect();
    consumers.splice(consumers.indexOf(firstConsumer), 1);
    await producer.send(topic, events('4', '5'));
    await producer.disconnect();
    const secondRun: IncomingEvent[] = [];
    await consumeInto(secondRun);

    // Then: it starts after the committed offset, so it sees only the new events
    await vi.waitFor(() => expect(secondRun).toHaveLength(2), { timeout: consumeTimeoutMs });
    expect(secondRun.map((event) => event.value)).toEqual(['4', '5']);
    expect(secondRun[0]?.offset).toBe('3');
  });

  it('given the stack, when pinged, then the cluster answers', async () => {
    // Given / When
    const answered = await kafka.ping();

    // Then
    expect(answered).toBe(true);
  });
});
