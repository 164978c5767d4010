import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, Partitioners } from 'kafkajs';

export const probeTopic = '_wallet_stack_probe';

const probeTimeoutMs = 20_000;

/**
 * Readiness: create the probe topic, produce a unique message and read it back through a
 * consumer group. That exercises the controller, the partition leader and the group coordinator
 * (whose __consumer_offsets topic is made on first use), which an open port does not.
 */
export async function probeKafka(brokers: string[]): Promise<void> {
  const kafka = new Kafka({
    clientId: 'wallet-stack-probe',
    brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 2_000,
    retry: { retries: 2 },
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: [{ topic: probeTopic, numPartitions: 1 }], waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
  const marker = randomUUID();
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  try {
    await producer.send({ topic: probeTopic, messages: [{ key: 'probe', value: marker }] });
  } finally {
    await producer.disconnect();
  }
  await consumeMarker(kafka, marker);
}

async function consumeMarker(kafka: Kafka, marker: string): Promise<void> {
  const consumer = kafka.consumer({ groupId: `wallet-stack-probe-${marker}`, retry: { retries: 2 } });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic: probeTopic, fromBeginning: true });
    await new Promise<void>((resolveSeen, reject) => {
      const timer = setTimeout(() => reject(new Error('probe message not consumed in time')), probeTimeoutMs);
      consumer
        .run({
          eachMessage: async ({ message }) => {
            if (message.value?.toString() !== marker) return;
            clearTimeout(timer);
            resolveSeen();
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
}
