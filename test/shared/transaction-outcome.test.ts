import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isDatabaseUnavailable } from '../../services/shared/src/db/database-errors.ts';
import { createPool, type Pool } from '../../services/shared/src/db/pool.ts';
import {
  CommitOutcomeUnknownError,
  isConnectionError,
  withStatement,
  withTransaction,
} from '../../services/shared/src/db/transaction.ts';
import { createTestDatabase, type TestDatabase } from '../support/index.ts';
import { type CommitCuttingProxy, startCommitCuttingProxy } from './commit-cutting-proxy.ts';

async function failureOf(work: Promise<unknown>): Promise<unknown> {
  return work.then(
    () => new Error('expected the work to fail'),
    (error: unknown) => error,
  );
}

describe('withTransaction and withStatement when the connection is lost', () => {
  let database: TestDatabase;
  let proxy: CommitCuttingProxy;
  let proxied: Pool;
  let direct: Pool;

  beforeAll(async () => {
    database = await createTestDatabase('transaction_outcome');
    direct = createPool({ connectionString: database.url, applicationName: 'transaction-outcome-direct' });
    await direct.query('CREATE TABLE notes (note text PRIMARY KEY)');
    proxy = await startCommitCuttingProxy(database.url);
    proxied = createPool({ connectionString: proxy.url, applicationName: 'transaction-outcome-proxied' });
  });

  afterAll(async () => {
    await proxied?.end();
    await proxy?.close();
    await direct?.end();
    await database?.drop();
  });

  async function noteExists(note: string): Promise<boolean> {
    const { rows } = await direct.query('SELECT 1 FROM notes WHERE note = $1', [note]);
    return rows.length === 1;
  }

  it('Given a transaction, When the connection is lost after COMMIT was sent, Then the outcome is unknown (and here it committed)', async () => {
    // Given
    const cut = proxy.cutAfterCommitOf('COMMIT');

    // When
    const error = await failureOf(
      withTransaction(proxied, (client) => client.query("INSERT INTO notes VALUES ('after-commit')")),
    );
    await cut;

    // Then
    expect(error).toBeInstanceOf(CommitOutcomeUnknownError);
    expect(isConnectionError(error)).toBe(true);
    expect(isDatabaseUnavailable(error)).toBe(false);
    expect(await noteExists('after-commit')).toBe(true);
  });

  it('Given a transaction, When the connection is lost before COMMIT, Then it is a plain lost connection (database unavailable) and nothing committed', async () => {
    // Given
    const cut = proxy.cutAfterCommitOf('before-commit');

    // When
    const error = await failureOf(
      withTransaction(proxied, (client) => client.query("INSERT INTO notes VALUES ('before-commit')")),
    );
    await cut;

    // Then
    expect(error).not.toBeInstanceOf(CommitOutcomeUnknownError);
    expect(isDatabaseUnavailable(error)).toBe(true);
    expect(await noteExists('before-commit')).toBe(false);
  });

  it('Given a statement that is its own transaction, When the connection is lost while it runs, Then the outcome is unknown', async () => {
    // Given
    const cut = proxy.cutAfterCommitOf('one-statement');

    // When
    const error = await failureOf(
      withStatement(proxied, (client) => client.query("INSERT INTO notes VALUES ('one-statement')")),
    );
    await cut;

    // Then
    expect(error).toBeInstanceOf(CommitOutcomeUnknownError);
    expect(isDatabaseUnavailable(error)).toBe(false);
    expect(await noteExists('one-statement')).toBe(true);
  });
});
