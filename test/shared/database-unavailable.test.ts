import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { isDatabaseUnavailable } from '../../services/shared/src/db/database-errors.ts';

describe('database unavailable', () => {
  const socketDir = mkdtempSync(join(tmpdir(), 'wallet-no-postgres-'));
  afterAll(() => rmSync(socketDir, { recursive: true, force: true }));

  it('Given a Unix-socket URL whose PostgreSQL is down (no socket file, as while it restarts), When a query is sent, Then the error counts as the database being unavailable (503), not a bug', async () => {
    // Given
    const pool = new pg.Pool({ connectionString: `postgres://wallet@/wallet?host=${socketDir}`, max: 1 });

    // When
    const error = await pool.query('SELECT 1').catch((caught: unknown) => caught);
    await pool.end();

    // Then
    expect(error).toMatchObject({ code: 'ENOENT' });
    expect(isDatabaseUnavailable(error)).toBe(true);
  });
});
