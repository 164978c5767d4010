import { describe, expect, it } from 'vitest';
import { call, type HttpResult } from '../support/index.ts';
import { expectOk, expectProblem, moneyClient } from './money-operations-harness.ts';
import {
  balanceText,
  countRows,
  openWalletsDirectly,
  useTransactionsService,
} from './transactions-service-harness.ts';

/** Numbers whose written value a double cannot hold: JSON.parse alone rounds them to a valid amount. */
const ROUNDED_BY_A_DOUBLE = [
  '10.00000000000000001',
  '0.1000000000000000001',
  '999999999.999999999999',
  '1000000000.0000000001',
  '1.00000000000000000001e1',
];
/** Numbers a double holds well enough, written with more than 2 decimals in plain or exponent form. */
const MORE_THAN_TWO_DECIMALS = ['10.001', '0.001', '1e-3', '1.0001e1', '10001e-3'];
/** Integers past the largest amount, two of them past what a double holds exactly. */
const TOO_LARGE = ['123456789012345678901', '1234567890123456789012345', '1.0000000001e9', '1e21'];

/**
 * A JSON body whose amount is the number text exactly as written: JSON.stringify of a JS number
 * would send the double's shortest text instead, which is the very rounding under test.
 */
function withAmountText(fields: Record<string, unknown>, amountText: string, field = 'amount'): string {
  const members = Object.entries(fields).map(
    ([name, value]) => `${JSON.stringify(name)}:${JSON.stringify(value)}`,
  );
  return `{${[...members, `${JSON.stringify(field)}:${amountText}`].join(',')}}`;
}

