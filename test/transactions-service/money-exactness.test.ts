import { describe, expect, it } from 'vitest';
import { call } from '../support/index.ts';
import {
  balanceText,
  countRows,
  openWalletsDirectly,
  useTransactionsService,
} from './transactions-service-harness.ts';

/** Everything a client may send as an amount that is not a positive amount with ≤ 2 decimals ≤ the maximum. */
const INVALID_AMOUNTS: { label: string; body: (userId: string) => unknown }[] = [
  ...['NaN', 'Infinity', '-Infinity', '-0', '1.234', '', ' ', '1e3', '0x10', '1,5', '1000000000.01'].map(
    (amount) => ({ label: JSON.stringify(amount), body: (userId: string) => ({ user_id: userId, amount }) }),
  ),
  ...[1e-7, 0, -5, 1.234, 1000000000.01, 1e21, -0.01].map((amount) => ({
    label: String(amount),
    body: (userId: string) => ({ user_id: userId, amount }),
  })),
  ...[true, null, [], {}].map((amount) => ({
    label: JSON.stringify(amount),
    body: (userId: string) => ({ user_id: userId, amount }),
  })),
  { label: 'missing', body: (userId: string) => ({ user_id: userId }) },
];

describe('money exactness', () => {
  const tx = useTransactionsService('tx_money_exactness');

  it('Given a wallet, When amounts that are not exact positive money arrive, Then each is 400 INVALID_AMOUNT and nothing moves', async () => {
    // Given
    const [userId] = await openWalletsDirectly(tx.pool, 1);

    for (const { label, body } of INVALID_AMOUNTS) {
      // When
      const response = await call(tx.service.url, 'POST', '/addMoney', { json: body(userId!) });

      // Then
      expect(response.status, `addMoney amount ${label}`).toBe(400);
      expect(response.headers['content-type']).toContain('application/problem+json');
      expect(response.json.code, `addMoney amount ${label}`).toBe('INVALID_AMOUNT');
    }
    expect(await balanceText(tx.pool, userId!)).toBe('0.00');
    expect(await countRows(tx.pool, 'SELECT count(*) FROM transactions')).toBe(0);
    expect(await countRows(tx.pool, 'SELECT count(*) FROM outbox')).toBe(0);
  });

  it('Given two wallets, When a transfer carries an invalid amount, Then 400 INVALID_AMOUNT and both balances stay', async () => {
    // Given
    const [fromUserId, toUserId] = await openWalletsDirectly(tx.pool, 2);
    await call(tx.service.url, 'POST', '/addMoney', { json: { user_id: fromUserId, amount: 5 } });

    for (const amount of ['NaN', 1e-7, 0, -5, '1.234', true, null]) {
      // When
      const viaAmount = await call(tx.service.url, 'POST', '/transferMoney', {
        json: { from_user_id: fromUserId, to_user_id: toUserId, amount },
      });
      const viaLegacyField = await call(tx.service.url, 'POST', '/transferMoney', {
        json: { from_user_id: fromUserId, to_user_id: toUserId, amount_to_transfer: amount },
      });

      // Then
      expect(viaAmount.json.code, `amount ${JSON.stringify(amount)}`).toBe('INVALID_AMOUNT');
      expect(viaLegacyField.json.code, `amount_to_transfer ${JSON.stringify(amount)}`).toBe('INVALID_AMOUNT');
    }
    const neither = await call(tx.service.url, 'POST', '/transferMoney', {
      json: { from_user_id: fromUserId, to_user_id: toUserId },
    });
    const both = await call(tx.service.url, 'POST', '/transferMoney', {
      json: { from_user_id: fromUserId, to_user_id: toUserId, amount: 1, amount_to_transfer: 1 },
    });
    expect([neither.status, neither.json.code]).toEqual([400, 'INVALID_AMOUNT']);
    expect([both.status, both.json.code]).toEqual([400, 'INVALID_AMOUNT']);
    expect(await balanceText(tx.pool, fromUserId!)).toBe('5.00');
    expect(await balanceText(tx.pool, toUserId!)).toBe('0.00');
  });

  it('Given a wallet, When 0.1 then 0.2 are added, Then the balance is exactly 0.3 in the response, the database and the history', async () => {
    // Given
    const [userId] = await openWalletsDirectly(tx.pool, 1);

    // When
    await call(tx.service.url, 'POST', '/addMoney', { json: { user_id: userId, amount: 0.1 } });
    const second = await call(tx.service.url, 'POST', '/addMoney', {
      json: { user_id: userId, amount: 0.2 },
    });

    // Then
    expect(second.status).toBe(200);
    expect(second.text).toContain('"updated_balance":0.3,');
    expect(second.text).not.toContain('0.30000000000000004');
    expect(await balanceText(tx.pool, userId!)).toBe('0.30');
    const wallet = await call(tx.service.url, 'GET', `/wallets/${userId}`);
    expect(wallet.text).toContain('"balance":0.3,');
    const history = await call(tx.service.url, 'GET', `/transactions?user_id=${userId}`);
    expect(history.text).not.toContain('0.30000000000000004');
    expect(history.json.transactions[0]).toMatchObject({
      old_balance: 0.1,
      new_balance: 0.3,
      balance_change: 0.2,
    });
  });

  it('Given a wallet, When decimal strings and the maximum amount arrive, Then they are taken exactly', async () => {
    // Given
    const [userId] = await openWalletsDirectly(tx.pool, 1);

    // When
    const text = await call(tx.service.url, 'POST', '/addMoney', {
      json: { user_id: userId, amount: '10.50' },
    });
    const short = await call(tx.service.url, 'POST', '/addMoney', {
      json: { user_id: userId, amount: ' 0.5 ' },
    });
    const maximum = await call(tx.service.url, 'POST', '/addMoney', {
      json: { user_id: userId, amount: '1000000000.00' },
    });

    // Then
    expect(text.json.updated_balance).toBe(10.5);
    expect(short.json.updated_balance).toBe(11);
    expect(maximum.json.updated_balance).toBe(1000000011);
    expect(await balanceText(tx.pool, userId!)).toBe('1000000011.00');
  });

  it('Given a wallet near the largest balance, When a deposit would pass it, Then 422 BALANCE_LIMIT_EXCEEDED and nothing moves', async () => {
    // Given: 9,999,999,999,999.99 is the NUMERIC(15,2) maximum
    const [userId] = await openWalletsDirectly(tx.pool, 1);
    await tx.pool.query("UPDATE users SET balance = '9999999999999.00' WHERE user_id = $1", [userId]);

    // When
    const over = await call(tx.service.url, 'POST', '/addMoney', { json: { user_id: userId, amount: 1 } });
    const exact = await call(tx.service.url, 'POST', '/addMoney', {
      json: { user_id: userId, amount: 0.99 },
    });

    // Then
    expect([over.status, over.json.code]).toEqual([422, 'BALANCE_LIMIT_EXCEEDED']);
    expect(exact.status).toBe(200);
    expect(exact.text).toContain('"updated_balance":9999999999999.99');
    expect(await balanceText(tx.pool, userId!)).toBe('9999999999999.99');
  });
});
