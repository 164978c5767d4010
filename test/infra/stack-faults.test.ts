import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  killNats,
  killPostgres,
  pausePostgres,
  resumePostgres,
  type StackState,
  stackDown,
  stackUp,
  startNats,
  startPostgres,
} from '../../scripts/stack/index.ts';
import { probeNats } from '../../scripts/stack/nats.ts';
import { isPortOpen } from '../../scripts/stack/ports.ts';
import { withPostgresClient } from '../../scripts/stack/postgres-client.ts';
import { getStack } from '../support/index.ts';

/**
 * The stack's crash and freeze helpers for the chaos suite, on a PostgreSQL and NATS of this file's
 * own (killing the run's would take every other test file down); Kafka is the run's, given by env.
 */

/** A process's state letter from /proc (R, S, T for stopped, Z for zombie), or undefined once gone. */
/** A busy 2-core machine running the whole suite can take seconds to schedule a process. */
const signalTakesEffectMs = 15_000;

/** Neither stopped (T) nor exited (gone, or Z/X: exited and not yet reaped). */
function isStillRunning(state: string | undefined): boolean {
  return state !== undefined && !['T', 'Z', 'X'].includes(state);
}

function stateOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  } catch {
    return undefined;
  }
}

function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

/** The postmaster and its children: backends, checkpointer, WAL writer and the rest. */
function postgresPids(postmaster: number): number[] {
  const children = readdirSync('/proc')
    .map(Number)
    .filter((pid) => Number.isInteger(pid) && parentOf(pid) === postmaster);
  return [postmaster, ...children];
}

const isAlive = (pid: number) => !['Z', undefined].includes(stateOf(pid));

describe('the stack fault helpers', () => {
  const savedEnv = new Map<string, string | undefined>();
  let dir: string;
  let state: StackState;

  beforeAll(async () => {
    const env: Record<string, string | undefined> = {
      KAFKA_BROKERS: getStack().kafka.brokers.join(','),
      DATABASE_ADMIN_URL: undefined,
      USER_SERVICE_DATABASE_URL: undefined,
      TRANSACTIONS_SERVICE_DATABASE_URL: undefined,
      NATS_URL: undefined,
    };
    for (const [name, value] of Object.entries(env)) {
      savedEnv.set(name, process.env[name]);
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    dir = mkdtempSync(join(tmpdir(), 'wallet-faults-test-'));
    // Durable, as the chaos suite runs it: with fast's synchronous_commit off a crash may lose the
    // last commits by design, and this file checks that a committed row survives the kill.
    state = await stackUp({ dir, fast: false, quiet: true });
  }, 120_000);

  afterAll(async () => {
    resumePostgres(dir);
    await stackDown({ dir }).catch(() => {});
    rmSync(dir, { recursive: true, force: true });
    for (const [name, value] of savedEnv) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }, 60_000);

  it('given a committed row, when PostgreSQL is SIGKILLed whole and started again, then it serves on its port with the row', async () => {
    // Given
    const url = state.postgres.databases.users;
    await withPostgresClient(url, (client) =>
      client.query('create table kept (id int); insert into kept values (7)'),
    );
    const idle = new pg.Client({ connectionString: url });
    idle.on('error', () => {});
    await idle.connect();
    const before = postgresPids(state.postgres.pid!);
    expect(before.length).toBeGreaterThan(2);

    // When: postmaster and backends (the idle one's included) die together
    await killPostgres(dir);

    // Then: nothing of it runs and its port is closed
    expect(before.filter(isAlive)).toEqual([]);
    expect(await isPortOpen(state.postgres.port)).toBe(false);

    // When: started again, as the chaos suite does
    const restarted = await startPostgres({ dir, fast: false, log: () => {} });
    state = { ...state, postgres: restarted };

    // Then: same port, the row is there
    expect(restarted.port).toBe(state.postgres.port);
    const rows = await withPostgresClient(url, (client) => client.query('select id from kept'));
    expect(rows.rows).toEqual([{ id: 7 }]);
    await idle.end().catch(() => {});
  }, 120_000);

  it('given PostgreSQL, when paused, then every one of its processes is stopped, and when resumed it answers again', async () => {
    // Given: a backend besides the server's own helpers
    const url = state.postgres.databases.users;
    await withPostgresClient(url, async (client) => {
      const pids = postgresPids(state.postgres.pid!);
      expect(pids.length).toBeGreaterThan(2);

      // When
      pausePostgres(dir);
      try {
        // Then: a signal takes effect when each process next runs, not when kill() returns; one
        // in uninterruptible sleep (an fsync on a busy disk) stops only when that returns, and a
        // helper that exited meanwhile is gone, or a zombie its stopped postmaster cannot reap.
        await vi.waitFor(() => expect(pids.map(stateOf).filter(isStillRunning)).toEqual([]), {
          timeout: signalTakesEffectMs,
        });
      } finally {
        // When
        resumePostgres(dir);
      }

      // Then
      await vi.waitFor(() => expect(pids.map(stateOf).some((letter) => letter === 'T')).toBe(false), {
        timeout: signalTakesEffectMs,
      });
      expect((await client.query('select 1 as one')).rows).toEqual([{ one: 1 }]);
    });
  });

  it('given NATS, when SIGKILLed and started again, then it answers on the same URL', async () => {
    // When
    await killNats(dir);

    // Then
    const port = Number(new URL(state.nats.url).port);
    expect(await isPortOpen(port)).toBe(false);

    // When
    const restarted = await startNats({ dir, log: () => {} });

    // Then
    expect(restarted.url).toBe(state.nats.url);
    await probeNats(restarted.url);
  });
});
