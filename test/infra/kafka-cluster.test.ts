import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Admin, ConfigResourceTypes, Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  killKafkaBroker,
  type StackState,
  stackDown,
  stackUp,
  startKafkaBroker,
} from '../../scripts/stack/index.ts';
import { kafkaNodeLayout } from '../../scripts/stack/kafka-node.ts';
import { findFreePort, isPortOpen } from '../../scripts/stack/ports.ts';
import { readLogTail } from '../../scripts/stack/processes.ts';
import {
  createKafka,
  type EventProducer,
  ensureTopicsWithRetry,
} from '../../services/shared/src/messaging/kafka.ts';
import { createTestDatabase, getStack, type TestDatabase, uniqueNamespace } from '../support/index.ts';

/**
 * A three-broker KRaft cluster started by the stack launcher, with a plain TCP relay in front of
 * each broker (the brokers advertise the relays' ports, as for the chaos suite's fault proxy).
 * PostgreSQL and NATS are the run's own, given by env, so only Kafka is started here.
 */

const brokerCount = 3;
const partitionCount = 3;
const batchSize = 50;
// A leader's death is noticed when the quorum fences it (broker.session.timeout.ms, 9 s).
const sendAttemptsMax = 60;
const sendRetryDelayMs = 500;
const settleTimeoutMs = 90_000;

type Relay = { port: number; connections: number; server: Server; target?: number };

/** Forwards each connection to `relay.target`, which is known only once the cluster is up. */
async function startRelay(): Promise<Relay> {
  const relay: Relay = { port: await findFreePort(), connections: 0, server: createServer() };
  relay.server.on('connection', (client) => {
    relay.connections += 1;
    const broker = new Socket();
    broker.connect(relay.target ?? 1, '127.0.0.1');
    client.pipe(broker).pipe(client);
    const close = () => {
      client.destroy();
      broker.destroy();
    };
    client.on('error', close).on('close', close);
    broker.on('error', close).on('close', close);
  });
  await new Promise<void>((listening) => relay.server.listen(relay.port, '127.0.0.1', listening));
  return relay;
}

/**
 * The services' own producer (acks=all, kafkajs' retries off: issue #1303 in kafka.ts), retried
 * as the outbox relay retries it: a send that failed may still have landed, so the check is "at
 * least".
 */
async function sendAcknowledged(producer: EventProducer, topic: string, values: string[]): Promise<void> {
  const events = values.map((value) => ({ key: value, value, headers: {} }));
  for (let attempt = 1; ; attempt += 1) {
    try {
      await producer.send(topic, events);
      return;
    } catch (error) {
      if (attempt >= sendAttemptsMax) throw error;
      await sleep(sendRetryDelayMs);
    }
  }
}

function batch(label: string): string[] {
  return Array.from({ length: batchSize }, (_, index) => `${label}-${index}`);
}

async function replicaCounts(admin: Admin, topic: string): Promise<{ replicas: number[]; inSync: number[] }> {
  const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
  const partitions = topics[0]?.partitions ?? [];
  return { replicas: partitions.map((p) => p.replicas.length), inSync: partitions.map((p) => p.isr.length) };
}