describe('amounts judged by their source text', () => {
  const tx = useTransactionsService('tx_amount_source_text');
  const api = moneyClient(tx);
  const postText = (path: string, body: string): Promise<HttpResult> =>
    call(tx.service.url, 'POST', path, { body, headers: { 'content-type': 'application/json' } });

  it('Given a wallet, When /addMoney amounts are JSON numbers written with more than 2 decimals or past the maximum, Then each is 400 INVALID_AMOUNT and nothing moves', async () => {
    // Given
    const [userId] = await openWalletsDirectly(tx.pool, 1);

    for (const amountText of [...ROUNDED_BY_A_DOUBLE, ...MORE_THAN_TWO_DECIMALS, ...TOO_LARGE]) {
      // When
      const response = await postText('/addMoney', withAmountText({ user_id: userId }, amountText));

      // Then
      expect([response.status, response.json?.code], `amount ${amountText}: ${response.text}`).toEqual([
        400,
        'INVALID_AMOUNT',
      ]);
    }
    const twentyFiveDigits = await postText(
      '/addMoney',
      withAmountText({ user_id: userId }, '1234567890123456789012345'),
    );
    expect(twentyFiveDigits.json.detail).toBe('amount must be at most 1000000000.00');
    expect(await balanceText(tx.pool, userId!)).toBe('0.00');
    expect(await countRows(tx.pool, 'SELECT count(*) FROM transactions')).toBe(0);
  });

  it('Given a transfer, a deposit and a pending hold, When every other money command carries an amount a double would round, Then each is 400 INVALID_AMOUNT and no balance moves', async () => {
    // Given
    const [sender, receiver] = await openWalletsDirectly(tx.pool, 2);
    const deposit = await api.deposit(sender!, 100);
    const transfer = await api.transfer(sender!, receiver!, 40);
    const hold = await api.hold(sender!, receiver!, 20);
    expectOk(deposit);
    expectOk(transfer);
    expectOk(hold, 201);
    const depositId = deposit.json.transaction_id as string;
    const transferId = transfer.json.transfer_id as string;
    const holdId = hold.json.hold_id as string;
    const parties = { from_user_id: sender, to_user_id: receiver };

    for (const amountText of ['10.00000000000000001', '123456789012345678901']) {
      // When
      const responses: [string, HttpResult][] = [
        ['withdrawMoney', await postText('/withdrawMoney', withAmountText({ user_id: sender }, amountText))],
        ['transferMoney amount', await postText('/transferMoney', withAmountText(parties, amountText))],
        [
          'transferMoney amount_to_transfer',
          await postText('/transferMoney', withAmountText(parties, amountText, 'amount_to_transfer')),
        ],
        ['holds', await postText('/holds', withAmountText(parties, amountText))],
        ['capture', await postText(`/holds/${holdId}/capture`, withAmountText({}, amountText))],
        [
          'transfer reversal',
          await postText(`/transfers/${transferId}/reverse`, withAmountText({}, amountText)),
        ],
        [
          'deposit reversal',
          await postText(`/deposits/${depositId}/reverse`, withAmountText({}, amountText)),
        ],
      ];

      // Then
      for (const [label, response] of responses) {
        expect([response.status, response.json?.code], `${label} ${amountText}: ${response.text}`).toEqual([
          400,
          'INVALID_AMOUNT',
        ]);
      }
    }
    expect(await api.wallet(sender!)).toMatchObject({ balance: 60, held: 20 });
    expect(await api.wallet(receiver!)).toMatchObject({ balance: 40, held: 0 });
    expect((await api.getHold(holdId)).json.status).toBe('pending');
  });

  it('Given a wallet, When valid amounts arrive as numbers in plain, trailing-zero and exponent form and as decimal text, Then each is taken at exactly its written value', async () => {
    // Given
    const [userId] = await openWalletsDirectly(tx.pool, 1);
    const deposits: [amountText: string, balanceAfter: number][] = [
      ['10', 10],
      ['10.5', 20.5],
      ['10.50', 31],
      ['100.000', 131],
      ['1.5e1', 146],
      ['1E2', 246],
      ['0.1', 246.1],
      ['"10.50"', 256.6],
    ];

    for (const [amountText, balanceAfter] of deposits) {
      // When
      const response = await postText('/addMoney', withAmountText({ user_id: userId }, amountText));

      // Then
      expectOk(response);
      expect(response.json.updated_balance, `amount ${amountText}`).toBe(balanceAfter);
    }
    expect(await balanceText(tx.pool, userId!)).toBe('256.60');
  });

  it('Given two wallets, When a hold gives expires_in_seconds as 6e1 and 600.0, Then numbers that are not amounts still arrive as numbers', async () => {
    // Given
    const [sender, receiver] = await openWalletsDirectly(tx.pool, 2);
    expectOk(await api.deposit(sender!, 10));
    const parties = { from_user_id: sender, to_user_id: receiver, amount: 1 };

    // When
    const short = await postText(
      '/holds',
      `${JSON.stringify(parties).slice(0, -1)},"expires_in_seconds":6e1}`,
    );
    const long = await postText(
      '/holds',
      `${JSON.stringify(parties).slice(0, -1)},"expires_in_seconds":600.0}`,
    );

    // Then
    for (const response of [short, long]) expectOk(response, 201);
    const lifetimeMs = (response: HttpResult) =>
      Date.parse(response.json.expires_at) - Date.parse(response.json.created_at);
    expect(Math.round(lifetimeMs(short) / 1000)).toBe(60);
    expect(Math.round(lifetimeMs(long) / 1000)).toBe(600);
  });

  it('Given a wallet, When a body carries a __proto__ or constructor.prototype key, or starts with a byte order mark, Then the first two are 400 MALFORMED_JSON and the last is read', async () => {
    // Given
    const [userId] = await openWalletsDirectly(tx.pool, 1);

    // When
    const proto = await postText('/addMoney', `{"user_id":"${userId}","amount":1,"__proto__":{"x":1}}`);
    const escapedProto = await postText(
      '/addMoney',
      `{"user_id":"${userId}","amount":1,"\\u005f_proto__":{}}`,
    );
    const constructorPrototype = await postText(
      '/addMoney',
      `{"user_id":"${userId}","amount":1,"constructor":{"prototype":{"x":1}}}`,
    );
    const withBom = await postText('/addMoney', `\ufeff{"user_id":"${userId}","amount":1}`);

    // Then
    expectProblem(proto, 400, 'MALFORMED_JSON');
    expectProblem(escapedProto, 400, 'MALFORMED_JSON');
    expectProblem(constructorPrototype, 400, 'MALFORMED_JSON');
    expectOk(withBom);
    expect(await balanceText(tx.pool, userId!)).toBe('1.00');
  });
});
