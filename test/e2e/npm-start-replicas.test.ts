import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { readServicesFile, type ServicesFile } from '../../cli/src/services/config/services-file.ts';
import { haproxyPid } from '../../scripts/stack/haproxy.ts';
import { repoRoot } from '../../scripts/stack/paths.ts';
import { pgbouncerLayout } from '../../scripts/stack/pgbouncer.ts';
import { isOurProcess, readPidFile } from '../../scripts/stack/processes.ts';
import {
  createTestDatabase,
  type NpmStart,
  startNpmStart,
  type TestDatabase,
  uniqueNamespace,
} from '../support/index.ts';

/**
 * `npm start -- --replicas 2` as an operator runs it (scripts/start.ts, no dashboard), on the
 * run's PostgreSQL, NATS and Kafka given by env: two replicas of each service, HAProxy in front on
 * the service URLs, PgBouncer behind. The README's smoke script must pass through the balancer,
 * and money must stay exact while a replica is killed under it.
 */

const execFileAsync = promisify(execFile);
const startTimeoutMs = 180_000;
const DEPOSITS = 20;

describe('npm start -- --replicas 2', () => {
  const namespace = uniqueNamespace();
  let home: string;
  let users: TestDatabase;
  let transactions: TestDatabase;
  let start: NpmStart;
  let token: string;

  beforeAll(async () => {
    [users, transactions] = await Promise.all([
      createTestDatabase('replicas-users'),
      createTestDatabase('replicas-transactions'),
    ]);
    home = mkdtempSync(join(tmpdir(), 'wallet-replicas-test-'));
    start = await startNpmStart({
      args: ['--replicas', '2', '--no-dashboard'],
      home,
      databases: { users: users.url, transactions: transactions.url },
      namespace,
      timeoutMs: startTimeoutMs,
    });
    token = readFileSync(join(home, 'operator-token'), 'utf8').trim();
  }, startTimeoutMs + 10_000);

  afterAll(async () => {
    await start?.stop();
    rmSync(home, { recursive: true, force: true });
    await Promise.all([users?.drop(), transactions?.drop()]);
  }, 60_000);

  it('given it runs, then services.json names the balancer and four replicas, each ready on its own', async () => {
    const services = readServicesFile(home) as Required<ServicesFile>;
    expect(services.replicas.map((replica) => replica.name).sort()).toEqual([
      'transactions-service-1',
      'transactions-service-2',
      'user-service-1',
      'user-service-2',
    ]);
    const replicaUrls = services.replicas.map((replica) => replica.url);
    expect(replicaUrls).not.toContain(services.userServiceUrl);
    expect(replicaUrls).not.toContain(services.transactionsServiceUrl);
    for (const url of [...replicaUrls, services.userServiceUrl, services.transactionsServiceUrl]) {
      expect(await status(`${url}/readyz`), url).toBe(200);
    }
    expect(haproxyPid(home, 'services')).toBeGreaterThan(0);
  });

  it('given it runs, when the smoke script walks the contract through the balancer, then every step passes', async () => {
    const services = readServicesFile(home) as Required<ServicesFile>;
    const { stdout } = await execFileAsync('bash', [join(repoRoot, 'scripts', 'smoke.sh')], {
      env: {
        ...process.env,
        USER_SERVICE_URL: services.userServiceUrl,
        TRANSACTIONS_SERVICE_URL: services.transactionsServiceUrl,
        WALLET_TOKEN: token,
      },
      timeout: 120_000,
    });
    expect(stdout).toContain('smoke passed');
  }, 130_000);

  it('given deposits through the balancer, when a replica is SIGKILLed mid-way, then each applies exactly once', async () => {
    // Given a user with an open wallet
    const services = readServicesFile(home) as Required<ServicesFile>;
    const userId = await createUser(services.userServiceUrl, `replicas-${randomUUID()}@example.com`);
    const victim = services.replicas.find((replica) => replica.name === 'transactions-service-1');

    // When 20 deposits of 1.00 go through the balancer, one replica dies after the fifth, and a
    // deposit whose answer is lost or refused for the moment is sent again with the same key
    for (let index = 0; index < DEPOSITS; index++) {
      if (index === 5) process.kill(victim?.pid ?? 0, 'SIGKILL');
      await depositUntilAnswered(services.transactionsServiceUrl, userId, randomUUID());
    }

    // Then the wallet holds exactly 20.00: nothing lost, nothing doubled
    const wallet = await json(`${services.transactionsServiceUrl}/wallets/${userId}`);
    expect(wallet.balance).toBe(DEPOSITS);
    await vi.waitFor(() => expect(start.output()).toContain('transactions-service-1 is back'), {
      timeout: 60_000,
    });
  }, 120_000);

  it('given it runs, when it gets SIGTERM, then it stops the replicas, HAProxy and PgBouncer, and exits 0', async () => {
    const pgbouncer = pgbouncerLayout(home);
    const pooler = readPidFile(pgbouncer.pidFile);
    expect(isOurProcess(pooler, pgbouncer.configFile)).toBe(true);

    start.child.kill('SIGTERM');

    expect(await start.exited).toBe(0);
    expect(haproxyPid(home, 'services')).toBeUndefined();
    expect(isOurProcess(pooler, pgbouncer.configFile)).toBe(false);
    expect(readServicesFile(home)).toBeUndefined();
  }, 60_000);

  async function createUser(baseUrl: string, email: string): Promise<string> {
    const created = await call(baseUrl, '/createUser', { email });
    expect(created.status).toBe(201);
    const userId = String(created.body.user_id);
    // The wallet opens once transactions-service consumed user-created.
    await vi.waitFor(
      async () => expect(await status(`${baseUrl}/getBalance?email=${encodeURIComponent(email)}`)).toBe(200),
      {
        timeout: 30_000,
        interval: 250,
      },
    );
    return userId;
  }

  async function depositUntilAnswered(baseUrl: string, userId: string, key: string): Promise<void> {
    await vi.waitFor(
      async () => {
        const answer = await call(baseUrl, '/addMoney', { user_id: userId, amount: '1.00' }, key).catch(
          () => ({
            status: 0,
            body: {},
          }),
        );
        expect(answer.status).toBe(200);
      },
      { timeout: 30_000, interval: 200 },
    );
  }

  async function call(baseUrl: string, path: string, body: unknown, idempotencyKey?: string) {
    const response = await request(`${baseUrl}${path}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}),
      },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    return { status: response.statusCode, body: (await response.body.json()) as Record<string, unknown> };
  }

  async function json(url: string): Promise<Record<string, unknown>> {
    const response = await request(url, {
      headers: { authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(10_000),
    });
    expect(response.statusCode).toBe(200);
    return (await response.body.json()) as Record<string, unknown>;
  }

  async function status(url: string): Promise<number> {
    try {
      const response = await request(url, {
        headers: { authorization: `Bearer ${token}` },
        signal: AbortSignal.timeout(5_000),
      });
      await response.body.dump();
      return response.statusCode;
    } catch {
      return 0;
    }
  }
});
