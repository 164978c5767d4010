import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOPICS, topicName } from '../../services/shared/src/contracts/events.ts';
import type { EventProducer } from '../../services/shared/src/messaging/kafka.ts';
import { call, collectTopic, waitFor } from '../support/index.ts';
import {
  countRows,
  createTestProducer,
  userCreatedTopic,
  useTransactionsService,
} from './transactions-service-harness.ts';

function userCreated(userId: string): string {
  return JSON.stringify({
    user_id: userId,
    email: `${userId}@example.com`,
    created_at: new Date().toISOString(),
  });
}

describe('user-created consumer', () => {
  const tx = useTransactionsService('tx_consumer');
  let producer: EventProducer;

  beforeAll(async () => {
    producer = await createTestProducer();
  });

  afterAll(async () => {
    await producer?.disconnect();
  });

  const walletExists = async (userId: string) =>
    (await countRows(tx.pool, 'SELECT count(*) FROM users WHERE user_id = $1', [userId])) === 1
      ? true
      : undefined;

  it('Given a user-created event delivered three times, When consumed, Then one wallet opens with balance 0', async () => {
    // Given
    const userId = randomUUID();
    const event = { key: userId, value: userCreated(userId), headers: { 'event-id': randomUUID() } };
    // A later event on the same key (same partition) proves the three copies were all handled.
    const laterUserId = randomUUID();

    // When
    await producer.send(userCreatedTopic(tx.namespace), [event, event, event]);
    await producer.send(userCreatedTopic(tx.namespace), [
      { key: userId, value: userCreated(laterUserId), headers: {} },
    ]);

    // Then
    await waitFor('the later wallet', () => walletExists(laterUserId));
    expect(await countRows(tx.pool, 'SELECT count(*) FROM users WHERE user_id = $1', [userId])).toBe(1);
    const wallet = await call(tx.service.url, 'GET', `/wallets/${userId}`);
    expect(wallet.status).toBe(200);
    expect(wallet.json.balance).toBe(0);
    expect(await countRows(tx.pool, 'SELECT count(*) FROM transactions')).toBe(0);
  });

  it('Given malformed events before a valid one, When consumed, Then they land on the dead-letter topic with an error header and the valid one still opens a wallet', async () => {
    // Given
    const deadLetters = await collectTopic(topicName(tx.namespace, TOPICS.userCreatedDeadLetter));
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
    await producer.send(userCreatedTopic(tx.namespace), [
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
    expect(
      received.every((event) => event.headers['original-topic'] === userCreatedTopic(tx.namespace)),
    ).toBe(true);
    expect(await countRows(tx.pool, "SELECT count(*) FROM users WHERE user_id::text = 'not-a-uuid'")).toBe(0);
  });

  it('Given 600 users created at once, When their events are consumed, Then every wallet opens and the wallets share a few transactions, not one each', async () => {
    // Given
    const userIds = Array.from({ length: 600 }, () => randomUUID());

    // When
    await producer.send(
      userCreatedTopic(tx.namespace),
      userIds.map((userId) => ({ key: userId, value: userCreated(userId), headers: {} })),
    );

    // Then
    await waitFor('all 600 wallets', async () =>
      (await countRows(tx.pool, 'SELECT count(*) FROM users WHERE user_id = ANY($1::uuid[])', [userIds])) ===
      600
        ? true
        : undefined,
    );
    // Rows inserted by one transaction carry its id (xmin): one per fetched batch, not per event.
    const transactions = await countRows(
      tx.pool,
      'SELECT count(DISTINCT xmin::text) FROM users WHERE user_id = ANY($1::uuid[])',
      [userIds],
    );
    expect(transactions).toBeGreaterThanOrEqual(1);
    expect(transactions).toBeLessThanOrEqual(60);
  });
});
