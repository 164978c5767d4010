import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withPostgresClient } from '../../scripts/stack/postgres-client.ts';
import { createTestDatabase, getStack, type TestDatabase } from '../support/index.ts';

describe('PostgreSQL in the test stack', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase('infra postgres');
  });

  afterAll(async () => {
    await database?.drop();
  });

  it('given a fresh test database, when a row is written and read back, then it round-trips', async () => {
    // Given
    await withPostgresClient(database.url, (client) =>
      client.query('create table probe (id bigint primary key, amount_minor bigint not null)'),
    );

    // When
    const rows = await withPostgresClient(database.url, async (client) => {
      await client.query('insert into probe (id, amount_minor) values ($1, $2)', [1, '9007199254740993']);
      const result = await client.query<{ amount_minor: string }>(
        'select amount_minor from probe where id = 1',
      );
      return result.rows;
    });

    // Then: bigint comes back as exact text, not a rounded float
    expect(rows).toEqual([{ amount_minor: '9007199254740993' }]);
  });

  it('given the stack, when connecting to the service databases, then both answer as user wallet', async () => {
    // Given
    const { databases } = getStack().postgres;

    // When
    const answers = await Promise.all(
      [databases.users, databases.transactions].map((url) =>
        withPostgresClient(url, async (client) => {
          const result = await client.query<{ database: string; role: string }>(
            'select current_database() as database, current_user as role',
          );
          return result.rows[0];
        }),
      ),
    );

    // Then
    expect(answers).toEqual([
      { database: 'wallet_users', role: 'wallet' },
      { database: 'wallet_transactions', role: 'wallet' },
    ]);
  });

  it('given a test database, when it is dropped, then it no longer exists on the server', async () => {
    // Given
    const scratch = await createTestDatabase('infra scratch');
    expect(scratch.name).toMatch(/^test_infra_scratch_[0-9a-f]{8}$/);

    // When
    await scratch.drop();

    // Then
    const found = await withPostgresClient(getStack().postgres.adminUrl, (client) =>
      client.query('select 1 from pg_database where datname = $1', [scratch.name]),
    );
    expect(found.rowCount).toBe(0);
  });

  it('given the stack it started, when a service database is reached by its URL, then the connection is the Unix socket, not TCP', async () => {
    const { databases, managed } = getStack().postgres;
    // A PostgreSQL given by DATABASE_ADMIN_URL is reached however that URL says.
    if (!managed) return;

    const client = await withPostgresClient(databases.users, async (connection) => {
      const result = await connection.query<{ address: string | null }>(
        'select inet_client_addr() as address',
      );
      return result.rows[0];
    });

    // inet_client_addr() is null for a Unix-socket connection.
    expect(client).toEqual({ address: null });
  });
});
