import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { call, startTestTransactionsService, waitFor } from '../support/index.ts';
import { expectOk, expectProblem, moneyClient } from './money-operations-harness.ts';
import { countRows, openWalletsDirectly, useTransactionsService } from './transactions-service-harness.ts';

describe('holds', () => {
  const tx = useTransactionsService('tx_holds');
  const api = moneyClient(tx);

  it('Given a funded wallet, When part of a hold is captured, Then the captured part moves, the rest is released, and a second capture of the same amount answers the same', async () => {
    // Given
    const [payer, payee] = await openWalletsDirectly(tx.pool, 2);
    expectOk(await api.deposit(payer!, 100));

    // When: a hold reserves 30
    const hold = await api.hold(payer!, payee!, '30.00');
    expectOk(hold, 201);
    expect(hold.json).toMatchObject({
      status: 'pending',
      amount: 30,
      balance: 100,
      held: 30,
      available_balance: 70,
    });
    expect(Date.parse(hold.json.expires_at) - Date.parse(hold.json.created_at)).toBe(15 * 60 * 1000);
    // the held money is not available to anything else
    expectProblem(await api.withdraw(payer!, 70.01), 422, 'INSUFFICIENT_FUNDS');
    expectProblem(await api.transfer(payer!, payee!, 70.01), 422, 'INSUFFICIENT_FUNDS');
    expectProblem(await api.hold(payer!, payee!, 70.01), 422, 'INSUFFICIENT_FUNDS');

    // When: 20.50 of it is captured
    const capture = await api.capture(hold.json.hold_id, '20.50');

    // Then
    expectOk(capture);
    expect(capture.json).toMatchObject({
      status: 'captured',
      captured_amount: 20.5,
      balance: 79.5,
      held: 0,
      available_balance: 79.5,
      to_balance: 20.5,
    });
    expect(capture.json.transfer_id).toEqual(expect.any(String));
    const again = await api.capture(hold.json.hold_id, 20.5);
    expectOk(again);
    expect(again.json.transfer_id).toBe(capture.json.transfer_id);
    expect(await api.wallet(payer!)).toMatchObject({ balance: 79.5, held: 0 });
    expectProblem(await api.capture(hold.json.hold_id), 409, 'HOLD_NOT_PENDING');
    expectProblem(await api.void(hold.json.hold_id), 409, 'HOLD_NOT_PENDING');
    // the capture is one transfer naming the hold: its out-row takes the whole hold off `held`
    const { rows } = await tx.pool.query(
      `SELECT kind, balance_change::text, held_change::text, hold_id::text FROM transactions
        WHERE transfer_id = $1 ORDER BY kind`,
      [capture.json.transfer_id],
    );
    expect(rows).toEqual([
      { kind: 'transfer_in', balance_change: '20.50', held_change: '0.00', hold_id: hold.json.hold_id },
      { kind: 'transfer_out', balance_change: '-20.50', held_change: '-30.00', hold_id: hold.json.hold_id },
    ]);
  });

  it('Given a pending hold, When it is voided twice, Then the money is back once and a capture is refused', async () => {
    // Given
    const [payer, payee] = await openWalletsDirectly(tx.pool, 2);
    expectOk(await api.deposit(payer!, 10));
    const hold = await api.hold(payer!, payee!, 10);

    // When
    const voided = await api.void(hold.json.hold_id);
    const again = await api.void(hold.json.hold_id);

    // Then
    expectOk(voided);
    expect(voided.json).toMatchObject({ status: 'voided', balance: 10, held: 0, available_balance: 10 });
    expectOk(again);
    expect(again.json.resolved_at).toBe(voided.json.resolved_at);
    expectProblem(await api.capture(hold.json.hold_id), 409, 'HOLD_NOT_PENDING');
    expect(
      await countRows(
        tx.pool,
        "SELECT count(*) FROM transactions WHERE hold_id = $1 AND kind = 'hold_release'",
        [hold.json.hold_id],
      ),
    ).toBe(1);
  });

  it('Given bad hold requests, When sent, Then each is refused with its code and nothing is held', async () => {
    // Given
    const [payer, payee] = await openWalletsDirectly(tx.pool, 2);
    expectOk(await api.deposit(payer!, 5));

    // When / Then
    for (const expires of [0, -1, 1.5, 604_801]) {
      expectProblem(await api.hold(payer!, payee!, 1, expires), 400, 'INVALID_EXPIRY');
    }
    expectOk(await api.hold(payer!, payee!, 1, 604_800), 201);
    expectProblem(await api.hold(payer!, payer!, 1), 422, 'SAME_ACCOUNT');
    expectProblem(await api.hold(payer!, randomUUID(), 1), 404, 'USER_NOT_FOUND');
    expectProblem(await api.hold(payer!, payee!, 0), 400, 'INVALID_AMOUNT');
    const hold = await api.hold(payer!, payee!, 2);
    expectProblem(await api.capture(hold.json.hold_id, '2.01'), 422, 'CAPTURE_EXCEEDS_HOLD');
    expectProblem(await api.capture(randomUUID()), 404, 'HOLD_NOT_FOUND');
    expectProblem(await api.void(randomUUID()), 404, 'HOLD_NOT_FOUND');
    expectProblem(await api.getHold(randomUUID()), 404, 'HOLD_NOT_FOUND');
    expectProblem(await api.capture('not-a-uuid'), 400, 'VALIDATION_FAILED');
    expect(await api.wallet(payer!)).toMatchObject({ balance: 5, held: 3, available_balance: 2 });
  });

  it('Given one pending hold, When captures and voids race for it, Then exactly one wins and the money moves at most once', async () => {
    // Given
    const [payer, payee] = await openWalletsDirectly(tx.pool, 2);
    expectOk(await api.deposit(payer!, 50));
    const hold = await api.hold(payer!, payee!, 50);

    // When
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, index) =>
        index % 2 === 0 ? api.capture(hold.json.hold_id, 50 - index) : api.void(hold.json.hold_id),
      ),
    );

    // Then: the winners all answer the same final state; everything else is refused
    const final = await api.getHold(hold.json.hold_id);
    const statuses = results.map((result) => result.status);
    expect(
      statuses.every((status) => status === 200 || status === 409),
      JSON.stringify(statuses),
    ).toBe(true);
    expect(
      await countRows(tx.pool, "SELECT count(*) FROM transactions WHERE hold_id = $1 AND kind <> 'hold'", [
        hold.json.hold_id,
      ]),
    ).toBe(final.json.status === 'captured' ? 2 : 1);
    const payerWallet = await api.wallet(payer!);
    const payeeWallet = await api.wallet(payee!);
    expect(payerWallet.held).toBe(0);
    expect(payerWallet.balance + payeeWallet.balance).toBe(50);
    expect(payeeWallet.balance).toBe(final.json.captured_amount ?? 0);
  });

  it('Given holds on a wallet, When listed by status, Then keyset pages show them newest first', async () => {
    // Given
    const [payer, payee] = await openWalletsDirectly(tx.pool, 2);
    expectOk(await api.deposit(payer!, 10));
    const ids: string[] = [];
    for (let index = 0; index < 5; index++) ids.push((await api.hold(payer!, payee!, 1)).json.hold_id);
    expectOk(await api.void(ids[0]!));

    // When
    const first = await call(tx.service.url, 'GET', `/holds?user_id=${payer}&status=pending&limit=3`);
    const second = await call(
      tx.service.url,
      'GET',
      `/holds?user_id=${payer}&status=pending&limit=3&cursor=${first.json.next_cursor}`,
    );
    const received = await call(tx.service.url, 'GET', `/holds?user_id=${payee}`);

    // Then
    expect(first.json.holds.map((h: { hold_id: string }) => h.hold_id)).toEqual([ids[4], ids[3], ids[2]]);
    expect(second.json.holds.map((h: { hold_id: string }) => h.hold_id)).toEqual([ids[1]]);
    expect(second.json.next_cursor).toBeNull();
    expect(received.json.holds).toHaveLength(5);
  });

  it('Given a capture with an Idempotency-Key, When it is retried, Then the stored answer is replayed', async () => {
    // Given
    const [payer, payee] = await openWalletsDirectly(tx.pool, 2);
    expectOk(await api.deposit(payer!, 10));
    const hold = await api.hold(payer!, payee!, 10);
    const key = { 'idempotency-key': `capture-${randomUUID()}` };

    // When
    const first = await api.capture(hold.json.hold_id, 4, key);
    const retry = await api.capture(hold.json.hold_id, 4, key);
    const other = await api.capture(hold.json.hold_id, 5, key);

    // Then
    expectOk(first);
    expect(retry.text).toBe(first.text);
    expect(retry.headers['idempotency-replayed']).toBe('true');
    expectProblem(other, 422, 'IDEMPOTENCY_KEY_REUSED');
  });
});

