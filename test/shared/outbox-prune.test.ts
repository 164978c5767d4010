import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool, type Pool } from '../../services/shared/src/db/pool.ts';
import { OUTBOX_TABLE_SQL } from '../../services/shared/src/outbox/outbox-sql.ts';
import { prunePublishedEvents } from '../../services/shared/src/outbox/prune-published-events.ts';
import { createTestDatabase, type TestDatabase } from '../support/index.ts';

describe('prunePublishedEvents', () => {
  let database: TestDatabase;
  let pool: Pool;

  beforeAll(async () => {
    database = await createTestDatabase('outbox_prune');
    pool = createPool({ connectionString: database.url, applicationName: 'outbox-prune-test' });
    await pool.query(OUTBOX_TABLE_SQL);
  });

  afterAll(async () => {
    await pool?.end();
    await database?.drop();
  });

  it('Given old and recent, published and unpublished events, When pruned, Then only the old published ones go', async () => {
    // Given
    const insert = `INSERT INTO outbox (event_id, topic, event_key, payload, created_at, published_at)
                    VALUES (gen_random_uuid(), 'user-created', $1, '{}'::jsonb,
                            now() - make_interval(hours => $2::int), $3::timestamptz)`;
    await pool.query(insert, ['old-published', 200, new Date(Date.now() - 190 * 3_600_000)]);
    await pool.query(insert, ['recent-published', 1, new Date()]);
    await pool.query(insert, ['old-unpublished', 400, null]);

    // When
    const deleted = await prunePublishedEvents(pool, 168);

    // Then
    expect(deleted).toBe(1);
    const { rows } = await pool.query<{ event_key: string }>('SELECT event_key FROM outbox ORDER BY seq');
    expect(rows.map((row) => row.event_key)).toEqual(['recent-published', 'old-unpublished']);
  });
});
