import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATION_LOCK_TIMEOUT_MS, migrate } from '../../services/shared/src/db/migrate.ts';
import { createPool, type Pool } from '../../services/shared/src/db/pool.ts';
import { createTestDatabase, type TestDatabase } from '../support/index.ts';

const LOCK = 'migrate-test';

describe('the migration runner', () => {
  let database: TestDatabase;
  let pool: Pool;
  let dir: string;

  const write = (name: string, sql: string) => writeFileSync(path.join(dir, name), sql);

  beforeAll(async () => {
    database = await createTestDatabase('migrate');
    pool = createPool({ connectionString: database.url, applicationName: 'migrate-test' });
    dir = mkdtempSync(path.join(tmpdir(), 'migrate-test-'));
  });

  afterAll(async () => {
    await pool?.end();
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('given new files, when run twice, then each applies once, in order, free of the pool statement timeout and under a lock timeout', async () => {
    write(
      '001-settings.sql',
      `CREATE TABLE seen AS SELECT current_setting('statement_timeout') AS statement_timeout,
                                   current_setting('lock_timeout') AS lock_timeout`,
    );
    write('002-more.sql', 'CREATE TABLE more (id int PRIMARY KEY)');

    expect(await migrate(pool, dir, LOCK)).toEqual(['001-settings.sql', '002-more.sql']);
    expect(await migrate(pool, dir, LOCK)).toEqual([]);

    const seen = await pool.query('SELECT statement_timeout, lock_timeout FROM seen');
    expect(seen.rows).toEqual([
      { statement_timeout: '0', lock_timeout: `${MIGRATION_LOCK_TIMEOUT_MS / 1000}s` },
    ]);
    const recorded = await pool.query(
      'SELECT name, length(checksum) AS length FROM schema_migrations ORDER BY name',
    );
    expect(recorded.rows).toEqual([
      { name: '001-settings.sql', length: 64 },
      { name: '002-more.sql', length: 64 },
    ]);
  });

  it('given an applied file that was edited since, when run, then it is refused and nothing after it applies', async () => {
    write('002-more.sql', 'CREATE TABLE more (id int PRIMARY KEY, extra text)');
    write('003-after.sql', 'CREATE TABLE after_edit (id int)');

    await expect(migrate(pool, dir, LOCK)).rejects.toThrow(/002-more\.sql was changed after it was applied/);

    const after = await pool.query("SELECT to_regclass('after_edit') AS table");
    expect(after.rows[0].table).toBeNull();
    write('002-more.sql', 'CREATE TABLE more (id int PRIMARY KEY)');
    rmSync(path.join(dir, '003-after.sql'));
  });

  it('given rows recorded before checksums were kept, when run, then their checksums are filled in, not refused', async () => {
    await pool.query("UPDATE schema_migrations SET checksum = NULL WHERE name = '002-more.sql'");

    expect(await migrate(pool, dir, LOCK)).toEqual([]);

    const row = await pool.query("SELECT checksum FROM schema_migrations WHERE name = '002-more.sql'");
    expect(row.rows[0].checksum).toMatch(/^[0-9a-f]{64}$/);
  });

  it('given a table another session holds locked, when a migration needs it, then the migration fails after the lock timeout instead of queueing every query behind it', async () => {
    write('004-alter-more.sql', 'ALTER TABLE more ADD COLUMN note text');
    const holder = new pg.Client({ connectionString: database.url });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('LOCK TABLE more IN ACCESS SHARE MODE');

      const startedAt = Date.now();
      await expect(migrate(pool, dir, LOCK)).rejects.toThrow(
        /004-alter-more\.sql failed: canceling statement due to lock timeout/,
      );
      expect(Date.now() - startedAt).toBeGreaterThanOrEqual(MIGRATION_LOCK_TIMEOUT_MS - 100);
    } finally {
      await holder.query('ROLLBACK');
      await holder.end();
    }

    // Once the lock is gone, the next start applies it
    expect(await migrate(pool, dir, LOCK)).toEqual(['004-alter-more.sql']);
  });
});
