import { describe, expect, it } from 'vitest';
import { expectOk, expectProblem, moneyClient } from './money-operations-harness.ts';
import { countRows, openWalletsDirectly, useTransactionsService } from './transactions-service-harness.ts';

describe('wallet status', () => {
  const tx = useTransactionsService('tx_wallet_status');
  const api = moneyClient(tx);

  it('Given a frozen wallet, When money is sent in and out, Then money in lands, nothing leaves, and unfreezing restores it', async () => {
    // Given
    const [frozen, other] = await openWalletsDirectly(tx.pool, 2);
    expectOk(await api.deposit(frozen!, 50));
    expectOk(await api.deposit(other!, 50));
    const pending = await api.hold(frozen!, other!, 5);
    const pendingToVoid = await api.hold(frozen!, other!, 5);

    // When
    const freeze = await api.setStatus(frozen!, 'freeze', 'KYC review');

    // Then
    expectOk(freeze);
    expect(freeze.json).toMatchObject({
      status: 'frozen',
      status_reason: 'KYC review',
      balance: 50,
      held: 10,
    });
    expectProblem(await api.withdraw(frozen!, 1), 409, 'WALLET_FROZEN');
    expectProblem(await api.transfer(frozen!, other!, 1), 409, 'WALLET_FROZEN');
    expectProblem(await api.hold(frozen!, other!, 1), 409, 'WALLET_FROZEN');
    expectProblem(await api.capture(pending.json.hold_id), 409, 'WALLET_FROZEN');
    expectOk(await api.void(pendingToVoid.json.hold_id));
    expectOk(await api.deposit(frozen!, 1));
    expectOk(await api.transfer(other!, frozen!, 1));
    expectOk(await api.setStatus(frozen!, 'freeze', 'again'));
    expect((await api.wallet(frozen!)).status_reason).toBe('KYC review');

    // When unfrozen
    expectOk(await api.setStatus(frozen!, 'unfreeze'));
    expectOk(await api.capture(pending.json.hold_id));
    expectOk(await api.withdraw(frozen!, 1));
    expect(
      await countRows(tx.pool, 'SELECT count(*) FROM wallet_status_changes WHERE user_id = $1', [frozen]),
    ).toBe(2);
  });

  it('Given a wallet with money or a pending hold, When it is closed, Then WALLET_NOT_EMPTY; once empty it closes and refuses every money command', async () => {
    // Given
    const [closing, other] = await openWalletsDirectly(tx.pool, 2);
    expectOk(await api.deposit(closing!, 3));
    expectOk(await api.deposit(other!, 3));
    expectProblem(await api.setStatus(closing!, 'close'), 409, 'WALLET_NOT_EMPTY');
    expectOk(await api.withdraw(closing!, 3));
    const incoming = await api.hold(other!, closing!, 1);
    expectProblem(await api.setStatus(closing!, 'close'), 409, 'WALLET_NOT_EMPTY');
    expectOk(await api.void(incoming.json.hold_id));

    // When
    const close = await api.setStatus(closing!, 'close', 'customer left');

    // Then
    expectOk(close);
    expect(close.json).toMatchObject({ status: 'closed', balance: 0, held: 0 });
    expectOk(await api.setStatus(closing!, 'close'));
    expectProblem(await api.deposit(closing!, 1), 409, 'WALLET_CLOSED');
    expectProblem(await api.withdraw(closing!, 1), 409, 'WALLET_CLOSED');
    expectProblem(await api.transfer(other!, closing!, 1), 409, 'WALLET_CLOSED');
    expectProblem(await api.transfer(closing!, other!, 1), 409, 'WALLET_CLOSED');
    expectProblem(await api.hold(other!, closing!, 1), 409, 'WALLET_CLOSED');
    expectProblem(await api.setStatus(closing!, 'freeze', 'x'), 409, 'WALLET_CLOSED');
    expectProblem(await api.setStatus(closing!, 'unfreeze'), 409, 'WALLET_CLOSED');
    expect((await api.wallet(closing!)).status).toBe('closed');
  });

  it('Given a freeze without a reason, When sent, Then 400 and the wallet stays active', async () => {
    const [userId] = await openWalletsDirectly(tx.pool, 1);
    expectProblem(await api.setStatus(userId!, 'freeze'), 400, 'VALIDATION_FAILED');
    expectProblem(await api.setStatus(userId!, 'freeze', '   '), 400, 'VALIDATION_FAILED');
    expect((await api.wallet(userId!)).status).toBe('active');
  });
});
