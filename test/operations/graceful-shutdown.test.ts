import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { Client } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestDatabase,
  serviceEnv,
  TEST_AUTH_HEADERS,
  type TestDatabase,
  uniqueNamespace,
  waitFor,
} from '../support/index.ts';
import { balanceText, countRows, openPool } from '../transactions-service/transactions-service-harness.ts';
import { withTimeout } from './operations-harness.ts';

const CLIENT_COUNT = 6;
/** Deposits every client completes before the signal, so the signal lands mid-stream. */
const DEPOSITS_BEFORE_SIGNAL = 10;
const SHUTDOWN_GRACE_MS = 10_000;
const START_TIMEOUT_MS = 30_000;
const CLIENT_TIMEOUT_MS = 15_000;

/** How one request of a client ended. */
type Outcome = { status: number } | { error: string };

/**
 * One keep-alive connection sending deposits back to back until the service refuses the
 * connection (or answers anything but 200, which the test then reports).
 */
async function depositUntilRefused(url: string, userId: string, onSuccess: () => void): Promise<Outcome[]> {
  const client = new Client(url, { pipelining: 1, keepAliveTimeout: 60_000 });
  const outcomes: Outcome[] = [];
  try {
    for (;;) {
      try {
        const response = await client.request({
          method: 'POST',
          path: '/addMoney',
          headers: { ...TEST_AUTH_HEADERS, 'content-type': 'application/json' },
          body: JSON.stringify({ user_id: userId, amount: 1 }),
          headersTimeout: CLIENT_TIMEOUT_MS,
          bodyTimeout: CLIENT_TIMEOUT_MS,
        });
        await response.body.text();
        outcomes.push({ status: response.statusCode });
        if (response.statusCode !== 200) return outcomes;
        onSuccess();
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        outcomes.push({ error: typeof code === 'string' ? code : String(error) });
        return outcomes;
      }
    }
  } finally {
    await client.destroy();
  }
}

type ServiceProcess = {
  child: ChildProcess;
  url: Promise<string>;
  logLines: () => Array<Record<string, unknown>>;
};

function startServiceProcess(env: Record<string, string>): ServiceProcess {
  const child = spawn(process.execPath, ['services/transactions-service/src/server.ts'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Array<Record<string, unknown>> = [];
  let pending = '';
  let stderr = '';
  let announce: (url: string) => void = () => {};
  const url = new Promise<string>((resolve, reject) => {
    announce = resolve;
    child.once('exit', (code) =>
      reject(new Error(`service exited with ${code} before listening:\n${stderr}`)),
    );
  });
  child.stdout?.on('data', (chunk: Buffer) => {
    pending += chunk.toString('utf8');
    const complete = pending.split('\n');
    pending = complete.pop() ?? '';
    for (const text of complete) {
      const line = JSON.parse(text) as Record<string, unknown>;
      lines.push(line);
      if (line.msg === 'transactions-service started') announce(String(line.url));
    }
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  return { child, url, logLines: () => lines };
}

describe('graceful shutdown of transactions-service as its own process', () => {
  let database: TestDatabase;
  let pool: pg.Pool;

  beforeAll(async () => {
    database = await createTestDatabase('ops_shutdown');
    pool = openPool(database.url);
  });

  afterAll(async () => {
    await pool?.end();
    await database?.drop();
  });

  it.each(['SIGTERM', 'SIGINT'] as const)(
    'Given keep-alive clients depositing nonstop, When %s arrives, Then every 200 is in the balance, no client sees a reset, the process exits 0 in the grace period and the outbox is empty',
    async (signal) => {
      // Given a running process and a wallet
      const service = startServiceProcess(
        serviceEnv(database.url, `${uniqueNamespace()}.`, {
          LOG_LEVEL: 'info',
          SHUTDOWN_GRACE_MS: String(SHUTDOWN_GRACE_MS),
        }),
      );
      const exited = new Promise<number | null>((resolve) =>
        service.child.once('exit', (code) => resolve(code)),
      );
      try {
        const url = await withTimeout(service.url, START_TIMEOUT_MS, 'the service to listen');
        const userId = randomUUID();
        await pool.query('INSERT INTO users (user_id) VALUES ($1::uuid)', [userId]);
        let succeeded = 0;
        const clients = Array.from({ length: CLIENT_COUNT }, () =>
          depositUntilRefused(url, userId, () => {
            succeeded++;
          }),
        );
        await waitFor('deposits to flow', () =>
          succeeded >= CLIENT_COUNT * DEPOSITS_BEFORE_SIGNAL ? true : undefined,
        );

        // When
        const signalledAtMs = Date.now();
        service.child.kill(signal);
        const exitCode = await withTimeout(exited, SHUTDOWN_GRACE_MS, 'the process to exit');
        const exitTookMs = Date.now() - signalledAtMs;
        const outcomes = (await Promise.all(clients)).flat();

        // Then: the process left on its own, cleanly, in time
        expect(exitCode).toBe(0);
        expect(exitTookMs).toBeLessThan(SHUTDOWN_GRACE_MS);
        // Then: each request was answered 200, or its new connection was refused after the listener closed
        // (every response during the drain says `Connection: close`, so no request is sent on a closing socket)
        const answered = outcomes.filter((outcome) => 'status' in outcome) as Array<{ status: number }>;
        const failed = outcomes.filter((outcome) => 'error' in outcome) as Array<{ error: string }>;
        expect(answered.filter((outcome) => outcome.status !== 200)).toEqual([]);
        expect(failed.map((outcome) => outcome.error)).toEqual(Array(CLIENT_COUNT).fill('ECONNREFUSED'));
        // Then: exactly the deposits answered 200 are in the balance, and all their events left
        expect(answered.length).toBe(succeeded);
        expect(await balanceText(pool, userId)).toBe(`${succeeded}.00`);
        expect(await countRows(pool, 'SELECT count(*) FROM outbox WHERE published_at IS NULL')).toBe(0);
        // Then: the log tells the story
        const messages = service.logLines().map((line) => line.msg);
        expect(messages).toContain('shutting down');
        expect(messages.at(-1)).toBe('stopped');
        expect(service.logLines().find((line) => line.msg === 'shutting down')?.signal).toBe(signal);
      } finally {
        service.child.kill('SIGKILL');
      }
    },
  );
});
