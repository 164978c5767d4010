import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { expectOk, expectProblem, moneyClient } from './money-operations-harness.ts';
import { countRows, openWalletsDirectly, useTransactionsService } from './transactions-service-harness.ts';

describe('withdrawals and reversals', () => {
  const tx = useTransactionsService('tx_withdraw_reverse');
  const api = moneyClient(tx);

  it('Given a funded wallet, When money is withdrawn, Then the balance drops, the ledger row says withdrawal, and a retried key does not pay twice', async () => {
    // Given
    const [userId] = await openWalletsDirectly(tx.pool, 1);
    expectOk(await api.deposit(userId!, '10.30'));
    const key = { 'idempotency-key': `withdraw-${randomUUID()}` };

    // When
    const first = await api.withdraw(userId!, '0.30', key);
    const retry = await api.withdraw(userId!, '0.30', key);

    // Then
    expectOk(first);
    expect(first.json).toEqual({
      transaction_id: expect.any(String),
      user_id: userId,
      amount: 0.3,
      updated_balance: 10,
      available_balance: 10,
    });
    expect(retry.text).toBe(first.text);
    expect(retry.headers['idempotency-replayed']).toBe('true');
    expectProblem(await api.withdraw(userId!, '10.01'), 422, 'INSUFFICIENT_FUNDS');
    expectProblem(await api.withdraw(randomUUID(), 1), 404, 'USER_NOT_FOUND');
    const { rows } = await tx.pool.query(
      'SELECT wallet_seq::int AS seq, kind, old_balance::text, new_balance::text FROM transactions WHERE user_id = $1 ORDER BY wallet_seq',
      [userId],
    );
    expect(rows).toEqual([
      { seq: 1, kind: 'deposit', old_balance: '0.00', new_balance: '10.30' },
      { seq: 2, kind: 'withdrawal', old_balance: '10.30', new_balance: '10.00' },
    ]);
  });

  it('Given a transfer, When it is reversed in parts, Then the money goes back and the sum of reversals never exceeds the original', async () => {
    // Given
    const [sender, receiver] = await openWalletsDirectly(tx.pool, 2);
    expectOk(await api.deposit(sender!, 100));
    const transfer = await api.transfer(sender!, receiver!, 40);
    const transferId = transfer.json.transfer_id as string;

    // When
    const part = await api.reverseTransfer(transferId, { amount: '15.50', reason: 'sent twice' });
    const tooMuch = await api.reverseTransfer(transferId, { amount: '24.51' });
    const rest = await api.reverseTransfer(transferId);
    const more = await api.reverseTransfer(transferId, { amount: '0.01' });

    // Then
    expectOk(part);
    expect(part.json).toMatchObject({
      transfer_id: transferId,
      from_user_id: receiver,
      to_user_id: sender,
      amount: 15.5,
      reversed_total: 15.5,
      remaining: 24.5,
      from_balance: 24.5,
      to_balance: 75.5,
    });
    expectProblem(tooMuch, 422, 'REVERSAL_EXCEEDS_ORIGINAL');
    expect(tooMuch.json.remaining).toBe(24.5);
    expectOk(rest);
    expect(rest.json).toMatchObject({
      amount: 24.5,
      reversed_total: 40,
      remaining: 0,
      from_balance: 0,
      to_balance: 100,
    });
    expectProblem(more, 422, 'REVERSAL_EXCEEDS_ORIGINAL');
    // a reversal is not itself a transfer that can be reversed
    expectProblem(await api.reverseTransfer(part.json.reversal_id), 404, 'TRANSFER_NOT_FOUND');
    expectProblem(await api.reverseTransfer(randomUUID()), 404, 'TRANSFER_NOT_FOUND');
    const { rows } = await tx.pool.query(
      `SELECT kind, reverses_id::text, reason FROM transactions WHERE transfer_id = $1 ORDER BY kind`,
      [part.json.reversal_id],
    );
    expect(rows).toEqual([
      { kind: 'reversal_in', reverses_id: transferId, reason: 'sent twice' },
      { kind: 'reversal_out', reverses_id: transferId, reason: 'sent twice' },
    ]);
  });

  it('Given a receiver that spent the money, When the transfer is reversed, Then INSUFFICIENT_FUNDS and nothing moves', async () => {
    // Given
    const [sender, receiver] = await openWalletsDirectly(tx.pool, 2);
    expectOk(await api.deposit(sender!, 10));
    const transfer = await api.transfer(sender!, receiver!, 10);
    expectOk(await api.withdraw(receiver!, 9));

    // When
    const reversal = await api.reverseTransfer(transfer.json.transfer_id);

    // Then
    expectProblem(reversal, 422, 'INSUFFICIENT_FUNDS');
    expect((await api.wallet(receiver!)).balance).toBe(1);
    expectOk(await api.reverseTransfer(transfer.json.transfer_id, { amount: 1 }));
  });

  it('Given partial reversals racing for one transfer, When they all run at once, Then the reversed total never exceeds it', async () => {
    // Given
    const [sender, receiver] = await openWalletsDirectly(tx.pool, 2);
    expectOk(await api.deposit(sender!, 10));
    const transfer = await api.transfer(sender!, receiver!, 10);

    // When: 16 × 1.00 against 10.00
    const results = await Promise.all(
      Array.from({ length: 16 }, () => api.reverseTransfer(transfer.json.transfer_id, { amount: 1 })),
    );

    // Then
    expect(results.filter((result) => result.status === 200)).toHaveLength(10);
    for (const result of results.filter((r) => r.status !== 200)) {
      expectProblem(result, 422, 'REVERSAL_EXCEEDS_ORIGINAL');
    }
    expect((await api.wallet(sender!)).balance).toBe(10);
    expect((await api.wallet(receiver!)).balance).toBe(0);
  });

  it('Given a deposit, When it is charged back, Then the money leaves and the deposit cannot be reversed twice', async () => {
    // Given
    const [userId] = await openWalletsDirectly(tx.pool, 1);
    const deposit = await api.deposit(userId!, 25);
    expectOk(await api.deposit(userId!, 5));

    // When
    const chargeBack = await api.reverseDeposit(deposit.json.transaction_id, { reason: 'card charge-back' });

    // Then
    expectOk(chargeBack);
    expect(chargeBack.json).toMatchObject({
      transaction_id: deposit.json.transaction_id,
      user_id: userId,
      amount: 25,
      reversed_total: 25,
      remaining: 0,
      updated_balance: 5,
      available_balance: 5,
    });
    expectProblem(
      await api.reverseDeposit(deposit.json.transaction_id, { amount: 1 }),
      422,
      'REVERSAL_EXCEEDS_ORIGINAL',
    );
    expectProblem(await api.reverseDeposit(randomUUID()), 404, 'DEPOSIT_NOT_FOUND');
    expectProblem(await api.reverseDeposit(chargeBack.json.reversal_id), 404, 'DEPOSIT_NOT_FOUND');
    expect(
      await countRows(
        tx.pool,
        "SELECT count(*) FROM transactions WHERE kind = 'deposit_reversal' AND reverses_id = $1",
        [deposit.json.transaction_id],
      ),
    ).toBe(1);
  });
});
