import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool, type Pool } from '../../services/shared/src/db/pool.ts';
import { withTransaction } from '../../services/shared/src/db/transaction.ts';
import { createTestDatabase, type TestDatabase } from '../support/index.ts';

/** Resolves once `count` callers have arrived. */
function barrier(count: number): () => Promise<void> {
  let arrived = 0;
  let open: () => void = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return () => {
    arrived += 1;
    if (arrived === count) open();
    return opened;
  };
}

describe('withTransaction against a real PostgreSQL', () => {
  let database: TestDatabase;
  let pool: Pool;

  beforeAll(async () => {
    database = await createTestDatabase('transaction_retries');
    pool = createPool({ connectionString: database.url, applicationName: 'transaction-retries-test' });
    await pool.query('CREATE TABLE counters (id int PRIMARY KEY, value int NOT NULL)');
    await pool.query('INSERT INTO counters VALUES (1, 0), (2, 0)');
    // Deadlocks found after 100 ms instead of 1 s, for connections opened from now on.
    await pool.query(`ALTER DATABASE "${database.name}" SET deadlock_timeout = '100ms'`);
  });

  afterAll(async () => {
    await pool?.end();
    await database?.drop();
  });

  it('given two transactions that lock two rows in opposite order, when PostgreSQL kills one as a deadlock, then it is run again and both commit once', async () => {
    const bothHoldTheirFirstRow = barrier(2);
    const attempts = { forward: 0, backward: 0 };
    const bump = (order: [number, number], name: keyof typeof attempts) =>
      withTransaction(pool, async (client) => {
        attempts[name] += 1;
        await client.query('UPDATE counters SET value = value + 1 WHERE id = $1', [order[0]]);
        // Only the first attempts meet, so the rerun of the victim goes through.
        if (attempts[name] === 1) await bothHoldTheirFirstRow();
        await client.query('UPDATE counters SET value = value + 1 WHERE id = $1', [order[1]]);
      });

    await Promise.all([bump([1, 2], 'forward'), bump([2, 1], 'backward')]);

    const rows = await pool.query('SELECT id, value FROM counters ORDER BY id');
    expect(rows.rows).toEqual([
      { id: 1, value: 2 },
      { id: 2, value: 2 },
    ]);
    expect(attempts.forward + attempts.backward).toBe(3);
  });

  it('given a refusal that is not a deadlock or serialization failure, when thrown inside, then it is not retried and nothing is kept', async () => {
    const before = await pool.query('SELECT value FROM counters WHERE id = 1');
    let runs = 0;
    const refused = withTransaction(pool, async (client) => {
      runs += 1;
      await client.query('UPDATE counters SET value = value + 100 WHERE id = 1');
      await client.query('SELECT 1 / 0');
    });

    await expect(refused).rejects.toThrow(/division by zero/);
    expect(runs).toBe(1);
    const row = await pool.query('SELECT value FROM counters WHERE id = 1');
    expect(row.rows[0].value).toBe(before.rows[0].value);
  });
});
