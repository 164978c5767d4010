import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type BothServices,
  call,
  startBothServices,
  waitForWallet as waitForWalletOf,
} from '../support/index.ts';

const CONSISTENCY_PROBES_MAX = 400;

describe('the wallet contract end to end (user-service + transactions-service)', () => {
  let services: BothServices;
  // Assigned in beforeAll; every test reads them after it ran.
  let users: BothServices['users'];
  let transactions: BothServices['transactions'];

  beforeAll(async () => {
    // startBothServices starts them together on purpose: both ensure the user-created topic at once.
    services = await startBothServices('e2e');
    ({ users, transactions } = services);
  });

  afterAll(async () => {
    await services?.stop();
  });

  async function createUser(email: string): Promise<{ user_id: string; email: string }> {
    const response = await call(users.url, 'POST', '/createUser', { json: { email } });
    expect(response.status).toBe(201);
    return response.json;
  }

  /** Polls getBalance until the wallet answers 200 (bounded); any answer but 200/WALLET_PENDING fails. */
  const waitForWallet = (email: string) => waitForWalletOf(users.url, email);

  it('Given a user just created, When the balance is asked before the wallet opens, Then it is 200 with 0 or 503 WALLET_PENDING, nothing else', async () => {
    // Given
    const user = await createUser('early-bird@example.com');

    // When: ask as fast as we can until the wallet answers
    const answers: string[] = [];
    for (let probe = 0; probe < CONSISTENCY_PROBES_MAX; probe++) {
      const response = await call(users.url, 'GET', `/getBalance?email=${user.email}`);
      if (response.status === 200) {
        answers.push(response.text);
        break;
      }
      answers.push(`${response.status} ${response.json?.code}`);
    }

    // Then
    const settled = `{"email":"early-bird@example.com","user_id":"${user.user_id}","balance":0,"held":0,"available_balance":0,"status":"active"}`;
    for (const answer of answers) expect([settled, '503 WALLET_PENDING']).toContain(answer);
    // Only if the loop ran out did the wallet not open; then wait for it properly.
    if (answers.at(-1) !== settled) expect(await waitForWallet(user.email)).toBe(settled);
  });

  it('Given two users, When money is added and transferred, Then balances and history are exact', async () => {
    // Given
    const alice = await createUser('Alice.E2E@example.com');
    const bob = await createUser('bob.e2e@example.com');
    expect(await waitForWallet(alice.email)).toBe(
      `{"email":"alice.e2e@example.com","user_id":"${alice.user_id}","balance":0,"held":0,"available_balance":0,"status":"active"}`,
    );
    await waitForWallet(bob.email);

    // When
    const deposit = await call(transactions.url, 'POST', '/addMoney', {
      json: { user_id: alice.user_id, amount: 100.0 },
    });
    const transfer = await call(transactions.url, 'POST', '/transferMoney', {
      json: { from_user_id: alice.user_id, to_user_id: bob.user_id, amount_to_transfer: 30.5 },
    });

    // Then
    expect(deposit.status, deposit.text).toBe(200);
    expect(deposit.json.updated_balance).toBe(100);
    expect(transfer.status, transfer.text).toBe(200);
    expect(transfer.json).toMatchObject({ amount: 30.5, from_balance: 69.5, to_balance: 30.5 });

    const aliceBalance = await call(users.url, 'GET', '/getBalance', { json: { email: alice.email } });
    const bobBalance = await call(users.url, 'GET', `/getBalance?email=${bob.email}`);
    expect(aliceBalance.text).toBe(
      `{"email":"alice.e2e@example.com","user_id":"${alice.user_id}","balance":69.5,"held":0,"available_balance":69.5,"status":"active"}`,
    );
    expect(bobBalance.text).toBe(
      `{"email":"bob.e2e@example.com","user_id":"${bob.user_id}","balance":30.5,"held":0,"available_balance":30.5,"status":"active"}`,
    );

    const aliceHistory = await call(transactions.url, 'GET', `/transactions?user_id=${alice.user_id}`);
    expect(aliceHistory.status).toBe(200);
    const aliceRows = aliceHistory.json.transactions.map((row: Record<string, unknown>) => [
      row.kind,
      row.balance_change,
      row.old_balance,
      row.new_balance,
    ]);
    expect(aliceRows).toEqual(
      expect.arrayContaining([
        ['deposit', 100, 0, 100],
        ['transfer_out', -30.5, 100, 69.5],
      ]),
    );
    expect(aliceRows).toHaveLength(2);
    const bobHistory = await call(transactions.url, 'GET', `/transactions?user_id=${bob.user_id}`);
    expect(bobHistory.json.transactions).toHaveLength(1);
    expect(bobHistory.json.transactions[0]).toMatchObject({
      kind: 'transfer_in',
      balance_change: 30.5,
      new_balance: 30.5,
      counterparty_id: alice.user_id,
      transfer_id: transfer.json.transfer_id,
    });
  });

  it('Given a funded wallet, When more than the balance is transferred, Then 422 and both balances stay', async () => {
    // Given
    const payer = await createUser('payer.e2e@example.com');
    const payee = await createUser('payee.e2e@example.com');
    await Promise.all([waitForWallet(payer.email), waitForWallet(payee.email)]);
    expect(
      (
        await call(transactions.url, 'POST', '/addMoney', {
          json: { user_id: payer.user_id, amount: '10.01' },
        })
      ).status,
    ).toBe(200);

    // When
    const transfer = await call(transactions.url, 'POST', '/transferMoney', {
      json: { from_user_id: payer.user_id, to_user_id: payee.user_id, amount: '10.02' },
    });

    // Then
    expect(transfer.status).toBe(422);
    expect(transfer.json.code).toBe('INSUFFICIENT_FUNDS');
    expect((await call(users.url, 'GET', `/getBalance?email=${payer.email}`)).json.balance).toBe(10.01);
    expect((await call(users.url, 'GET', `/getBalance?email=${payee.email}`)).json.balance).toBe(0);
  });
});
