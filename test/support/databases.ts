import { randomBytes } from 'node:crypto';
import { quoteIdentifier, withDatabase, withPostgresClient } from '../../scripts/stack/postgres-client.ts';
import { getStack } from './stack.ts';

export type TestDatabase = {
  name: string;
  url: string;
  /** Drops the database, closing any connection still open to it. */
  drop: () => Promise<void>;
};

// PostgreSQL truncates identifiers past 63 bytes; keep the random part intact.
const labelLengthMax = 40;

/**
 * A fresh, empty database on the run's server, for one test file: files never share tables.
 * The services run their own migrations on start. Call `drop()` in afterAll.
 */
export async function createTestDatabase(label: string): Promise<TestDatabase> {
  const { adminUrl } = getStack().postgres;
  const safeLabel = label
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, labelLengthMax);
  const name = `test_${safeLabel || 'db'}_${randomBytes(4).toString('hex')}`;
  await withPostgresClient(adminUrl, (client) => client.query(`create database ${quoteIdentifier(name)}`));
  return {
    name,
    url: withDatabase(adminUrl, name),
    drop: async () => {
      await withPostgresClient(adminUrl, (client) =>
        client.query(`drop database if exists ${quoteIdentifier(name)} with (force)`),
      );
    },
  };
}