describe('hold expiry over two replicas', () => {
  const tx = useTransactionsService('tx_hold_expiry');
  const api = moneyClient(tx);

  it('Given short holds and two replicas sweeping, When they expire, Then each is expired exactly once and can no longer be captured', async () => {
    // Given
    const second = await startTestTransactionsService(tx.database.url, tx.namespace, {
      HOLD_EXPIRY_INTERVAL_MS: '100',
    });
    try {
      const [payer, payee] = await openWalletsDirectly(tx.pool, 2);
      expectOk(await api.deposit(payer!, 100));
      const holds = await Promise.all(Array.from({ length: 20 }, () => api.hold(payer!, payee!, '1.25', 1)));
      for (const hold of holds) expectOk(hold, 201);
      const ids = holds.map((hold) => hold.json.hold_id as string);

      // When
      await waitFor('every hold to expire', async () =>
        (await countRows(tx.pool, "SELECT count(*) FROM holds WHERE status = 'expired'")) === ids.length
          ? true
          : undefined,
      );

      // Then
      for (const id of ids) {
        const hold = await api.getHold(id);
        expect(hold.json.status).toBe('expired');
        expectProblem(await api.capture(id), 409, 'HOLD_EXPIRED');
        expectProblem(await api.void(id), 409, 'HOLD_EXPIRED');
      }
      expect(
        await countRows(
          tx.pool,
          "SELECT count(*) FROM transactions WHERE kind = 'hold_release' AND hold_id = ANY($1)",
          [ids],
        ),
      ).toBe(ids.length);
      expect(
        await countRows(tx.pool, 'SELECT count(*) FROM outbox WHERE topic = $1', [
          `${tx.namespace}hold-expired`,
        ]),
      ).toBe(ids.length);
      expect(await api.wallet(payer!)).toMatchObject({ balance: 100, held: 0, available_balance: 100 });
    } finally {
      await second.stop();
    }
  });
});
