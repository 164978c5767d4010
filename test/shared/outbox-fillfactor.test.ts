import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool, type Pool } from '../../services/shared/src/db/pool.ts';
import { claimOutboxRows, markOutboxRowsPublished } from '../../services/shared/src/outbox/outbox-claims.ts';
import {
  OUTBOX_FILLFACTOR_SQL,
  OUTBOX_LEASE_SQL,
  OUTBOX_TABLE_SQL,
} from '../../services/shared/src/outbox/outbox-sql.ts';
import { createTestDatabase, type TestDatabase } from '../support/index.ts';

/** Enough rows of an event's usual size (~900 bytes) to fill several pages. */
const ROWS = 40;

/** Each row's page (the block number of its ctid), by seq. */
async function pagesBySeq(pool: Pool): Promise<Map<string, string>> {
  const { rows } = await pool.query<{ seq: string; page: string }>(
    `SELECT seq::text, (ctid::text::point)[0]::bigint::text AS page FROM outbox ORDER BY seq`,
  );
  return new Map(rows.map((row) => [row.seq, row.page]));
}

describe('outbox fillfactor', () => {
  let database: TestDatabase;
  let pool: Pool;

  beforeAll(async () => {
    database = await createTestDatabase('outbox_fillfactor');
    pool = createPool({ connectionString: database.url, applicationName: 'outbox-fillfactor-test' });
    await pool.query(OUTBOX_TABLE_SQL);
    await pool.query(OUTBOX_LEASE_SQL);
    await pool.query(OUTBOX_FILLFACTOR_SQL);
  });

  afterAll(async () => {
    await pool?.end();
    await database?.drop();
  });

  it('Given each service migration, When read, Then it sets exactly the shared fillfactor', () => {
    for (const file of [
      'services/transactions-service/migrations/010-outbox-fillfactor.sql',
      'services/user-service/migrations/006-outbox-fillfactor.sql',
    ]) {
      expect(readFileSync(file, 'utf8')).toContain(OUTBOX_FILLFACTOR_SQL.trim());
    }
  });

  it('Given rows of an event-sized payload, When the relay claims and marks them, Then every new version stays on its row page', async () => {
    // Given
    await pool.query(
      `INSERT INTO outbox (event_id, topic, event_key, payload)
       SELECT gen_random_uuid(), 'fillfactor', 'key-' || i, jsonb_build_object('i', i, 'pad', repeat('x', 850))
         FROM generate_series(1, $1::int) AS i ORDER BY i`,
      [ROWS],
    );
    const before = await pagesBySeq(pool);
    expect(new Set(before.values()).size).toBeGreaterThan(2);

    // When
    const claimed = await claimOutboxRows(pool, { relayId: 'relay', batchSize: ROWS, leaseMs: 30_000 });
    const marked = await markOutboxRowsPublished(
      pool,
      'relay',
      claimed.map((row) => row.seq),
    );

    // Then: an update on the row's own page is logged as its changed bytes, not the whole row.
    expect(marked).toBe(ROWS);
    expect(await pagesBySeq(pool)).toEqual(before);
  });
});
