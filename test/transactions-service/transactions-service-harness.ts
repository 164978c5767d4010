import { randomUUID } from 'node:crypto';
import pRetry from 'p-retry';
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { TOPICS, topicName } from '../../services/shared/src/contracts/events.ts';
import { createKafka, type EventProducer } from '../../services/shared/src/messaging/kafka.ts';
import type { RunningTransactionsService } from '../../services/transactions-service/src/service.ts';
import {
  createTestDatabase,
  getStack,
  startTestTransactionsService,
  type TestDatabase,
  uniqueNamespace,
} from '../support/index.ts';

/** One replica on a fresh database, a pool on that database to look at what it stored. */
export type TransactionsServiceFixture = {
  readonly namespace: string;
  database: TestDatabase;
  service: RunningTransactionsService;
  pool: pg.Pool;
};

/**
 * Registers the beforeAll/afterAll that every transactions-service test file needs: a fresh
 * database, one replica on it (in a namespace of its own unless given), and a pool. The fields
 * are there once beforeAll ran; afterAll closes the pool, stops the replica and drops the database.
 */
export function useTransactionsService(label: string, namespace = `${uniqueNamespace()}.`) {
  const fixture = { namespace } as TransactionsServiceFixture;
  beforeAll(async () => {
    fixture.database = await createTestDatabase(label);
    fixture.service = await startTestTransactionsService(fixture.database.url, namespace);
    fixture.pool = openPool(fixture.database.url);
  });
  afterAll(async () => {
    await fixture.pool?.end();
    await fixture.service?.stop();
    await fixture.database?.drop();
  });
  return fixture;
}

export function openPool(databaseUrl: string): pg.Pool {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 3 });
  // Some tests drop the database under the service: an idle client's error must not crash the run.
  pool.on('error', () => {});
  return pool;
}

/** Opens wallets straight in the database, for tests that are not about the consumer. */
export async function openWalletsDirectly(pool: pg.Pool, count: number): Promise<string[]> {
  const userIds = Array.from({ length: count }, () => randomUUID());
  await pool.query('INSERT INTO users (user_id) SELECT unnest($1::uuid[])', [userIds]);
  return userIds;
}

export async function balanceText(pool: pg.Pool, userId: string): Promise<string | undefined> {
  const { rows } = await pool.query<{ balance: string }>(
    'SELECT balance::text FROM users WHERE user_id = $1',
    [userId],
  );
  return rows[0]?.balance;
}

export async function countRows(pool: pg.Pool, sql: string, values: unknown[] = []): Promise<number> {
  const { rows } = await pool.query<{ count: string }>(sql, values);
  return Number(rows[0]?.count);
}

/**
 * The services' producer, sending as the outbox does: a failed send is sent again (a few times),
 * since the producer leaves every retry to its caller. Right after a topic is made, a busy broker
 * can still answer "not the leader" for a moment, and a test's single send would fail on that.
 */
export async function createTestProducer(): Promise<EventProducer> {
  const producer = await createKafka({
    brokers: getStack().kafka.brokers,
    clientId: 'transactions-test',
  }).createProducer();
  return {
    send: (topic, events) =>
      pRetry(() => producer.send(topic, events), { retries: TEST_SEND_RETRIES, minTimeout: 200 }),
    sendAll: (batches) =>
      pRetry(() => producer.sendAll(batches), { retries: TEST_SEND_RETRIES, minTimeout: 200 }),
    disconnect: () => producer.disconnect(),
  };
}

const TEST_SEND_RETRIES = 5;

export function userCreatedTopic(namespace: string): string {
  return topicName(namespace, TOPICS.userCreated);
}
