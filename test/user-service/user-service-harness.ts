import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { request } from 'undici';
import { createKafka, type IncomingEvent } from '../../services/shared/src/messaging/kafka.ts';
import { loadUserConfig } from '../../services/user-service/src/config.ts';
import {
  type RunningUserService,
  startUserService,
  type UserServiceOptions,
} from '../../services/user-service/src/service.ts';
import { getStack } from '../support/index.ts';

export const WAIT_TIMEOUT_MS_DEFAULT = 20_000;
const WAIT_POLL_MS = 50;

/**
 * The services under test run with authentication on, as in production, with this operator
 * token; `call` sends it unless a test sets its own Authorization header.
 */
export const TEST_OPERATOR_TOKEN = 'test-operator-token-0123456789abcdef';
export const TEST_AUTH_HEADERS = { authorization: `Bearer ${TEST_OPERATOR_TOKEN}` };

/** The service env for this run's stack: its own database and namespace, PORT 0, quiet logs. */
export function userServiceEnv(
  databaseUrl: string,
  namespace: string,
  overrides: Record<string, string> = {},
): Record<string, string> {
  const stack = getStack();
  return {
    HOST: '127.0.0.1',
    PORT: '0',
    DATABASE_URL: databaseUrl,
    DATABASE_POOL_SIZE: '10',
    KAFKA_BROKERS: stack.kafka.brokers.join(','),
    NATS_URL: stack.nats.url,
    WALLET_NAMESPACE: namespace,
    LOG_LEVEL: 'silent',
    WALLET_OPERATOR_TOKEN: TEST_OPERATOR_TOKEN,
    ...overrides,
  };
}

export async function startTestUserService(
  databaseUrl: string,
  namespace: string,
  overrides: Record<string, string> = {},
  options: UserServiceOptions = {},
): Promise<RunningUserService> {
  return startUserService(loadUserConfig(userServiceEnv(databaseUrl, namespace, overrides)), options);
}

// biome-ignore lint/suspicious/noExplicitAny: tests read response fields freely; the assertions check them.
export type HttpResult = { status: number; headers: Record<string, string>; text: string; json: any };

/**
 * A real HTTP call (undici allows a JSON body on GET, as the original getBalance clients send),
 * with the test operator token unless `headers` has its own Authorization.
 */
export async function call(
  baseUrl: string,
  method: 'GET' | 'POST',
  path: string,
  options: { json?: unknown; rawBody?: string; headers?: Record<string, string> } = {},
): Promise<HttpResult> {
  const headers: Record<string, string> = { ...TEST_AUTH_HEADERS, ...options.headers };
  let body: string | undefined = options.rawBody;
  if (options.json !== undefined) {
    body = JSON.stringify(options.json);
    headers['content-type'] = 'application/json';
  }
  const response = await request(`${baseUrl}${path}`, { method, headers, body });
  const text = await response.body.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const flatHeaders: Record<string, string> = {};
  for (const [name, value] of Object.entries(response.headers)) {
    if (typeof value === 'string') flatHeaders[name] = value;
  }
  return { status: response.statusCode, headers: flatHeaders, text, json };
}

/** Polls until `check` returns a value (not undefined) or the time is up. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs = WAIT_TIMEOUT_MS_DEFAULT,
): Promise<T> {
  const deadlineMs = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadlineMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, WAIT_POLL_MS));
  }
}

/** Reads a topic from the beginning in a fresh consumer group and keeps every record. */
export async function collectTopic(
  topic: string,
): Promise<{ events: IncomingEvent[]; stop(): Promise<void> }> {
  const kafka = createKafka({ brokers: getStack().kafka.brokers, clientId: 'user-service-test' });
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

/** A plain client for asserting on what the service stored. */
export async function withDatabase<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
