import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTransactionsDatabase, type TestDatabase } from '../support/index.ts';
import { findLedgerViolations } from './money-invariants.ts';

const [ada, bob] = [randomUUID(), randomUUID()];
const [deposit, transfer, hold] = [randomUUID(), randomUUID(), randomUUID()];

/**
 * A small ledger that adds up: ada deposits 10, sends bob 3, and holds 2 for him.
 * ada: balance 7, held 2, three rows; bob: balance 3, one row.
 */
// The fuzz invariants are about money, not the hash chain (the ledger audit checks that): the rows
// written here by hand carry a placeholder hash.
const CONSISTENT_LEDGER = `
  ALTER TABLE transactions ALTER COLUMN hash SET DEFAULT repeat('0', 64);
  INSERT INTO users (user_id, balance, held, ledger_seq) VALUES ('${ada}', 7, 2, 3), ('${bob}', 3, 0, 1);
  INSERT INTO transactions (id, user_id, kind, balance_change, old_balance, new_balance, wallet_seq)
    VALUES ('${deposit}', '${ada}', 'deposit', 10, 0, 10, 1);
  INSERT INTO transactions (id, user_id, kind, balance_change, old_balance, new_balance, transfer_id, counterparty_id, wallet_seq)
    VALUES ('${randomUUID()}', '${ada}', 'transfer_out', -3, 10, 7, '${transfer}', '${bob}', 2),
           ('${randomUUID()}', '${bob}', 'transfer_in', 3, 0, 3, '${transfer}', '${ada}', 1);
  INSERT INTO holds (hold_id, from_user_id, to_user_id, amount, expires_at)
    VALUES ('${hold}', '${ada}', '${bob}', 2, now() + interval '1 hour');
  INSERT INTO transactions (id, user_id, kind, balance_change, old_balance, new_balance, held_change, old_held, new_held, hold_id, counterparty_id, wallet_seq)
    VALUES ('${randomUUID()}', '${ada}', 'hold', 0, 7, 7, 2, 0, 2, '${hold}', '${bob}', 3);`;

/** Each invariant and SQL that breaks it (constraints that would stop the breach are dropped inside the transaction). */
const PLANTED: [invariant: string, sql: string][] = [
  [
    'held within balance',
    `ALTER TABLE users DROP CONSTRAINT users_held_within_balance;
     UPDATE users SET held = 8 WHERE user_id = '${ada}';`,
  ],
  ['wallet = Σ of its ledger rows', `UPDATE users SET balance = balance + 1 WHERE user_id = '${bob}';`],
  [
    'held = Σ pending holds',
    `ALTER TABLE holds DISABLE TRIGGER holds_resolve_once;
     UPDATE holds SET amount = 1.5 WHERE hold_id = '${hold}';`,
  ],
  [
    'transfers and transfer reversals move money, never make it',
    `UPDATE transactions SET balance_change = 4, new_balance = 4 WHERE user_id = '${bob}';
     UPDATE users SET balance = 4 WHERE user_id = '${bob}';`,
  ],
  [
    'Σ balances = Σ deposits − Σ withdrawals − Σ deposit reversals',
    // Money that appeared in a wallet with no deposit (the wallet-row check names it too).
    `UPDATE users SET balance = balance + 1 WHERE user_id = '${bob}';`,
  ],
  [
    'a hold is reserved once and released or captured once',
    `UPDATE holds SET status = 'voided', resolved_at = now() WHERE hold_id = '${hold}';`,
  ],
  [
    'a captured hold moved its captured amount once, no other hold moved any',
    `UPDATE holds SET status = 'captured', captured_amount = 2, transfer_id = '${transfer}', resolved_at = now()
      WHERE hold_id = '${hold}';`,
  ],
  [
    'transfer reversals never exceed the transfer',
    `UPDATE transactions SET balance_change = 1, new_balance = 1 WHERE user_id = '${bob}';
     INSERT INTO transactions (id, user_id, kind, balance_change, old_balance, new_balance, transfer_id, counterparty_id, reverses_id, wallet_seq)
       VALUES ('${randomUUID()}', '${bob}', 'reversal_out', -2, 3, 1, '${randomUUID()}', '${ada}', '${transfer}', 2);
     INSERT INTO transactions (id, user_id, kind, balance_change, old_balance, new_balance, transfer_id, counterparty_id, reverses_id, wallet_seq)
       SELECT '${randomUUID()}', '${ada}', 'reversal_in', 2, 7, 9, transfer_id, '${bob}', '${transfer}', 4
         FROM transactions WHERE kind = 'reversal_out';`,
  ],
  [
    'deposit reversals never exceed the deposit',
    `UPDATE transactions SET balance_change = 1, new_balance = 1 WHERE id = '${deposit}';
     INSERT INTO transactions (id, user_id, kind, balance_change, old_balance, new_balance, reverses_id, wallet_seq)
       VALUES ('${randomUUID()}', '${ada}', 'deposit_reversal', -2, 7, 5, '${deposit}', 4);`,
  ],
];

describe('the fuzz suite’s money invariants, against planted breaches', () => {
  let database: TestDatabase;
  let pool: pg.Pool;

  beforeAll(async () => {
    database = await createTransactionsDatabase('fuzz_invariants');
    pool = new pg.Pool({ connectionString: database.url, max: 1 });
    await pool.query(CONSISTENT_LEDGER);
  });

  afterAll(async () => {
    await pool?.end();
    await database?.drop();
  });

  it('Given a ledger that adds up, When the invariants are checked, Then none is broken', async () => {
    expect(await findLedgerViolations(pool)).toEqual([]);
  });

  it.each(PLANTED)(
    'Given a planted breach of “%s”, When the invariants are checked, Then it is named',
    async (invariant, sql) => {
      // Given
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        // Ledger rows are append-only; a planted breach edits them as someone with SQL rights would.
        await client.query('ALTER TABLE transactions DISABLE TRIGGER transactions_append_only');
        await client.query(sql);

        // When
        const violations = await findLedgerViolations(client);

        // Then
        expect(violations.filter((violation) => violation.startsWith(`${invariant}: `))).not.toEqual([]);
      } finally {
        await client.query('ROLLBACK');
        client.release();
      }
    },
  );
});
