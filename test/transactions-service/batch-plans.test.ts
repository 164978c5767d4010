import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTransactionsDatabase, type TestDatabase } from '../support/index.ts';

const SCOPE = 'POST /transferMoney';
/** Keys stored before the batch under test: every one of them read is a plan gone wrong. */
const EARLIER_KEYS = 20_000;

/**
 * write_money_batch storing responses under `keys` and nothing else: no wallets, no ledger rows,
 * no events (each part is skipped when its arrays are empty).
 */
const STORE_RESPONSES_SQL = `
SELECT write_money_batch(
  '{}'::uuid[], '{}'::numeric[], '{}'::bigint[], '{}'::text[], '{}'::boolean[],
  '{}'::uuid[], '{}'::uuid[], '{}'::bigint[], '{}'::text[], '{}'::numeric[], '{}'::numeric[],
  '{}'::numeric[], '{}'::numeric[], '{}'::uuid[], '{}'::uuid[], '{}'::text[],
  '{}'::timestamptz[], '{}'::text[],
  '{}'::uuid[], 'topic', '{}'::text[], '{}'::jsonb[], '{}'::int[], '{}'::jsonb[],
  $1::text, 200, $2::text[], array_fill('{}'::jsonb, ARRAY[cardinality($2::text[])]), '{}'::text[])`;

/** claim_batch_keys as a batch claims its keys, one of them (`claimed-before`) claimed earlier. */
async function claimKeys(session: pg.Client, keys: string[]): Promise<void> {
  const all = [...keys, 'claimed-before'];
  await session.query('SELECT claim_batch_keys($1::text, $2::text[], $3::text[])', [
    SCOPE,
    all,
    all.map(() => 'hash'),
  ]);
}

/** Index entries the key table's primary key has handed out so far, as the statistics count them. */
async function keyIndexReads(session: pg.Client): Promise<number> {
  // A backend's counts reach the shared statistics when it goes idle; this one, right now.
  await session.query('SELECT pg_stat_force_next_flush()');
  await session.query('SELECT pg_stat_clear_snapshot()');
  const { rows } = await session.query<{ reads: string }>(
    `SELECT idx_tup_read::text AS reads FROM pg_stat_user_indexes WHERE indexrelname = 'idempotency_keys_pkey'`,
  );
  return Number(rows[0]?.reads);
}

describe('batch write plans', () => {
  let database: TestDatabase;
  /** One connection: PL/pgSQL keeps each statement's plan per connection. */
  let session: pg.Client;

  beforeAll(async () => {
    database = await createTransactionsDatabase('tx_batch_plans');
    session = new pg.Client({ connectionString: database.url });
    await session.connect();
    // Autovacuum's ANALYZE would make PostgreSQL plan again mid-test and hide what this is about.
    await session.query('ALTER TABLE idempotency_keys SET (autovacuum_enabled = false)');
  });

  afterAll(async () => {
    await session?.end();
    await database?.drop();
  });

  it('Given a connection that ran batches while the key table was new, When thousands of keys exist and it claims two more and stores their responses, Then it reads only the keys it names', async () => {
    // Given: enough runs on the new, never analyzed table for PostgreSQL to keep a generic plan.
    await claimKeys(session, []);
    for (let run = 0; run < 8; run += 1) {
      await claimKeys(session, [`early-${run}`]);
      await session.query(STORE_RESPONSES_SQL, [SCOPE, [`early-${run}`]]);
    }
    await session.query(
      `INSERT INTO idempotency_keys (scope, key, request_hash)
       SELECT $1, 'earlier-' || i, 'hash' FROM generate_series(1, $2::int) AS i`,
      [SCOPE, EARLIER_KEYS],
    );
    const readsBefore = await keyIndexReads(session);

    // When
    await claimKeys(session, ['late-1', 'late-2']);
    await session.query(STORE_RESPONSES_SQL, [SCOPE, ['late-1', 'late-2']]);

    // Then
    expect((await keyIndexReads(session)) - readsBefore).toBeLessThan(10);
    const { rows } = await session.query<{ key: string }>(
      'SELECT key FROM idempotency_keys WHERE status_code = 200 AND key LIKE $1 ORDER BY key',
      ['late-%'],
    );
    expect(rows.map((row) => row.key)).toEqual(['late-1', 'late-2']);
  });
});
