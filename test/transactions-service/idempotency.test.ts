import { describe, expect, it } from 'vitest';
import { IDEMPOTENCY_KEY_RETENTION_HOURS } from '../../services/transactions-service/src/config.ts';
import { startIdempotencyCleanup } from '../../services/transactions-service/src/idempotency-cleanup.ts';
import { call } from '../support/index.ts';
import {
  balanceText,
  countRows,
  openWalletsDirectly,
  useTransactionsService,
} from './transactions-service-harness.ts';

const CONCURRENT_REQUESTS = 20;

describe('Idempotency-Key on money commands', () => {
  const tx = useTransactionsService('tx_idempotency');

  const rowsFor = (userId: string) =>
    countRows(tx.pool, 'SELECT count(*) FROM transactions WHERE user_id = $1', [userId]);

  it('Given a deposit made with a key, When it is sent again with the same key and body, Then the first response is replayed and money moves once', async () => {
    // Given
    const [userId] = await openWalletsDirectly(tx.pool, 1);
    const headers = { 'idempotency-key': 'deposit-1' };
    const first = await call(tx.service.url, 'POST', '/addMoney', {
      json: { user_id: userId, amount: 25 },
      headers,
    });

    // When: the same request, with the amount written differently
    const again = await call(tx.service.url, 'POST', '/addMoney', {
      json: { user_id: userId!.toUpperCase(), amount: '25.00' },
      headers,
    });

    // Then
    expect(first.status).toBe(200);
    expect(first.headers['idempotency-replayed']).toBeUndefined();
    expect(again.status).toBe(200);
    expect(again.headers['idempotency-replayed']).toBe('true');
    expect(again.json).toEqual(first.json);
    expect(await balanceText(tx.pool, userId!)).toBe('25.00');
    expect(await rowsFor(userId!)).toBe(1);
    expect(await countRows(tx.pool, 'SELECT count(*) FROM outbox WHERE event_key = $1', [userId])).toBe(1);
  });

  it('Given a key already used, When a different body comes with it, Then 422 IDEMPOTENCY_KEY_REUSED and nothing moves', async () => {
    // Given
    const [userId, otherUserId] = await openWalletsDirectly(tx.pool, 2);
    const headers = { 'idempotency-key': 'deposit-2' };
    await call(tx.service.url, 'POST', '/addMoney', { json: { user_id: userId, amount: 10 }, headers });

    // When
    const otherAmount = await call(tx.service.url, 'POST', '/addMoney', {
      json: { user_id: userId, amount: 11 },
      headers,
    });
    const otherUser = await call(tx.service.url, 'POST', '/addMoney', {
      json: { user_id: otherUserId, amount: 10 },
      headers,
    });

    // Then
    expect([otherAmount.status, otherAmount.json.code]).toEqual([422, 'IDEMPOTENCY_KEY_REUSED']);
    expect([otherUser.status, otherUser.json.code]).toEqual([422, 'IDEMPOTENCY_KEY_REUSED']);
    expect(await balanceText(tx.pool, userId!)).toBe('10.00');
    expect(await balanceText(tx.pool, otherUserId!)).toBe('0.00');
  });

  it('Given one key, When 20 identical transfers race, Then exactly one moves money and all answer the same', async () => {
    // Given
    const [fromUserId, toUserId] = await openWalletsDirectly(tx.pool, 2);
    await call(tx.service.url, 'POST', '/addMoney', { json: { user_id: fromUserId, amount: 100 } });
    const body = { from_user_id: fromUserId, to_user_id: toUserId, amount_to_transfer: 7.5 };

    // When
    const responses = await Promise.all(
      Array.from({ length: CONCURRENT_REQUESTS }, () =>
        call(tx.service.url, 'POST', '/transferMoney', {
          json: body,
          headers: { 'idempotency-key': 'transfer-1' },
        }),
      ),
    );

    // Then
    expect(responses.map((response) => response.status)).toEqual(Array(CONCURRENT_REQUESTS).fill(200));
    expect(new Set(responses.map((response) => response.json.transfer_id)).size).toBe(1);
    expect(responses.filter((response) => response.headers['idempotency-replayed'] === 'true')).toHaveLength(
      CONCURRENT_REQUESTS - 1,
    );
    expect(responses[0]!.json).toMatchObject({ amount: 7.5, from_balance: 92.5, to_balance: 7.5 });
    expect(await balanceText(tx.pool, fromUserId!)).toBe('92.50');
    expect(await balanceText(tx.pool, toUserId!)).toBe('7.50');
    expect(await rowsFor(toUserId!)).toBe(1);
  });

  it('Given a transfer refused for insufficient funds, When retried with the same key after a deposit, Then it goes through: the refusal did not burn the key', async () => {
    // Given
    const [fromUserId, toUserId] = await openWalletsDirectly(tx.pool, 2);
    const request = {
      json: { from_user_id: fromUserId, to_user_id: toUserId, amount: 5 },
      headers: { 'idempotency-key': 'transfer-2' },
    };
    const refused = await call(tx.service.url, 'POST', '/transferMoney', request);
    await call(tx.service.url, 'POST', '/addMoney', { json: { user_id: fromUserId, amount: 5 } });

    // When
    const retried = await call(tx.service.url, 'POST', '/transferMoney', request);

    // Then
    expect([refused.status, refused.json.code]).toEqual([422, 'INSUFFICIENT_FUNDS']);
    expect(retried.status).toBe(200);
    expect(retried.headers['idempotency-replayed']).toBeUndefined();
    expect(await balanceText(tx.pool, toUserId!)).toBe('5.00');
  });

  it('Given the same key on both routes, When used, Then each route has its own scope', async () => {
    // Given
    const [fromUserId, toUserId] = await openWalletsDirectly(tx.pool, 2);
    const headers = { 'idempotency-key': 'shared-key' };
    await call(tx.service.url, 'POST', '/addMoney', { json: { user_id: fromUserId, amount: 3 }, headers });

    // When
    const transfer = await call(tx.service.url, 'POST', '/transferMoney', {
      json: { from_user_id: fromUserId, to_user_id: toUserId, amount: 3 },
      headers,
    });

    // Then
    expect(transfer.status).toBe(200);
    expect(transfer.headers['idempotency-replayed']).toBeUndefined();
  });

  it('Given malformed keys, When sent, Then 400 INVALID_IDEMPOTENCY_KEY and nothing moves', async () => {
    // Given
    const [userId] = await openWalletsDirectly(tx.pool, 1);

    for (const key of ['has space', 'x'.repeat(201), 'ünïcode', 'a/b']) {
      // When
      const response = await call(tx.service.url, 'POST', '/addMoney', {
        json: { user_id: userId, amount: 1 },
        headers: { 'idempotency-key': key },
      });

      // Then
      expect([response.status, response.json.code], key).toEqual([400, 'INVALID_IDEMPOTENCY_KEY']);
    }
    expect(await balanceText(tx.pool, userId!)).toBe('0.00');
  });

  it('Given keys older and younger than the retention, When the cleanup runs, Then only the old ones go', async () => {
    // Given
    await tx.pool.query(
      `INSERT INTO idempotency_keys (scope, key, request_hash, status_code, response, created_at) VALUES
         ('test', 'old', 'h', 200, '{}', now() - make_interval(hours => $1::int + 1)),
         ('test', 'young', 'h', 200, '{}', now() - make_interval(hours => $1::int - 1))`,
      [IDEMPOTENCY_KEY_RETENTION_HOURS],
    );
    const cleanup = startIdempotencyCleanup({ pool: tx.pool, intervalMs: 60_000, onError: () => {} });

    // When
    const deleted = await cleanup.runOnce();
    await cleanup.stop();

    // Then
    expect(deleted).toBe(1);
    const { rows } = await tx.pool.query("SELECT key FROM idempotency_keys WHERE scope = 'test'");
    expect(rows).toEqual([{ key: 'young' }]);
  });
});
