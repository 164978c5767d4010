import pg from 'pg';
import { request } from 'undici';
import { afterAll, beforeAll } from 'vitest';
import { parseJson, startBothServices, TEST_AUTH_HEADERS, waitForWallet } from '../support/index.ts';

/** A fuzzed request that takes longer than this counts as a hang and fails the property. */
export const FUZZ_REQUEST_TIMEOUT_MS = 5_000;
/** Users the fuzzer can aim at, so some fuzzed requests come close to valid ones. */
const KNOWN_USER_COUNT = 3;
const KNOWN_BALANCE_TEXT = '100.00';

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
 * plus a few real users with funded wallets. They run with auth on, and every fuzzed request
 * carries the operator token unless it sets its own Authorization header: the fuzzing is aimed
 * at what lies behind the auth check.
 */
export async function startFuzzTarget(label: string): Promise<FuzzTarget> {
  const services = await startBothServices(label);
  const { users, transactions } = services;
  const pool = new pg.Pool({ connectionString: services.transactionsDatabaseUrl, max: 2 });
  const known: KnownUser[] = [];
  for (let index = 0; index < KNOWN_USER_COUNT; index++) {
    const email = `fuzz-${label}-${index}@example.com`;
    const created = await sendRaw(users.url, { method: 'POST', path: '/createUser', json: { email } });
    known.push({ userId: (created.json as { user_id: string }).user_id, email });
  }
  for (const user of known) {
    await waitForWallet(users.url, user.email);
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
      await pool.end();
      await services.stop();
    },
  };
}

/**
 * Registers the beforeAll/afterAll of a fuzz test file: the target starts before the first test
 * and stops after the last; its fields can be read once beforeAll ran.
 */
export function useFuzzTarget(label: string): FuzzTarget {
  let started: FuzzTarget | undefined;
  beforeAll(async () => {
    started = await startFuzzTarget(label);
  });
  afterAll(async () => {
    await started?.stop();
  });
  const current = (): FuzzTarget => {
    if (!started) throw new Error(`fuzz target ${label} is not started (read it inside a test or hook)`);
    return started;
  };
  return {
    get usersUrl() {
      return current().usersUrl;
    },
    get transactionsUrl() {
      return current().transactionsUrl;
    },
    get known() {
      return current().known;
    },
    balances: () => current().balances(),
    stop: () => current().stop(),
  };
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
  const headers: Record<string, string> = { ...TEST_AUTH_HEADERS, ...raw.headers };
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
  const contentType = String(response.headers['content-type'] ?? '');
  return { status: response.statusCode, contentType, text, json: parseJson(text) };
}
