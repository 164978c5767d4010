import pg from 'pg';
import { migrate } from '../../services/shared/src/db/migrate.ts';
import { MIGRATION_LOCK_NAME, MIGRATIONS_DIR } from '../../services/transactions-service/src/service.ts';
import { createTestDatabase, type TestDatabase } from './databases.ts';

/**
 * A fresh database with transactions-service's schema, migrated as the service migrates at boot,
 * for tests that call its SQL functions without running the service. Call `drop()` in afterAll.
 */
export async function createTransactionsDatabase(label: string): Promise<TestDatabase> {
  const database = await createTestDatabase(label);
  const pool = new pg.Pool({ connectionString: database.url, max: 1 });
  try {
    await migrate(pool, MIGRATIONS_DIR, MIGRATION_LOCK_NAME);
  } finally {
    await pool.end();
  }
  return database;
}
