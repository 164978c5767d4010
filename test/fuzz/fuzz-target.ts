import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { request } from 'undici';
import { afterAll, beforeAll } from 'vitest';
import { digestToken } from '../../services/shared/src/http/access-tokens.ts';
import { parseJson, startBothServices, TEST_AUTH_HEADERS, waitForWallet } from '../support/index.ts';
import { findLedgerViolations, readWalletStates, type WalletStates } from './money-invariants.ts';

/** A fuzzed request that takes longer than this counts as a hang and fails the property. */
export const FUZZ_REQUEST_TIMEOUT_MS = 5_000;
/** Users the fuzzer can aim at, so some fuzzed requests come close to valid ones. */
const KNOWN_USER_COUNT = 3;
const KNOWN_BALANCE_TEXT = '100.00';

/** Besides the operator token every request carries by default, the target knows these two. */
export const FUZZ_READER_TOKEN = 'fuzz-reader-token-3f9a0c1d7e';
/** A user token of a wallet of its own (`tokenHolderId`), to fuzz what a user token may reach. */
export const FUZZ_USER_TOKEN = 'fuzz-user-token-8b2e5d4a60';

export type KnownUser = { userId: string; email: string };

export type FuzzTarget = {
  usersUrl: string;
  transactionsUrl: string;
  known: KnownUser[];
  /** The wallet FUZZ_USER_TOKEN may act for (funded like the known users, not in user-service). */
  tokenHolderId: string;
  /** Every wallet's balance, reserved amount and status, read straight from the database. */
  walletStates(): Promise<WalletStates>;
  /** Σ of every wallet's balance in minor units. */
  totalBalanceMinor(): Promise<bigint>;
  /** What the ledger, the holds and the wallets say that breaks a money invariant (none is []). */
  ledgerViolations(): Promise<string[]>;
  /** The transactions database, for a test that seeds or reads more. */
  pool: pg.Pool;
  stop(): Promise<void>;
};

/**
 * Both services in-process on this run's stack, each with a fresh database and one namespace,
 * plus a few real users with funded wallets. They run with auth on, and every fuzzed request
 * carries the operator token unless it sets its own Authorization header: the fuzzing is aimed
 * at what lies behind the auth check. A reader token and a user token are known too.
 */
export async function startFuzzTarget(label: string): Promise<FuzzTarget> {
  const tokenHolderId = randomUUID();
  const tokensDir = mkdtempSync(path.join(tmpdir(), 'fuzz-tokens-'));
  const tokensFile = path.join(tokensDir, 'tokens.json');
  const userDigest = digestToken(FUZZ_USER_TOKEN).toString('hex');
  writeFileSync(
    tokensFile,
    JSON.stringify([{ scope: 'user', name: 'fuzz-holder', user_id: tokenHolderId, sha256: userDigest }]),
  );
  const services = await startBothServices(label, {
    WALLET_READER_TOKEN: FUZZ_READER_TOKEN,
    WALLET_TOKENS_FILE: tokensFile,
  });
  rmSync(tokensDir, { recursive: true, force: true });
  const { users, transactions } = services;
  const pool = new pg.Pool({ connectionString: services.transactionsDatabaseUrl, max: 2 });
  const known: KnownUser[] = [];
  for (let index = 0; index < KNOWN_USER_COUNT; index++) {
    const email = `fuzz-${label}-${index}@example.com`;
    const created = await sendRaw(users.url, { method: 'POST', path: '/createUser', json: { email } });
    known.push({ userId: (created.json as { user_id: string }).user_id, email });
  }
  // The token holder's wallet is opened the way a user-created event would open it.
  await pool.query('INSERT INTO users (user_id) VALUES ($1::uuid)', [tokenHolderId]);
  for (const user of known) await waitForWallet(users.url, user.email);
  for (const userId of [...known.map((user) => user.userId), tokenHolderId]) {
    await sendRaw(transactions.url, {
      method: 'POST',
      path: '/addMoney',
      json: { user_id: userId, amount: KNOWN_BALANCE_TEXT },
    });
  }
  return {
    usersUrl: users.url,
    transactionsUrl: transactions.url,
    known,
    tokenHolderId,
    pool,
    walletStates: () => readWalletStates(pool),
    async totalBalanceMinor() {
      const { rows } = await pool.query<{ total: string }>(
        'SELECT (coalesce(sum(balance), 0) * 100)::bigint::text AS total FROM users',
      );
      return BigInt(rows[0]?.total ?? '0');
    },
    ledgerViolations: () => findLedgerViolations(pool),
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
    get tokenHolderId() {
      return current().tokenHolderId;
    },
    get pool() {
      return current().pool;
    },
    walletStates: () => current().walletStates(),
    totalBalanceMinor: () => current().totalBalanceMinor(),
    ledgerViolations: () => current().ledgerViolations(),
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

export type RawResponse = {
  status: number;
  contentType: string;
  /** Whether the answer says it was replayed from its Idempotency-Key. */
  replayed: boolean;
  /** The WWW-Authenticate challenge, if any (every 401 must carry one). */
  challenge: string | undefined;
  text: string;
  json: unknown;
};

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
  const replayed = response.headers['idempotency-replayed'] === 'true';
  const challenge = response.headers['www-authenticate'];
  return {
    status: response.statusCode,
    contentType,
    replayed,
    challenge: typeof challenge === 'string' ? challenge : undefined,
    text,
    json: parseJson(text),
  };
}
