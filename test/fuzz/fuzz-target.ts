import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { request } from 'undici';
import { loadTransactionsConfig } from '../../services/transactions-service/src/config.ts';
import {
  type RunningTransactionsService,
  startTransactionsService,
} from '../../services/transactions-service/src/service.ts';
import { loadUserConfig } from '../../services/user-service/src/config.ts';
import { type RunningUserService, startUserService } from '../../services/user-service/src/service.ts';
import { createTestDatabase, getStack, type TestDatabase, uniqueNamespace } from '../support/index.ts';

/** A fuzzed request that takes longer than this counts as a hang and fails the property. */
export const FUZZ_REQUEST_TIMEOUT_MS = 5_000;
/** Users the fuzzer can aim at, so some fuzzed requests come close to valid ones. */
const KNOWN_USER_COUNT = 3;
const KNOWN_BALANCE_TEXT = '100.00';
const WALLETS_OPEN_TIMEOUT_MS = 30_000;

/**
 * The fuzz targets run with auth on, and every fuzzed request carries the operator token unless
 * it sets its own Authorization header: the fuzzing is aimed at what lies behind the auth check.
 */
const operatorToken = randomBytes(32).toString('hex');

export type KnownUser = { userId: string; email: string };

export type FuzzTarget = {
  usersUrl: string;
  transactionsUrl: string;
  known: KnownUser[];
  /** The known users' balances as NUMERIC text, read straight from the database. */
  balances(): Promise<Map<string, string>>;
  stop(): Promise<void>;
};

/**
 * Both services in-process on this run's stack, each with a fresh database and one namespace,
 * plus a few real users with funded wallets.
 */
export async function startFuzzTarget(label: string): Promise<FuzzTarget> {
  const stack = getStack();
  const databases: TestDatabase[] = [
    await createTestDatabase(`${label}_users`),
    await createTestDatabase(`${label}_tx`),
  ];
  const [usersDb, transactionsDb] = databases as [TestDatabase, TestDatabase];
  const common = {
    WALLET_OPERATOR_TOKEN: operatorToken,
    HOST: '127.0.0.1',
    PORT: '0',
    NATS_URL: stack.nats.url,
    KAFKA_BROKERS: stack.kafka.brokers.join(','),
    WALLET_NAMESPACE: `${uniqueNamespace()}.`,
    LOG_LEVEL: 'silent',
  };
  const transactions: RunningTransactionsService = await startTransactionsService(
    loadTransactionsConfig({ ...common, DATABASE_URL: transactionsDb.url }),
  );
  const users: RunningUserService = await startUserService(
    loadUserConfig({ ...common, DATABASE_URL: usersDb.url }),
  );
  const pool = new pg.Pool({ connectionString: transactionsDb.url, max: 2 });
  const known: KnownUser[] = [];
  for (let index = 0; index < KNOWN_USER_COUNT; index++) {
    const email = `fuzz-${label}-${index}@example.com`;
    const created = await sendRaw(users.url, { method: 'POST', path: '/createUser', json: { email } });
    known.push({ userId: (created.json as { user_id: string }).user_id, email });
  }
  await waitForWallets(pool, known.length);
  for (const user of known) {
    await sendRaw(transactions.url, {
      method: 'POST',
      path: '/addMoney',
      json: { user_id: user.userId, amount: KNOWN_BALANCE_TEXT },
    });
  }
  return {
    usersUrl: users.url,
    transactionsUrl: transactions.url,
    known,
    async balances() {
      const { rows } = await pool.query<{ user_id: string; balance: string }>(
        'SELECT user_id::text, balance::text FROM users WHERE user_id = ANY($1::uuid[])',
        [known.map((user) => user.userId)],
      );
      return new Map(rows.map((row) => [row.user_id, row.balance]));
    },
    async stop() {
      await users.stop();
      await transactions.stop();
      await pool.end();
      for (const database of databases) await database.drop();
    },
  };
}

async function waitForWallets(pool: pg.Pool, count: number): Promise<void> {
  const deadlineMs = Date.now() + WALLETS_OPEN_TIMEOUT_MS;
  while (Date.now() < deadlineMs) {
    const { rows } = await pool.query<{ count: string }>('SELECT count(*)::text AS count FROM users');
    if (Number(rows[0]?.count) >= count) return;
    await sleep(100);
  }
  throw new Error('fuzz target: wallets did not open');
}

export type RawRequest = {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';
  /** Path and query string exactly as sent. */
  path: string;
  headers?: Record<string, string>;
  /** Sent as application/json (unless headers say otherwise). */
  json?: unknown;
  /** Sent byte for byte. */
  body?: string;
};

export type RawResponse = { status: number; contentType: string; text: string; json: unknown };

/** Sends exactly what it is given; a response slower than the timeout throws (a hang). */
export async function sendRaw(baseUrl: string, raw: RawRequest): Promise<RawResponse> {
  const headers: Record<string, string> = { authorization: `Bearer ${operatorToken}`, ...raw.headers };
  let body = raw.body;
  if (raw.json !== undefined) {
    body = JSON.stringify(raw.json);
    if (!Object.keys(headers).some((name) => name.toLowerCase() === 'content-type')) {
      headers['content-type'] = 'application/json';
    }
  }
  const response = await request(`${baseUrl}${raw.path}`, {
    method: raw.method,
    headers,
    body,
    signal: AbortSignal.timeout(FUZZ_REQUEST_TIMEOUT_MS),
  });
  const text = await response.body.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const contentType = String(response.headers['content-type'] ?? '');
  return { status: response.statusCode, contentType, text, json };
}
