import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatMinor, numericToMinor } from '../../services/shared/src/money.ts';
import { ADD_MONEY_SCOPE } from '../../services/transactions-service/src/operations/add-money.ts';
import type { RunningTransactionsService } from '../../services/transactions-service/src/service.ts';
import {
  call,
  createTestDatabase,
  startTestTransactionsService,
  type TestDatabase,
  uniqueNamespace,
  writeTokensFile,
} from '../support/index.ts';
import { balanceText, openPool } from './transactions-service-harness.ts';

const OPERATOR_TOKEN = 'scope-operator-token-3e8a1c07';
const ALICE_TOKEN = 'scope-alice-token-91b2f4d6';
// A second token of Alice's, as when her token is being replaced by a new one.
const ALICE_NEW_TOKEN = 'scope-alice-new-token-5c0d7e19';
const BOB_TOKEN = 'scope-bob-token-a47e20c8';
const OPENING_BALANCE = '100.00';

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('Idempotency-Key spaces of transactions-service: one per caller and operation', () => {
  let database: TestDatabase;
  let service: RunningTransactionsService;
  let pool: pg.Pool;
  let workDir: string;
  const alice = randomUUID();
  const bob = randomUUID();
  const payee = randomUUID();

  const transfer = (token: string, from: string, amount: string, key: string) =>
    call(service.url, 'POST', '/transferMoney', {
      json: { from_user_id: from, to_user_id: payee, amount },
      headers: { ...bearer(token), 'idempotency-key': key },
    });

  beforeAll(async () => {
    // Given Alice and Bob, each with a user token for their own wallet, and an operator
    database = await createTestDatabase('tx_idempotency_scope');
    pool = openPool(database.url);
    workDir = mkdtempSync(path.join(tmpdir(), 'idempotency-scope-'));
    const userToken = (name: string, userId: string, token: string) =>
      ({ token, scope: 'user', name, user_id: userId }) as const;
    const tokensFile = writeTokensFile(workDir, [
      // Upper case on purpose: the space is the user, however the token file spells the id.
      userToken('alice', alice.toUpperCase(), ALICE_TOKEN),
      userToken('alice-new', alice, ALICE_NEW_TOKEN),
      userToken('bob', bob, BOB_TOKEN),
    ]);
    service = await startTestTransactionsService(database.url, `${uniqueNamespace()}.`, {
      WALLET_OPERATOR_TOKEN: OPERATOR_TOKEN,
      WALLET_TOKENS_FILE: tokensFile,
    });
    await pool.query('INSERT INTO users (user_id) VALUES ($1::uuid), ($2::uuid), ($3::uuid)', [
      alice,
      bob,
      payee,
    ]);
    for (const userId of [alice, bob]) {
      const deposit = await call(service.url, 'POST', '/addMoney', {
        json: { user_id: userId, amount: OPENING_BALANCE },
        headers: bearer(OPERATOR_TOKEN),
      });
      expect(deposit.status).toBe(200);
    }
  });

  afterAll(async () => {
    await service?.stop();
    await pool?.end();
    await database?.drop();
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  it('Given Alice and Bob, When each transfers from their own wallet under the same key, Then both apply once and each retry replays its own answer', async () => {
    // Given
    const key = 'same-key-1';
    const alicePaid = await transfer(ALICE_TOKEN, alice, '1.00', key);

    // When
    const bobPaid = await transfer(BOB_TOKEN, bob, '2.00', key);
    const aliceAgain = await transfer(ALICE_TOKEN, alice, '1.00', key);
    const bobAgain = await transfer(BOB_TOKEN, bob, '2.00', key);

    // Then
    expect([alicePaid.status, bobPaid.status]).toEqual([200, 200]);
    expect(bobPaid.headers['idempotency-replayed']).toBeUndefined();
    expect(bobPaid.json).toMatchObject({ from_user_id: bob, amount: 2 });
    expect(aliceAgain.headers['idempotency-replayed']).toBe('true');
    expect(aliceAgain.json).toEqual(alicePaid.json);
    expect(bobAgain.headers['idempotency-replayed']).toBe('true');
    expect(bobAgain.json).toEqual(bobPaid.json);
    expect(await balanceText(pool, alice)).toBe('99.00');
    expect(await balanceText(pool, bob)).toBe('98.00');
  });

  it("Given a key Bob used, When Alice sends more than her balance under it, Then she gets the answer an unused key gets and learns nothing of Bob's", async () => {
    // Given
    const bobsKey = 'bobs-key-2';
    expect((await transfer(BOB_TOKEN, bob, '1.00', bobsKey)).status).toBe(200);
    const aliceBefore = await balanceText(pool, alice);

    // When
    const underBobsKey = await transfer(ALICE_TOKEN, alice, '1000.00', bobsKey);
    const underUnusedKey = await transfer(ALICE_TOKEN, alice, '1000.00', `unused-${randomUUID()}`);

    // Then
    expect([underUnusedKey.status, underUnusedKey.json.code]).toEqual([422, 'INSUFFICIENT_FUNDS']);
    expect([underBobsKey.status, underBobsKey.json.code]).toEqual([
      underUnusedKey.status,
      underUnusedKey.json.code,
    ]);
    expect(await balanceText(pool, alice)).toBe(aliceBefore);
  });

  it("Given the operator transferred from Alice's wallet under a key, When Alice's own token sends that transfer under that key, Then it is her own request: applied, not the operator's replayed", async () => {
    // Given
    const key = 'shared-with-operator-3';
    const byOperator = await transfer(OPERATOR_TOKEN, alice, '3.00', key);
    const aliceBefore = await balanceText(pool, alice);

    // When
    const byAlice = await transfer(ALICE_TOKEN, alice, '3.00', key);
    const byOperatorAgain = await transfer(OPERATOR_TOKEN, alice, '3.00', key);

    // Then
    expect([byOperator.status, byAlice.status]).toEqual([200, 200]);
    expect(byAlice.headers['idempotency-replayed']).toBeUndefined();
    expect(byAlice.json.transfer_id).not.toBe(byOperator.json.transfer_id);
    expect(byOperatorAgain.headers['idempotency-replayed']).toBe('true');
    expect(byOperatorAgain.json).toEqual(byOperator.json);
    expect(await balanceText(pool, alice)).toBe(formatMinor(numericToMinor(aliceBefore!) - 300n));
  });

  it("Given Alice paid under a key with one token, When she retries with her new token, Then it replays: the space is Alice's, not her token's", async () => {
    // Given
    const key = 'across-tokens-4';
    const first = await transfer(ALICE_TOKEN, alice, '4.00', key);
    const aliceAfter = await balanceText(pool, alice);

    // When
    const retry = await transfer(ALICE_NEW_TOKEN, alice, '4.00', key);

    // Then
    expect(first.status).toBe(200);
    expect(retry.headers['idempotency-replayed']).toBe('true');
    expect(retry.json).toEqual(first.json);
    expect(await balanceText(pool, alice)).toBe(aliceAfter);
  });

  it('Given one caller, When it sends the same key to addMoney and then to withdrawMoney, Then they are two requests, each applied: a key never replays another operation', async () => {
    // Given
    const key = 'two-operations-5';
    const before = await balanceText(pool, bob);
    const deposit = await call(service.url, 'POST', '/addMoney', {
      json: { user_id: bob, amount: '5.00' },
      headers: { ...bearer(OPERATOR_TOKEN), 'idempotency-key': key },
    });

    // When
    const withdrawal = await call(service.url, 'POST', '/withdrawMoney', {
      json: { user_id: bob, amount: '5.00' },
      headers: { ...bearer(OPERATOR_TOKEN), 'idempotency-key': key },
    });

    // Then
    expect([deposit.status, withdrawal.status]).toEqual([200, 200]);
    expect(withdrawal.headers['idempotency-replayed']).toBeUndefined();
    expect(withdrawal.json).toMatchObject({ user_id: bob, amount: 5 });
    expect(await balanceText(pool, bob)).toBe(before);
  });

  it('Given a key stored before keys had callers (no caller in it), When a caller sends that key, Then the old row is not reached: the request is new and applied', async () => {
    // Given: a row as the unscoped scheme stored it
    const key = 'stored-before-scoping-6';
    await pool.query(
      `INSERT INTO idempotency_keys (scope, key, request_hash, status_code, response)
       VALUES ($1::text, $2::text, 'hash-of-an-old-request', 200, '{}')`,
      [ADD_MONEY_SCOPE, key],
    );
    const before = await balanceText(pool, bob);

    // When
    const deposit = await call(service.url, 'POST', '/addMoney', {
      json: { user_id: bob, amount: '6.00' },
      headers: { ...bearer(OPERATOR_TOKEN), 'idempotency-key': key },
    });

    // Then
    expect(deposit.status).toBe(200);
    expect(deposit.headers['idempotency-replayed']).toBeUndefined();
    expect(await balanceText(pool, bob)).toBe(formatMinor(numericToMinor(before!) + 600n));
  });
});
