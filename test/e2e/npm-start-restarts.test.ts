import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { readServicesFile, type ServicesFile } from '../../cli/src/services/config/services-file.ts';
import {
  createTestDatabase,
  type NpmStart,
  startNpmStart,
  type TestDatabase,
  uniqueNamespace,
} from '../support/index.ts';

/**
 * `npm start` as a user runs it (scripts/start.ts, no dashboard), on the run's PostgreSQL, NATS
 * and Kafka given by env, so it starts no stack of its own: only the two service processes.
 */

const startTimeoutMs = 120_000;
const restartTimeoutMs = 60_000;

async function healthStatus(url: string): Promise<number> {
  try {
    const response = await request(`${url}/healthz`, { signal: AbortSignal.timeout(2_000) });
    await response.body.dump();
    return response.statusCode;
  } catch {
    return 0;
  }
}

describe('npm start', () => {
  const namespace = uniqueNamespace();
  let home: string;
  let users: TestDatabase;
  let transactions: TestDatabase;
  let start: NpmStart;

  beforeAll(async () => {
    [users, transactions] = await Promise.all([
      createTestDatabase('npm-start-users'),
      createTestDatabase('npm-start-transactions'),
    ]);
    home = mkdtempSync(join(tmpdir(), 'wallet-npm-start-test-'));
    start = await startNpmStart({
      args: ['--no-dashboard'],
      home,
      databases: { users: users.url, transactions: transactions.url },
      namespace,
      timeoutMs: startTimeoutMs,
    });
  }, startTimeoutMs + 10_000);

  afterAll(async () => {
    await start?.stop();
    rmSync(home, { recursive: true, force: true });
    await Promise.all([users?.drop(), transactions?.drop()]);
  }, 60_000);

  it(
    'given both services up, when one is SIGKILLed, then npm start says so, starts it again healthy, and the other keeps its process',
    async () => {
      // Given
      const before = readServicesFile(home) as Required<ServicesFile>;
      expect(await healthStatus(before.transactionsServiceUrl)).toBe(200);

      // When: transactions-service dies without a word
      process.kill(before.pids.transactionsService, 'SIGKILL');

      // Then: the crash is reported with its signal and the restart delay
      await vi.waitFor(
        () =>
          expect(start.output()).toMatch(
            /transactions-service \(pid \d+\) exited: killed by SIGKILL .*restarting in 0\.5 s/,
          ),
        { timeout: restartTimeoutMs },
      );

      // Then: a new process serves on the same URL, recorded in services.json; user-service untouched
      await vi.waitFor(
        async () => {
          const after = readServicesFile(home) as Required<ServicesFile>;
          expect(after.pids.transactionsService).not.toBe(before.pids.transactionsService);
          expect(await healthStatus(after.transactionsServiceUrl)).toBe(200);
        },
        { timeout: restartTimeoutMs, interval: 250 },
      );
      expect(start.output()).toContain('transactions-service is back');
      const after = readServicesFile(home) as Required<ServicesFile>;
      expect(after.transactionsServiceUrl).toBe(before.transactionsServiceUrl);
      expect(after.pids.userService).toBe(before.pids.userService);
      expect(await healthStatus(after.userServiceUrl)).toBe(200);
    },
    2 * restartTimeoutMs,
  );

  it('given it runs, when it gets SIGTERM, then it stops both services, restarts nothing and exits 0', async () => {
    // Given
    const running = readServicesFile(home) as Required<ServicesFile>;

    // When
    start.child.kill('SIGTERM');
    const code = await start.exited;

    // Then
    expect(code).toBe(0);
    const output = start.output();
    const afterStop = output.slice(output.indexOf('[start] stopping the services'));
    expect(afterStop).not.toMatch(/restarting in|is back/);
    for (const pid of [running.pids.userService, running.pids.transactionsService]) {
      expect(() => process.kill(pid, 0), `pid ${pid}`).toThrow();
    }
    expect(readServicesFile(home)).toBeUndefined();
  }, 60_000);
});
