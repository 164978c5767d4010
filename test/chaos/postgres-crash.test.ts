import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killPostgres, startPostgres } from '../../scripts/stack/index.ts';
import { stopPostgres } from '../../scripts/stack/postgres.ts';

// What the chaos run's kill-postgres fault rests on, shown on a PostgreSQL of this file's own:
// the kill is a real crash (with commits acknowledged but not yet durable, it loses them), and with
// the durable settings the chaos stack runs it loses none. The bank checker then finds any
// acknowledged operation missing from the database it reads after the last fault
// ('acked-not-applied-once', planted in checker.test.ts), so a lost acknowledgement fails the run.
const WRITERS = 8;
/** Commits acknowledged before the kill: enough that the last ones are still in flight. */
const ACKS_BEFORE_KILL = 300;
/** With durability off, a kill that lands just after the WAL writer's flush may lose nothing. */
const LOSSY_ROUNDS_MAX = 5;
const DURABLE_ROUNDS = 2;
const SETUP_TIMEOUT_MS = 120_000;
const ROUNDS_TIMEOUT_MS = 180_000;

type Round = { acknowledged: number; lost: number };

describe('PostgreSQL under SIGKILL', () => {
  let dir = '';
  let adminUrl = '';
  let nextId = 0;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wallet-pg-crash-'));
    adminUrl = (await startPostgres({ dir, fast: false, log: () => {} })).adminUrl;
    await withClient(adminUrl, (client) => client.query('CREATE TABLE acks (id integer PRIMARY KEY)'));
  }, SETUP_TIMEOUT_MS);

  afterAll(async () => {
    await stopPostgres(dir).catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  }, SETUP_TIMEOUT_MS);

  /** Writers insert until the kill cuts them off; the server starts again with `fast`; who is missing? */
  async function crashRound(fast: boolean): Promise<Round> {
    const pool = new pg.Pool({ connectionString: adminUrl, max: WRITERS });
    pool.on('error', () => {});
    const acknowledged: number[] = [];
    const writer = async () => {
      for (;;) {
        const id = nextId++;
        try {
          await pool.query('INSERT INTO acks (id) VALUES ($1)', [id]);
        } catch {
          return;
        }
        acknowledged.push(id);
      }
    };
    const writers = Array.from({ length: WRITERS }, writer);
    while (acknowledged.length < ACKS_BEFORE_KILL) await sleep(5);
    await killPostgres(dir);
    await Promise.all(writers);
    await pool.end().catch(() => {});
    adminUrl = (await startPostgres({ dir, fast, log: () => {} })).adminUrl;
    const present = await withClient(adminUrl, (client) =>
      client.query<{ count: string }>('SELECT count(*) FROM acks WHERE id = ANY($1::int[])', [acknowledged]),
    );
    return { acknowledged: acknowledged.length, lost: acknowledged.length - Number(present.rows[0]!.count) };
  }

  it(
    'with durable settings, keeps every acknowledged commit through each crash',
    async () => {
      // Given the settings the chaos stack runs (fsync, synchronous_commit, full page writes on)
      for (let round = 0; round < DURABLE_ROUNDS; round++) {
        // When PostgreSQL is killed while writers commit, and starts again
        const { acknowledged, lost } = await crashRound(false);
        // Then every commit it acknowledged is there after crash recovery
        expect(acknowledged).toBeGreaterThanOrEqual(ACKS_BEFORE_KILL);
        expect(lost).toBe(0);
      }
    },
    ROUNDS_TIMEOUT_MS,
  );

  it(
    'with durability off, loses acknowledged commits: the kill is a crash, not a shutdown',
    async () => {
      // Given synchronous_commit (and fsync) off, as the old chaos stack ran
      await crashRound(true);
      // When PostgreSQL is killed while writers commit, a few times if need be
      let lost = 0;
      for (let round = 0; round < LOSSY_ROUNDS_MAX && lost === 0; round++) {
        lost = (await crashRound(true)).lost;
      }
      // Then commits it had acknowledged are gone: a clean stop would have flushed them
      expect(lost).toBeGreaterThan(0);
    },
    ROUNDS_TIMEOUT_MS,
  );
});

async function withClient<T>(url: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}
