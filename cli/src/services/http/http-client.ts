import { randomUUID } from 'node:crypto';
import { Agent, request } from 'undici';
import type { z } from 'zod';
import { CliError } from '../../cli-error.ts';
import { errorFor } from '../../error-advice.ts';
import { describeNetworkError, isTimeoutError } from './network-errors.ts';
import { readProblem } from './problem-response.ts';
import { backoffDelayMs, DEFAULT_RETRY_POLICY, type RetryPolicy, retryAfterMs } from './retry-policy.ts';
import type { ServiceName } from './service-name.ts';

export const CONNECT_TIMEOUT_MS = 3_000;
export const HEADERS_TIMEOUT_MS = 10_000;
export const BODY_TIMEOUT_MS = 10_000;
export const KEEP_ALIVE_TIMEOUT_MS = 10_000;
export const CONNECTIONS_PER_ORIGIN_MAX = 8;

export type ApiRequest = {
  service: ServiceName;
  baseUrl: string;
  path: string;
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  /** Default: retry network failures and 503s. `NO_RETRY` when the caller polls by itself. */
  retry?: RetryPolicy;
} & (
  | { method: 'GET'; idempotencyKey?: never }
  /**
   * Every POST changes something, and is retried: it must carry an Idempotency-Key, chosen once
   * per user action and sent again by every retry, so a retry (after a lost answer, a 503
   * OUTCOME_UNKNOWN) is done at most once. Required by the type, not left to each caller.
   */
  | { method: 'POST'; idempotencyKey: string }
);

export type ApiResponse<T> = { status: number; body: T; replayed: boolean };

/** A 2xx answer whose body is read as it arrives (a CSV statement), not parsed as JSON. */
export type ApiStream = { status: number; headers: Record<string, string>; body: AsyncIterable<Buffer> };

export type HttpClient = {
  send<S extends z.ZodType>(apiRequest: ApiRequest, schema: S): Promise<ApiResponse<z.output<S>>>;
  /** Like send, but the body is left to the caller; retries happen only before a 2xx answer starts. */
  stream(apiRequest: ApiRequest, accept: string): Promise<ApiStream>;
  close(): Promise<void>;
};

export type HttpClientOptions = {
  token?: string;
  userAgent: string;
  /** Called with one line per attempt when --verbose. */
  trace?: (line: string) => void;
  sleep?: (ms: number) => Promise<void>;
};

type Attempt<T = ApiResponse<unknown>> =
  | { kind: 'done'; response: T }
  | { kind: 'retry'; error: CliError; waitMs?: number };

/**
 * One keep-alive connection pool for the whole command, with connect/headers/body timeouts.
 * Failures become CliErrors carrying the server's code; network failures and 503s are retried
 * a bounded number of times with backoff, and always with the same Idempotency-Key.
 */
