import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { call, type HttpResult } from '../support/index.ts';
import { openWalletsDirectly, useTransactionsService } from './transactions-service-harness.ts';

const DEPOSIT_COUNT = 23;
const PAGE_SIZE = 5;

function expectProblem(response: HttpResult, status: number, code: string): void {
  expect([response.status, response.json?.code], response.text).toEqual([status, code]);
  expect(response.headers['content-type']).toContain('application/problem+json');
  expect(response.json.title).toEqual(expect.any(String));
  expect(response.json.request_id).toEqual(expect.any(String));
}

describe('errors and history', () => {
  const tx = useTransactionsService('tx_errors_history');

  it('Given wallets, When clients send bad transfers and bodies, Then each is a 4xx problem with its code', async () => {
    // Given
    const [aliceId, bobId] = await openWalletsDirectly(tx.pool, 2);
    await call(tx.service.url, 'POST', '/addMoney', { json: { user_id: aliceId, amount: 10 } });
    const transfer = (json: unknown) => call(tx.service.url, 'POST', '/transferMoney', { json });

    // When / Then
    expectProblem(
      await transfer({ from_user_id: aliceId, to_user_id: aliceId, amount: 1 }),
      422,
      'SAME_ACCOUNT',
    );
    expectProblem(
      await transfer({ from_user_id: aliceId, to_user_id: aliceId!.toUpperCase(), amount: 1 }),
      422,
      'SAME_ACCOUNT',
    );
    expectProblem(
      await transfer({ from_user_id: aliceId, to_user_id: bobId, amount: 10.01 }),
      422,
      'INSUFFICIENT_FUNDS',
    );
    const unknown = await transfer({ from_user_id: aliceId, to_user_id: randomUUID(), amount: 1 });
    expectProblem(unknown, 404, 'USER_NOT_FOUND');
    expect(unknown.json.detail).toMatch(/may not be open yet/);
    expectProblem(
      await transfer({ from_user_id: randomUUID(), to_user_id: bobId, amount: 1 }),
      404,
      'USER_NOT_FOUND',
    );
    expectProblem(
      await transfer({ from_user_id: 'alice', to_user_id: bobId, amount: 1 }),
      400,
      'INVALID_USER_ID',
    );
    expectProblem(
      await call(tx.service.url, 'POST', '/addMoney', { json: { user_id: randomUUID(), amount: 1 } }),
      404,
      'USER_NOT_FOUND',
    );
    expectProblem(
      await call(tx.service.url, 'POST', '/addMoney', {
        body: '{"user_id": "x", "amount": ',
        headers: { 'content-type': 'application/json' },
      }),
      400,
      'MALFORMED_JSON',
    );
    expectProblem(
      await call(tx.service.url, 'POST', '/addMoney', {
        body: `user_id=${aliceId}&amount=1`,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      }),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    );
    expectProblem(
      await call(tx.service.url, 'POST', '/addMoney', {
        body: JSON.stringify({ user_id: aliceId, amount: 1 }),
        headers: { 'content-type': 'text/plain' },
      }),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    );
    expectProblem(await call(tx.service.url, 'GET', `/wallets/${randomUUID()}`), 404, 'USER_NOT_FOUND');
    expectProblem(
      await call(tx.service.url, 'GET', `/transactions?user_id=${randomUUID()}`),
      404,
      'USER_NOT_FOUND',
    );
    expectProblem(
      await call(tx.service.url, 'GET', `/transactions?user_id=${aliceId}&cursor=abc`),
      400,
      'INVALID_CURSOR',
    );
    expectProblem(
      await call(tx.service.url, 'GET', `/transactions?user_id=${aliceId}&cursor=czA`),
      400,
      'INVALID_CURSOR',
    );
    expectProblem(await call(tx.service.url, 'GET', '/wallets?cursor=%%%'), 400, 'INVALID_CURSOR');
    expectProblem(
      await call(tx.service.url, 'GET', `/transactions?user_id=${aliceId}&limit=0`),
      400,
      'VALIDATION_FAILED',
    );

    // Then: nothing moved
    const alice = await call(tx.service.url, 'GET', `/wallets/${aliceId}`);
    expect(alice.json.balance).toBe(10);
  });

  it('Given 23 deposits and 2 transfers, When the history is walked page by page, Then every row comes once, newest first', async () => {
    // Given
    const [aliceId, bobId] = await openWalletsDirectly(tx.pool, 2);
    for (let i = 1; i <= DEPOSIT_COUNT; i++) {
      await call(tx.service.url, 'POST', '/addMoney', { json: { user_id: aliceId, amount: i } });
    }
    await call(tx.service.url, 'POST', '/transferMoney', {
      json: { from_user_id: aliceId, to_user_id: bobId, amount: 3 },
    });
    await call(tx.service.url, 'POST', '/transferMoney', {
      json: { from_user_id: bobId, to_user_id: aliceId, amount: 1 },
    });

    // When
    const seen: { id: string; kind: string; new_balance: number; timestamp: string }[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = `/transactions?user_id=${aliceId}&limit=${PAGE_SIZE}${cursor ? `&cursor=${cursor}` : ''}`;
      const page = await call(tx.service.url, 'GET', query);
      expect(page.status).toBe(200);
      expect(page.json.transactions.length).toBeLessThanOrEqual(PAGE_SIZE);
      seen.push(...page.json.transactions);
      cursor = page.json.next_cursor;
      pages++;
    } while (cursor !== null && pages < 20);

    // Then
    const total = DEPOSIT_COUNT + 2;
    expect(seen).toHaveLength(total);
    expect(pages).toBe(Math.ceil(total / PAGE_SIZE));
    expect(new Set(seen.map((row) => row.id)).size).toBe(total);
    const { rows } = await tx.pool.query<{ id: string }>(
      'SELECT id::text FROM transactions WHERE user_id = $1 ORDER BY seq DESC',
      [aliceId],
    );
    expect(seen.map((row) => row.id)).toEqual(rows.map((row) => row.id));
    expect(seen[0]).toMatchObject({
      kind: 'transfer_in',
      new_balance: (DEPOSIT_COUNT * (DEPOSIT_COUNT + 1)) / 2 - 2,
    });
    expect(seen[1]).toMatchObject({ kind: 'transfer_out', counterparty_id: bobId });
    expect(seen.at(-1)).toMatchObject({ kind: 'deposit', new_balance: 1, old_balance: 0 });
  });

  it('Given several wallets, When /wallets is walked page by page, Then each wallet comes once', async () => {
    // Given
    const created = await openWalletsDirectly(tx.pool, 7);

    // When
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let pages = 0; pages < 50; pages++) {
      const page = await call(tx.service.url, 'GET', `/wallets?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      seen.push(...page.json.wallets.map((wallet: { user_id: string }) => wallet.user_id));
      cursor = page.json.next_cursor;
      if (cursor === null) break;
    }

    // Then
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(expect.arrayContaining(created));
    const { rows } = await tx.pool.query<{ count: string }>('SELECT count(*) FROM users');
    expect(seen).toHaveLength(Number(rows[0]!.count));
  });

  it('Given a running service, When health and readiness are asked, Then both are 200 with every check passing', async () => {
    const health = await call(tx.service.url, 'GET', '/healthz');
    const ready = await call(tx.service.url, 'GET', '/readyz');
    expect(health.json).toEqual({ status: 'ok' });
    expect(ready.status).toBe(200);
    expect(ready.json.checks).toEqual({
      database: 'ok',
      kafka: 'ok',
      nats: 'ok',
      consumer: 'ok',
      outbox_relay: 'ok',
    });
  });
});
