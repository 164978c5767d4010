import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOPICS, topicName } from '../../services/shared/src/contracts/events.ts';
import type { EventProducer } from '../../services/shared/src/messaging/kafka.ts';
import type { RunningTransactionsService } from '../../services/transactions-service/src/service.ts';
import { createTestDatabase, type TestDatabase, uniqueNamespace } from '../support/index.ts';
import {
  call,
  collectTopic,
  countRows,
  createTestProducer,
  openPool,
  startTestTransactionsService,
  userCreatedTopic,
  waitFor,
} from './transactions-service-harness.ts';

function userCreated(userId: string): string {
  return JSON.stringify({
    user_id: userId,
    email: `${userId}@example.com`,
    created_at: new Date().toISOString(),
  });
}

describe('user-created consumer', () => {
  const namespace = `${uniqueNamespace()}.`;
  let database: TestDatabase;
  let service: RunningTransactionsService;
  let pool: pg.Pool;
  let producer: EventProducer;

  beforeAll(async () => {
    database = await createTestDatabase('tx_consumer');
    service = await startTestTransactionsService(database.url, namespace);
    pool = openPool(database.url);
    producer = await createTestProducer();
  });

  afterAll(async () => {
    await producer?.disconnect();
    await pool?.end();
    await service?.stop();
    await database?.drop();
  });

  const walletExists = async (userId: string) =>
    (await countRows(pool, 'SELECT count(*) FROM users WHERE user_id = $1', [userId])) === 1
      ? true
      : undefined;

  it('Given a user-created event delivered three times, When consumed, Then one wallet opens with balance 0', async () => {
    // Given
    const userId = randomUUID();
    const event = { key: userId, value: userCreated(userId), headers: { 'event-id': randomUUID() } };
    // A later event on the same key (same partition) proves the three copies were all handled.
    const laterUserId = randomUUID();

    // When
    await producer.send(userCreatedTopic(namespace), [event, event, event]);
    await producer.send(userCreatedTopic(namespace), [
      { key: userId, value: userCreated(laterUserId), headers: {} },
    ]);

    // Then
    await waitFor('the later wallet', () => walletExists(laterUserId));
    expect(await countRows(pool, 'SELECT count(*) FROM users WHERE user_id = $1', [userId])).toBe(1);
    const wallet = await call(service.url, 'GET', `/wallets/${userId}`);
    expect(wallet.status).toBe(200);
    expect(wallet.json.balance).toBe(0);
    expect(await countRows(pool, 'SELECT count(*) FROM transactions')).toBe(0);
  });

  it('Given malformed events before a valid one, When consumed, Then they land on the dead-letter topic with an error header and the valid one still opens a wallet', async () => {
    // Given
    const deadLetters = await collectTopic(topicName(namespace, TOPICS.userCreatedDeadLetter));
    const key = randomUUID();
    const validUserId = randomUUID();
    const malformed = [
      { key, value: '{"user_id": oops', headers: { 'request-id': 'bad-json' } },
      {
        key,
        value: JSON.stringify({ user_id: 'not-a-uuid', email: 'x@example.com' }),
        headers: { 'request-id': 'bad-schema' },
      },
    ];

    // When
    await producer.send(userCreatedTopic(namespace), [
      ...malformed,
      { key, value: userCreated(validUserId), headers: { 'request-id': 'good' } },
    ]);

    // Then
    await waitFor('the valid wallet', () => walletExists(validUserId));
    const received = await waitFor('both dead letters', () => {
      const mine = deadLetters.events.filter((event) => event.key === key);
      return mine.length >= 2 ? mine : undefined;
    });
    await deadLetters.stop();
    expect(received.map((event) => event.value)).toEqual(malformed.map((event) => event.value));
    expect(received.map((event) => event.headers['request-id'])).toEqual(['bad-json', 'bad-schema']);
    expect(received[0]!.headers.error).toMatch(/not JSON/);
    expect(received[1]!.headers.error).toMatch(/user_id/);
    expect(received.every((event) => event.headers['original-topic'] === userCreatedTopic(namespace))).toBe(
      true,
    );
    expect(await countRows(pool, "SELECT count(*) FROM users WHERE user_id::text = 'not-a-uuid'")).toBe(0);
  });
});
