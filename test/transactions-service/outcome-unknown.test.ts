import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningTransactionsService } from '../../services/transactions-service/src/service.ts';
import { type CommitCuttingProxy, startCommitCuttingProxy } from '../shared/commit-cutting-proxy.ts';
import {
  call,
  createTestDatabase,
  startTestTransactionsService,
  type TestDatabase,
  uniqueNamespace,
  waitFor,
} from '../support/index.ts';
import { balanceText, openPool, openWalletsDirectly } from './transactions-service-harness.ts';

describe('a connection lost around COMMIT', () => {
  let database: TestDatabase;
  let proxy: CommitCuttingProxy;
  let service: RunningTransactionsService;
  let pool: pg.Pool;

  beforeAll(async () => {
    database = await createTestDatabase('tx_outcome_unknown');
    proxy = await startCommitCuttingProxy(database.url);
    service = await startTestTransactionsService(proxy.url, `${uniqueNamespace()}.`);
    pool = openPool(database.url);
  });

  afterAll(async () => {
    await pool?.end();
    await service?.stop();
    await proxy?.close();
    await database?.drop();
  });

  it('Given a deposit with an Idempotency-Key, When its commit lands but the answer is lost, Then 503 OUTCOME_UNKNOWN without Retry-After says a retry with the key is safe, and that retry moves the money once', async () => {
    // Given
    const [userId] = await openWalletsDirectly(pool, 1);
    const key = randomUUID();
    const deposit = () =>
      call(service.url, 'POST', '/addMoney', {
        json: { user_id: userId, amount: 5 },
        headers: { 'idempotency-key': key },
      });
    const cut = proxy.cutAfterCommitOf(userId as string);

    // When
    const lost = await deposit();
    await cut;

    // Then
    expect([lost.status, lost.json.code]).toEqual([503, 'OUTCOME_UNKNOWN']);
    expect(lost.headers['content-type']).toContain('application/problem+json');
    expect(lost.headers['retry-after']).toBeUndefined();
    expect(lost.json.detail).toContain('retrying with the same Idempotency-Key is safe');
    expect(await balanceText(pool, userId as string)).toBe('5.00');

    // When retried with the same key
    const retried = await deposit();

    // Then the first outcome is answered, and no money moved twice
    expect(retried.status).toBeLessThan(300);
    expect(retried.headers['idempotency-replayed']).toBe('true');
    expect(retried.json.updated_balance).toBe(5);
    expect(await balanceText(pool, userId as string)).toBe('5.00');
  });

  it('Given a transfer without an Idempotency-Key, When its commit lands but the answer is lost, Then 503 OUTCOME_UNKNOWN without Retry-After tells to check the history, not to retry', async () => {
    // Given
    const [from, to] = await openWalletsDirectly(pool, 2);
    const funded = await call(service.url, 'POST', '/addMoney', { json: { user_id: from, amount: 10 } });
    expect(funded.status).toBeLessThan(300);
    const cut = proxy.cutAfterCommitOf(from as string);

    // When
    const lost = await call(service.url, 'POST', '/transferMoney', {
      json: { from_user_id: from, to_user_id: to, amount: 3 },
    });
    await cut;

    // Then
    expect([lost.status, lost.json.code]).toEqual([503, 'OUTCOME_UNKNOWN']);
    expect(lost.headers['retry-after']).toBeUndefined();
    expect(lost.json.detail).toContain('check the history');
    expect(await balanceText(pool, to as string)).toBe('3.00');
  });

  it('Given the database refuses connections, When a deposit comes, Then 503 DATABASE_UNAVAILABLE keeps Retry-After: nothing was sent', async () => {
    // Given
    await proxy.refuseConnections();
    await waitFor('readiness to see the database gone', async () =>
      (await call(service.url, 'GET', '/readyz')).status === 503 ? true : undefined,
    );

    // When
    const refused = await call(service.url, 'POST', '/addMoney', {
      json: { user_id: randomUUID(), amount: 1 },
      headers: { 'idempotency-key': randomUUID() },
    });

    // Then
    expect([refused.status, refused.json.code]).toEqual([503, 'DATABASE_UNAVAILABLE']);
    expect(refused.headers['retry-after']).toBe('1');
  });
});