export function createHttpClient(options: HttpClientOptions): HttpClient {
  const agent = new Agent({
    connect: { timeout: CONNECT_TIMEOUT_MS },
    headersTimeout: HEADERS_TIMEOUT_MS,
    bodyTimeout: BODY_TIMEOUT_MS,
    keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
    connections: CONNECTIONS_PER_ORIGIN_MAX,
  });
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((done) => setTimeout(done, ms)));
  const trace = options.trace ?? (() => {});

  type RawResponse = Awaited<ReturnType<typeof request>>;

  /** One request; a network failure is a retry, an answer is handed back whatever its status. */
  async function requestOnce(
    apiRequest: ApiRequest,
    url: URL,
    requestId: string,
    accept: string,
  ): Promise<Attempt<RawResponse>> {
    const headers: Record<string, string> = {
      accept,
      'user-agent': options.userAgent,
      'x-request-id': requestId,
    };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (apiRequest.idempotencyKey) headers['idempotency-key'] = apiRequest.idempotencyKey;
    if (apiRequest.body !== undefined) headers['content-type'] = 'application/json';
    try {
      const response = await request(url, {
        method: apiRequest.method,
        headers,
        body: apiRequest.body === undefined ? undefined : JSON.stringify(apiRequest.body),
        dispatcher: agent,
      });
      return { kind: 'done', response };
    } catch (error) {
      const code = isTimeoutError(error) ? 'SERVICE_TIMEOUT' : 'SERVICE_UNREACHABLE';
      const message = `${apiRequest.service} at ${apiRequest.baseUrl} ${describeNetworkError(error)}`;
      return { kind: 'retry', error: errorFor(code, message) };
    }
  }

  /** A non-2xx answer: a 503 is retried, anything else thrown as the server's problem. */
  async function refusal(
    apiRequest: ApiRequest,
    response: RawResponse,
    requestId: string,
  ): Promise<Attempt<never>> {
    const text = await response.body.text();
    const error = readProblem(apiRequest.service, response.statusCode, text, requestId);
    if (response.statusCode !== 503) throw error;
    return { kind: 'retry', error, waitMs: retryAfterMs(response.headers['retry-after']) };
  }

  async function attemptOnce(apiRequest: ApiRequest, url: URL, requestId: string): Promise<Attempt> {
    const sent = await requestOnce(apiRequest, url, requestId, 'application/json, application/problem+json');
    if (sent.kind === 'retry') return sent;
    const response = sent.response;
    trace(`${apiRequest.method} ${url.pathname}${url.search} → ${response.statusCode}`);
    if (response.statusCode < 200 || response.statusCode >= 300)
      return refusal(apiRequest, response, requestId);
    const text = await response.body.text();
    const replayed = String(response.headers['idempotency-replayed'] ?? '').toLowerCase() === 'true';
    return { kind: 'done', response: { status: response.statusCode, body: parseJson(text), replayed } };
  }

  async function streamOnce(
    apiRequest: ApiRequest,
    url: URL,
    requestId: string,
    accept: string,
  ): Promise<Attempt<ApiStream>> {
    const sent = await requestOnce(apiRequest, url, requestId, `${accept}, application/problem+json`);
    if (sent.kind === 'retry') return sent;
    const response = sent.response;
    trace(`${apiRequest.method} ${url.pathname}${url.search} → ${response.statusCode} (streamed)`);
    if (response.statusCode < 200 || response.statusCode >= 300)
      return refusal(apiRequest, response, requestId);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(response.headers)) {
      if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
    }
    return { kind: 'done', response: { status: response.statusCode, headers, body: response.body } };
  }

  /** Retries network failures and 503s a bounded number of times, with backoff. */
  async function withRetries<T>(
    apiRequest: ApiRequest,
    attempt: (url: URL, requestId: string) => Promise<Attempt<T>>,
  ): Promise<T> {
    const url = buildUrl(apiRequest);
    const policy = apiRequest.retry ?? DEFAULT_RETRY_POLICY;
    for (let attemptNumber = 1; ; attemptNumber += 1) {
      const outcome = await attempt(url, randomUUID());
      if (outcome.kind === 'done') return outcome.response;
      if (attemptNumber >= policy.attemptsMax) throw withKeyToRetry(outcome.error, apiRequest);
      const waitMs = outcome.waitMs ?? backoffDelayMs(policy, attemptNumber);
      trace(
        `${outcome.error.code}: retrying in ${waitMs} ms (attempt ${attemptNumber + 1} of ${policy.attemptsMax})`,
      );
      await sleep(waitMs);
    }
  }

  return {
    async send(apiRequest, schema) {
      const response = await withRetries(apiRequest, (url, requestId) =>
        attemptOnce(apiRequest, url, requestId),
      );
      return { ...response, body: validate(apiRequest, schema, response.body) };
    },
    stream(apiRequest, accept) {
      return withRetries(apiRequest, (url, requestId) => streamOnce(apiRequest, url, requestId, accept));
    },
    close: () => agent.close(),
  };
}

/**
 * After OUTCOME_UNKNOWN the change may have happened; only the same key makes another try safe,
 * and the person cannot know a key the CLI generated: the hint names it.
 */
function withKeyToRetry(error: CliError, apiRequest: ApiRequest): CliError {
  if (error.code !== 'OUTCOME_UNKNOWN' || !apiRequest.idempotencyKey) return error;
  return new CliError({
    code: error.code,
    message: error.message,
    exitCode: error.exitCode,
    hint: `it may have happened: run the same command again with --idempotency-key ${apiRequest.idempotencyKey} (safe: done at most once), or check \`wallet history\``,
    ...(error.status === undefined ? {} : { status: error.status }),
    ...(error.requestId === undefined ? {} : { requestId: error.requestId }),
  });
}

function buildUrl(apiRequest: ApiRequest): URL {
  const url = new URL(
    apiRequest.path,
    apiRequest.baseUrl.endsWith('/') ? apiRequest.baseUrl : `${apiRequest.baseUrl}/`,
  );
  for (const [name, value] of Object.entries(apiRequest.query ?? {})) {
    if (value !== undefined) url.searchParams.set(name, String(value));
  }
  return url;
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function validate<S extends z.ZodType>(apiRequest: ApiRequest, schema: S, body: unknown): z.output<S> {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const where = `${apiRequest.method} ${apiRequest.path}`;
  throw errorFor('BAD_RESPONSE', `${apiRequest.service} answered ${where} with an unexpected body`);
}