describe('a three-broker Kafka cluster from the stack launcher', () => {
  const namespace = uniqueNamespace();
  const topic = `${namespace}.cluster.probe`;
  const savedEnv = new Map<string, string | undefined>();
  const relays: Relay[] = [];
  let dir: string;
  let database: TestDatabase;
  let state: StackState;
  let admin: Admin;

  beforeAll(async () => {
    database = await createTestDatabase('kafka-cluster');
    const run = getStack();
    const env: Record<string, string | undefined> = {
      USER_SERVICE_DATABASE_URL: database.url,
      TRANSACTIONS_SERVICE_DATABASE_URL: database.url,
      NATS_URL: run.nats.url,
      KAFKA_BROKERS: undefined,
      DATABASE_ADMIN_URL: undefined,
    };
    for (const [name, value] of Object.entries(env)) {
      savedEnv.set(name, process.env[name]);
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    dir = mkdtempSync(join(tmpdir(), 'wallet-kafka-cluster-test-'));
    for (let index = 0; index < brokerCount; index += 1) relays.push(await startRelay());
    state = await stackUp({
      dir,
      fast: true,
      quiet: true,
      kafkaBrokers: brokerCount,
      kafkaAdvertisedPorts: relays.map((relay) => relay.port),
    });
    for (const [index, node] of (state.kafka.nodes ?? []).entries()) relays[index]!.target = node.port;
    admin = new Kafka({ brokers: state.kafka.brokers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
  }, 180_000);

  afterAll(async () => {
    await admin?.disconnect();
    await stackDown({ dir }).catch(() => {});
    rmSync(dir, { recursive: true, force: true });
    for (const relay of relays) relay.server.close();
    await database?.drop();
    for (const [name, value] of savedEnv) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }, 60_000);

  it('given the cluster, then KAFKA_BROKERS lists every broker as advertised and topics get three replicas, two needed in sync', async () => {
    // Then: one advertised address per broker, each a relay's
    expect(state.kafka.brokers).toEqual(relays.map((relay) => `127.0.0.1:${relay.port}`));
    expect(state.kafka.nodes?.map((node) => node.nodeId)).toEqual([1, 2, 3]);

    // When: a topic is made as the services make theirs (no replication factor: the broker's default)
    const kafka = createKafka({ brokers: state.kafka.brokers, clientId: `${namespace}-setup` });
    await ensureTopicsWithRetry(kafka, [{ topic, partitions: partitionCount }]);
    await kafka.disconnect();

    // Then: RF 3 and min ISR 2 (once every broker's metadata has the new topic), and clients
    // reached the brokers only through the relays
    await vi.waitFor(
      async () =>
        expect(await replicaCounts(admin, topic)).toEqual({ replicas: [3, 3, 3], inSync: [3, 3, 3] }),
      { timeout: settleTimeoutMs, interval: 250 },
    );
    const { resources } = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: ConfigResourceTypes.BROKER, name: '1', configNames: ['min.insync.replicas'] }],
    });
    expect(resources[0]?.configEntries[0]?.configValue).toBe('2');
    // A client talks only to the brokers it needs; asking every partition's leader for its offsets
    // (three partitions, one led by each broker) makes it reach all three, through their relays.
    await admin.fetchTopicOffsets(topic);
    expect(relays.every((relay) => relay.connections > 0)).toBe(true);
  });

  it('given acknowledged writes, when a broker is SIGKILLed and later started again, then nothing acknowledged is lost and writes go on', async () => {
    // Given: a first batch written with acks=all
    const kafka = createKafka({ brokers: state.kafka.brokers, clientId: `${namespace}-producer` });
    const producer = await kafka.createProducer();
    const acknowledged: string[] = [];
    await sendAcknowledged(producer, topic, batch('before'));
    acknowledged.push(...batch('before'));

    // When: the leader of partition 0 dies without a word
    const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
    const victim = (topics[0]?.partitions.find((p) => p.partitionId === 0)?.leader ?? 1) - 1;
    const victimPort = state.kafka.nodes![victim]!.port;
    await killKafkaBroker(dir, victim);
    expect(await isPortOpen(victimPort)).toBe(false);

    await explainFailure(victim, async (step) => {
      // Then: writes with acks=all still succeed on the two brokers left (min ISR 2)
      step('writing with a broker down');
      await sendAcknowledged(producer, topic, batch('during'));
      acknowledged.push(...batch('during'));

      // When: the broker comes back on the same ports and data
      step('starting the broker again');
      await startKafkaBroker(dir, victim);
      expect(await isPortOpen(victimPort)).toBe(true);
      step('waiting for every replica back in sync');
      await vi.waitFor(async () => expect((await replicaCounts(admin, topic)).inSync).toEqual([3, 3, 3]), {
        timeout: settleTimeoutMs,
        interval: 500,
      });
      step('writing after the restart');
      await sendAcknowledged(producer, topic, batch('after'));
      acknowledged.push(...batch('after'));
    });
    await producer.disconnect();
    await kafka.disconnect();

    // Then: a consumer reading from the start sees every acknowledged record
    const seen = new Set<string>();
    const positions: string[] = [];
    const consumer = new Kafka({ brokers: state.kafka.brokers, logLevel: logLevel.NOTHING }).consumer({
      groupId: `${namespace}.cluster.reader`,
    });
    await consumer.connect();
    try {
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ partition, message }) => {
          seen.add(message.value?.toString() ?? '');
          positions.push(`${partition}:${message.offset}:${message.value?.toString()}`);
        },
      });
      await vi
        .waitFor(() => expect(acknowledged.filter((value) => !seen.has(value))).toEqual([]), {
          timeout: 30_000,
          interval: 250,
        })
        .catch(async (error) => {
          console.log('DIAG offsets', JSON.stringify(await admin.fetchTopicOffsets(topic)));
          console.log(
            'DIAG metadata',
            JSON.stringify((await admin.fetchTopicMetadata({ topics: [topic] })).topics),
          );
          console.log('DIAG positions', positions.join(' '));
          throw error;
        });
    } finally {
      await consumer.disconnect();
    }
    // About 20 s alone; the rest is room for a slow moment of a 2-core machine running the suite.
  }, 180_000);

  /** Runs the steps; a failure names the step it stopped in and shows the restarted broker's log. */
  async function explainFailure(victim: number, steps: (step: (name: string) => void) => Promise<void>) {
    let current = '';
    const startedAt = Date.now();
    try {
      await steps((name) => {
        current = `${name} (at ${Date.now() - startedAt} ms)`;
      });
    } catch (error) {
      const log = readLogTail(kafkaNodeLayout(dir, victim, brokerCount).serverLog, 40);
      throw new Error(`failed while ${current}: ${(error as Error).message}\n${log}`, { cause: error });
    }
  }
});
