import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { createPool, type Pool, type PoolClient } from './pool.ts';

/**
 * A migration waits this long for a table lock, then fails (and the service with it, to be started
 * again): an ALTER queued behind a long transaction would otherwise block every query behind it.
 */
export const MIGRATION_LOCK_TIMEOUT_MS = 5_000;

/**
 * Applies numbered SQL files (001-create-users.sql …) in order, each once, each in its own
 * transaction. A session advisory lock serialises replicas that start together. Each applied file's
 * SHA-256 is kept: a file changed after it ran is refused, since the database would silently differ
 * from what the file says. A migration is not cut short by the pool's statement timeout (a data
 * migration may run long); it is by the lock timeout above.
 */
export async function migrate(pool: Pool, migrationsDir: string, lockName: string): Promise<string[]> {
  const files = (await readdir(migrationsDir)).filter((name) => /^\d{3}-[\w-]+\.sql$/.test(name)).sort();
  const client = await pool.connect();
  const applied: string[] = [];
  try {
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [lockName]);
    const recorded = await readRecordedChecksums(client);
    for (const file of files) {
      const sql = await readFile(path.join(migrationsDir, file), 'utf8');
      const checksum = createHash('sha256').update(sql).digest('hex');
      if (recorded.has(file)) {
        await checkUnchanged(client, file, recorded.get(file), checksum);
        continue;
      }
      await apply(client, file, sql, checksum);
      applied.push(file);
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock(hashtext($1))', [lockName]).catch(() => {});
    client.release();
  }
  return applied;
}

/**
 * Migrates a service's database at boot. The session advisory lock needs one server connection
 * for the whole run, which a transaction pooler (PgBouncer) does not give: given `directUrl`
 * (DATABASE_MIGRATION_URL, PostgreSQL itself), migrations run on a connection of their own there.
 */
export async function migrateAtBoot(
  pool: Pool,
  options: {
    directUrl: string | undefined;
    migrationsDir: string;
    lockName: string;
    applicationName: string;
  },
): Promise<string[]> {
  if (!options.directUrl) return migrate(pool, options.migrationsDir, options.lockName);
  const direct = createPool({
    connectionString: options.directUrl,
    max: 1,
    applicationName: options.applicationName,
  });
  try {
    return await migrate(direct, options.migrationsDir, options.lockName);
  } finally {
    await direct.end();
  }
}

async function readRecordedChecksums(client: PoolClient): Promise<Map<string, string | null>> {
  await client.query(
    `CREATE TABLE IF NOT EXISTS schema_migrations (
       name text PRIMARY KEY,
       applied_at timestamptz NOT NULL DEFAULT now()
     )`,
  );
  // Rows from before checksums were kept have none; the file as it is now is taken as applied.
  await client.query('ALTER TABLE schema_migrations ADD COLUMN IF NOT EXISTS checksum text');
  const rows = await client.query<{ name: string; checksum: string | null }>(
    'SELECT name, checksum FROM schema_migrations',
  );
  return new Map(rows.rows.map((row) => [row.name, row.checksum]));
}

async function checkUnchanged(
  client: PoolClient,
  file: string,
  recorded: string | null | undefined,
  checksum: string,
): Promise<void> {
  if (recorded === null || recorded === undefined) {
    await client.query('UPDATE schema_migrations SET checksum = $2 WHERE name = $1', [file, checksum]);
    return;
  }
  if (recorded !== checksum) {
    throw new Error(
      `migration ${file} was changed after it was applied (sha256 ${recorded.slice(0, 12)}… then, ` +
        `${checksum.slice(0, 12)}… now): put the change in a new migration file instead`,
    );
  }
}

async function apply(client: PoolClient, file: string, sql: string, checksum: string): Promise<void> {
  await client.query('BEGIN');
  try {
    await client.query(`SET LOCAL lock_timeout = ${MIGRATION_LOCK_TIMEOUT_MS}`);
    await client.query('SET LOCAL statement_timeout = 0');
    await client.query(sql);
    await client.query('INSERT INTO schema_migrations (name, checksum) VALUES ($1, $2)', [file, checksum]);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw new Error(`migration ${file} failed: ${(error as Error).message}`, { cause: error });
  }
}
