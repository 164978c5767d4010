import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKafka, ensureTopicsWithRetry } from '../../services/shared/src/messaging/kafka.ts';
import { seedBrokersInRandomOrder } from '../../services/shared/src/messaging/seed-brokers.ts';
import { findFreePort, getStack, uniqueNamespace } from '../support/index.ts';

/**
 * A dead broker behind a proxy: the connection is accepted, then dropped. kafkajs retries such a
 * seed broker instead of moving to the next one in its list (issue #368), so a client that always
 * started from the first broker was stuck while that broker was down.
 */
async function startDroppingListener(): Promise<{ address: string; server: Server }> {
  const port = await findFreePort();
  const server = createServer((socket) => socket.destroy());
  await new Promise<void>((listening) => server.listen(port, '127.0.0.1', listening));
  return { address: `127.0.0.1:${port}`, server };
}

// A failed send makes the next one start a fresh producer from a random broker of the two, so
// twenty failures in a row is one in a million; with the fixed order every one started on the
// dead broker and failed.
const triesMax = 20;
const batches = 5;

describe('seed brokers', () => {
  let dead: { address: string; server: Server };

  beforeAll(async () => {
    dead = await startDroppingListener();
  });

  afterAll(async () => {
    await new Promise((closed) => dead.server.close(closed));
  });

  it('given a list, when asked again and again, then every broker comes first sometimes and none is lost or doubled', () => {
    const brokers = ['a:1', 'b:2', 'c:3'];
    const next = seedBrokersInRandomOrder(brokers);
    const firsts = new Set<string>();
    for (let call = 0; call < 200; call += 1) {
      const order = next();
      expect([...order].sort()).toEqual(brokers);
      firsts.add(order[0]!);
    }
    expect([...firsts].sort()).toEqual(brokers);
  });

  it('given the first listed broker accepts and drops every connection, when the services producer sends as the outbox does, retrying a failed send, then every batch lands within a few tries', async () => {
    const namespace = uniqueNamespace();
    const topic = `${namespace}.seed.probe`;
    const live = createKafka({ brokers: getStack().kafka.brokers, clientId: `${namespace}-setup` });
    await ensureTopicsWithRetry(live, [{ topic, partitions: 1 }]);
    await live.disconnect();
    const kafka = createKafka({
      brokers: [dead.address, ...getStack().kafka.brokers],
      clientId: `${namespace}-seed`,
    });
    const producer = await kafka.createProducer();

    const triesPerBatch: number[] = [];
    for (let batch = 0; batch < batches; batch += 1) {
      let tries = 1;
      while (
        !(await producer.send(topic, [{ key: `${batch}`, value: `${batch}`, headers: {} }]).then(
          () => true,
          () => false,
        ))
      ) {
        tries += 1;
        if (tries > triesMax) break;
      }
      triesPerBatch.push(tries);
    }
    await producer.disconnect();
    await kafka.disconnect();

    expect(triesPerBatch.filter((tries) => tries > triesMax)).toEqual([]);
  }, 120_000);
});
