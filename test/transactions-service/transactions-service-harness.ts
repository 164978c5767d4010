import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { request } from 'undici';
import { TOPICS, topicName } from '../../services/shared/src/contracts/events.ts';
import {
  createKafka,
  type EventProducer,
  type IncomingEvent,
} from '../../services/shared/src/messaging/kafka.ts';
import { loadTransactionsConfig } from '../../services/transactions-service/src/config.ts';
import {
  type RunningTransactionsService,
  startTransactionsService,
  type TransactionsServiceOptions,
} from '../../services/transactions-service/src/service.ts';
import { getStack } from '../support/index.ts';
import { TEST_AUTH_HEADERS, TEST_OPERATOR_TOKEN } from '../user-service/user-service-harness.ts';

export const WAIT_TIMEOUT_MS = 20_000;
const WAIT_POLL_MS = 50;
const HTTP_TIMEOUT_MS = 15_000;

/** The env of one replica on PORT 0, on the given database and namespace, quiet logs, the test operator token. */
export function transactionsServiceEnv(
  databaseUrl: string,
  namespace: string,
  overrides: Record<string, string> = {},
): Record<string, string> {
  const stack = getStack();
  return {
    DATABASE_URL: databaseUrl,
    NATS_URL: stack.nats.url,
    KAFKA_BROKERS: stack.kafka.brokers.join(','),
    WALLET_NAMESPACE: namespace,
    PORT: '0',
    LOG_LEVEL: 'silent',
    WALLET_OPERATOR_TOKEN: TEST_OPERATOR_TOKEN,
    ...overrides,
  };
}

export async function startTestTransactionsService(
  databaseUrl: string,
  namespace: string,
  overrides: Record<string, string> = {},
  options: TransactionsServiceOptions = {},
): Promise<RunningTransactionsService> {
  const config = loadTransactionsConfig(transactionsServiceEnv(databaseUrl, namespace, overrides));
  return startTransactionsService(config, options);
}

export type HttpResult = {
  status: number;
  headers: Record<string, string>;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: tests read response bodies freely
  json: any;
};

/**
 * A real HTTP call; `json` is sent as application/json, `body` as given. It carries the test
 * operator token unless `headers` has its own Authorization.
 */
export async function call(
  baseUrl: string,
  method: 'GET' | 'POST',
  path: string,
  options: { json?: unknown; body?: string; headers?: Record<string, string> } = {},
): Promise<HttpResult> {
  const headers: Record<string, string> = { ...TEST_AUTH_HEADERS, ...options.headers };
  let body = options.body;
  if (options.json !== undefined) {
    headers['content-type'] ??= 'application/json';
    body = JSON.stringify(options.json);
  }
  const response = await request(`${baseUrl}${path}`, {
    method,
    headers,
    body,
    headersTimeout: HTTP_TIMEOUT_MS,
    bodyTimeout: HTTP_TIMEOUT_MS,
  });
  const text = await response.body.text();
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(response.headers)) {
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.statusCode, headers: flat, text, json };
}

/** Polls until `probe` returns something other than undefined, or fails naming what it waited for. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = WAIT_TIMEOUT_MS,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(WAIT_POLL_MS);
  }
}

export function openPool(databaseUrl: string): pg.Pool {
  return new pg.Pool({ connectionString: databaseUrl, max: 3 });
}

/** Opens wallets straight in the database, for tests that are not about the consumer. */
export async function openWalletsDirectly(pool: pg.Pool, count: number): Promise<string[]> {
  const userIds = Array.from({ length: count }, () => randomUUID());
  await pool.query('INSERT INTO users (user_id) SELECT unnest($1::uuid[])', [userIds]);
  return userIds;
}

export async function balanceText(pool: pg.Pool, userId: string): Promise<string | undefined> {
  const { rows } = await pool.query<{ balance: string }>(
    'SELECT balance::text FROM users WHERE user_id = $1',
    [userId],
  );
  return rows[0]?.balance;
}

export async function countRows(pool: pg.Pool, sql: string, values: unknown[] = []): Promise<number> {
  const { rows } = await pool.query<{ count: string }>(sql, values);
  return Number(rows[0]?.count);
}

export async function createTestProducer(): Promise<EventProducer> {
  return createKafka({ brokers: getStack().kafka.brokers, clientId: 'transactions-test' }).createProducer();
}

export function userCreatedTopic(namespace: string): string {
  return topicName(namespace, TOPICS.userCreated);
}

/** Reads a topic from the beginning in its own consumer group and keeps what arrives. */
export async function collectTopic(
  topic: string,
): Promise<{ events: IncomingEvent[]; stop(): Promise<void> }> {
  const kafka = createKafka({ brokers: getStack().kafka.brokers, clientId: 'transactions-test-reader' });
  const consumer = kafka.createConsumer({ groupId: `test-reader-${randomUUID()}` });
  const events: IncomingEvent[] = [];
  await consumer.start({
    topics: [topic],
    fromBeginning: true,
    handle: async (event) => {
      events.push(event);
    },
  });
  return { events, stop: () => consumer.disconnect() };
}
