import { createHash, randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTransactionsDatabase, type TestDatabase } from '../support/index.ts';

const SCOPE = 'POST /transferMoney';
const WALLETS = 20;
/** A batch as large as the service sends under load: enough keys to fill several pages. */
const TRANSFERS = 60;
const VALID_HASH = '0123456789abcdef'.repeat(4);

/** Every value migration 004's regular expression (^[0-9a-f]{64}$) refused, with why. */
const REFUSED_HASHES: Array<[string, string]> = [
  ['empty', ''],
  ['63 digits', 'a'.repeat(63)],
  ['65 digits', 'a'.repeat(65)],
  ['upper case', 'A'.repeat(64)],
  ['a letter past f', `${'a'.repeat(63)}g`],
  ['a space', `${'a'.repeat(62)} 0`],
  ['a line break at the end', `${'a'.repeat(63)}\n`],
  ['a non-ASCII letter', `${'a'.repeat(63)}é`],
];

/** One run_transfer_batch of `TRANSFERS` keyed transfers, 0.01 each, between the wallets. */
async function runKeyedTransferBatch(session: pg.Client, wallets: string[]): Promise<number> {
  // Keys as clients send them (a UUID), request hashes as the service stores them (SHA-256 hex).
  const commands = Array.from({ length: TRANSFERS }, (_, i) => ({
    key: randomUUID(),
    from: wallets[i % WALLETS]!,
    to: wallets[(i + 1) % WALLETS]!,
  }));
  const { rows } = await session.query<{ verdict: string }>(
    `SELECT r.verdict FROM run_transfer_batch($1::text, $2::text[], $3::text[],
       ARRAY(SELECT gen_random_uuid() FROM generate_series(1, $6::int)), $4::uuid[], $5::uuid[],
       array_fill('0.01'::text, ARRAY[$6::int]), '1000000000.00',
       ARRAY(SELECT gen_random_uuid() FROM generate_series(1, $6::int)), 'money-transferred',
       array_fill('{}'::jsonb, ARRAY[$6::int]), 200) AS r`,
    [
      SCOPE,
      commands.map((command) => command.key),
      commands.map((command) => createHash('sha256').update(command.key).digest('hex')),
      commands.map((command) => command.from),
      commands.map((command) => command.to),
      TRANSFERS,
    ],
  );
  return rows.filter((row) => row.verdict === 'done').length;
}

/** The SQLSTATE and constraint a statement failed with; undefined when it did not fail. */
async function failureOf(session: pg.Client, sql: string, values: unknown[]) {
  await session.query('SAVEPOINT attempt');
  try {
    await session.query(sql, values);
    return undefined;
  } catch (error) {
    const failure = error as { code?: string; constraint?: string };
    return { code: failure.code, constraint: failure.constraint };
  } finally {
    await session.query('ROLLBACK TO SAVEPOINT attempt');
  }
}

describe('how a batch writes its rows', () => {
  let database: TestDatabase;
  let session: pg.Client;
  let wallets: string[];

  beforeAll(async () => {
    database = await createTransactionsDatabase('tx_batch_row_writes');
    session = new pg.Client({ connectionString: database.url });
    await session.connect();
    const { rows } = await session.query<{ user_id: string }>(
      `INSERT INTO users (user_id, balance) SELECT gen_random_uuid(), 1000 FROM generate_series(1, $1::int)
       RETURNING user_id::text`,
      [WALLETS],
    );
    wallets = rows.map((row) => row.user_id).sort();
  });

  afterAll(async () => {
    await session?.end();
    await database?.drop();
  });

  it('Given a batch of keyed transfers, When it stores each response under the key it claimed, Then every store is a heap-only update', async () => {
    // Given: keys enough to fill pages, so a stored version without room would move off its page.
    await session.query('BEGIN');
    try {
      // When
      expect(await runKeyedTransferBatch(session, wallets)).toBe(TRANSFERS);

      // Then: this transaction's own counts (pg_stat_xact_*), exact and not waiting for a flush.
      const { rows } = await session.query<{ updated: string; hot: string }>(
        `SELECT pg_stat_get_xact_tuples_updated('idempotency_keys'::regclass)::text AS updated,
                pg_stat_get_xact_tuples_hot_updated('idempotency_keys'::regclass)::text AS hot`,
      );
      expect(rows[0]).toEqual({ updated: String(TRANSFERS), hot: String(TRANSFERS) });
    } finally {
      await session.query('COMMIT');
    }
  });

  it.each(REFUSED_HASHES)(
    'Given a wallet hash with %s, When written, Then the hash CHECK refuses it',
    async (_why, hash) => {
      await session.query('BEGIN');
      try {
        expect(
          await failureOf(session, 'UPDATE users SET ledger_hash = $1 WHERE user_id = $2', [
            VALID_HASH,
            wallets[0],
          ]),
        ).toBeUndefined();
        expect(
          await failureOf(session, 'UPDATE users SET ledger_hash = $1 WHERE user_id = $2', [
            hash,
            wallets[0],
          ]),
        ).toEqual({ code: '23514', constraint: 'users_ledger_hash_check' });
      } finally {
        await session.query('ROLLBACK');
      }
    },
  );

  it.each(REFUSED_HASHES)(
    'Given a ledger row hash with %s, When inserted, Then the hash CHECK refuses it',
    async (_why, hash) => {
      const insertDeposit = `INSERT INTO transactions
        (id, user_id, wallet_seq, kind, balance_change, old_balance, new_balance, "timestamp", hash)
      VALUES (gen_random_uuid(), $2, 1000000, 'deposit', 1, 0, 1, now(), $1)`;
      await session.query('BEGIN');
      try {
        expect(await failureOf(session, insertDeposit, [VALID_HASH, wallets[0]])).toBeUndefined();
        expect(await failureOf(session, insertDeposit, [hash, wallets[0]])).toEqual({
          code: '23514',
          constraint: 'transactions_hash_check',
        });
      } finally {
        await session.query('ROLLBACK');
      }
    },
  );
});
