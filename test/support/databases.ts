import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
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
      await withPostgresClient(adminUrl, async (client) => {
        await waitForSessionsToLeave(client, name);
        await client.query(`drop database if exists ${quoteIdentifier(name)} with (force)`);
      });
    },
  };
}

/** How long a drop waits for sessions that are closing before it forces them out. */
const leaveWaitMs = 2_000;
const leavePollMs = 50;

/**
 * pg's `pool.end()` resolves before PostgreSQL has seen every client's goodbye. A forced drop at
 * that moment terminates the closing session, and pg raises the FATAL it is sent on a client that
 * no longer has an error listener: an uncaught exception that fails the whole run. So the drop
 * lets closing sessions leave first, and forces only the ones still there after a short wait.
 */
async function waitForSessionsToLeave(client: pg.Client, database: string): Promise<void> {
  const deadline = Date.now() + leaveWaitMs;
  while (Date.now() < deadline) {
    const { rows } = await client.query<{ count: string }>(
      'SELECT count(*)::text AS count FROM pg_stat_activity WHERE datname = $1',
      [database],
    );
    if (rows[0]?.count === '0') return;
    await sleep(leavePollMs);
  }
}
