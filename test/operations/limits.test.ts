import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PAGE_LIMIT_MAX } from '../../services/shared/src/contracts/common.ts';
import { CONNECT_TIMEOUT_MS, createPool, STATEMENT_TIMEOUT_MS } from '../../services/shared/src/db/pool.ts';
import { BODY_LIMIT_BYTES } from '../../services/shared/src/http/create-http-app.ts';
import { connectNats, requestJson, serveJson } from '../../services/shared/src/messaging/nats.ts';
import {
  type BothServices,
  call,
  getStack,
  type HttpResult,
  startBothServices,
  TEST_OPERATOR_TOKEN,
  uniqueNamespace,
} from '../support/index.ts';

/** Small enough to reach in a burst (the default is 20,000 per second per token); callers without a token get the same here. */
const RATE_LIMIT_PER_SECOND = 5;
const BURST_SIZE = 20;
const READER_TOKEN = 'limits-reader-token-4e8a0c';
const PROBLEM_CONTENT_TYPE = 'application/problem+json';
const RATE_WINDOW_MS = 1_000;

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('limits: body size, rate per caller, page size, timeouts', () => {
  let services: BothServices;

  beforeAll(async () => {
    services = await startBothServices('ops_limits', {
      RATE_LIMIT_PER_SECOND: String(RATE_LIMIT_PER_SECOND),
      WALLET_READER_TOKEN: READER_TOKEN,
    });
  });

  afterAll(async () => {
    await services?.stop();
  });

  /** Waits out the current rate window so each test starts with a full budget. */
  const freshWindow = () => sleep(RATE_WINDOW_MS + 100);

  it('Given a body over 16 KiB, When posted to either service, Then 413 PAYLOAD_TOO_LARGE as problem+json', async () => {
    await freshWindow();
    const oversized = JSON.stringify({ email: `${'x'.repeat(BODY_LIMIT_BYTES)}@example.com` });
    for (const [url, path] of [
      [services.users.url, '/createUser'],
      [services.transactions.url, '/addMoney'],
    ] as const) {
      const response = await call(url, 'POST', path, {
        body: oversized,
        headers: { 'content-type': 'application/json' },
      });
      expect(response.status, path).toBe(413);
      expect(response.headers['content-type'], path).toContain(PROBLEM_CONTENT_TYPE);
      expect(response.json.code, path).toBe('PAYLOAD_TOO_LARGE');
    }
  });

  it('Given a burst from one token, When it passes the limit, Then 429 RATE_LIMITED problem+json with Retry-After; another token and health checks are not held back', async () => {
    // Given
    await freshWindow();
    const url = services.transactions.url;

    // When
    const burst = await Promise.all(
      Array.from({ length: BURST_SIZE }, () =>
        call(url, 'GET', '/wallets', { headers: bearer(TEST_OPERATOR_TOKEN) }),
      ),
    );
    const otherToken = await call(url, 'GET', '/wallets', { headers: bearer(READER_TOKEN) });
    const health = await Promise.all(Array.from({ length: BURST_SIZE }, () => call(url, 'GET', '/healthz')));

    // Then: at most one window's budget (two, if the burst straddles a window edge) got through
    const limited = burst.filter((response) => response.status === 429);
    expect(burst.filter((response) => response.status === 200).length).toBeLessThanOrEqual(
      2 * RATE_LIMIT_PER_SECOND,
    );
    expect(limited.length).toBeGreaterThan(0);
    expect(burst.every((response) => response.status === 200 || response.status === 429)).toBe(true);
    const refused = limited[0] as HttpResult;
    expect(refused.headers['content-type']).toContain(PROBLEM_CONTENT_TYPE);
    expect(refused.json).toMatchObject({ status: 429, code: 'RATE_LIMITED' });
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(otherToken.status).toBe(200);
    expect(health.every((response) => response.status === 200)).toBe(true);

    // Then: it is a window, not a ban
    await freshWindow();
    expect((await call(url, 'GET', '/wallets', { headers: bearer(TEST_OPERATOR_TOKEN) })).status).toBe(200);
  });

  it('Given made-up tokens, When guessed in a burst, Then the guesses are limited by client address too', async () => {
    await freshWindow();
    const guesses = await Promise.all(
      Array.from({ length: BURST_SIZE }, (_, index) =>
        call(services.users.url, 'GET', '/users', { headers: bearer(`guessed-token-number-${index}`) }),
      ),
    );
    const statuses = new Set(guesses.map((response) => response.status));
    expect([...statuses].sort()).toEqual([401, 429]);
  });

  it(`Given limit ${PAGE_LIMIT_MAX + 1}, When listing on either service, Then 400; ${PAGE_LIMIT_MAX} is accepted`, async () => {
    await freshWindow();
    const lists = [
      [services.users.url, '/users'],
      [services.transactions.url, '/wallets'],
      [services.transactions.url, '/transactions?user_id=00000000-0000-4000-8000-000000000000&'],
    ] as const;
    for (const [url, path] of lists) {
      const separator = path.endsWith('&') ? '' : '?';
      const tooMany = await call(url, 'GET', `${path}${separator}limit=${PAGE_LIMIT_MAX + 1}`);
      expect(tooMany.status, path).toBe(400);
      expect(tooMany.headers['content-type'], path).toContain(PROBLEM_CONTENT_TYPE);
    }
    expect((await call(services.transactions.url, 'GET', `/wallets?limit=${PAGE_LIMIT_MAX}`)).status).toBe(
      200,
    );
  });

  it('Given the pool the services use, When a session starts, Then statements and connection attempts have timeouts', async () => {
    const pool = createPool({
      connectionString: services.transactionsDatabaseUrl,
      applicationName: 'limits-test',
    });
    try {
      const { rows } = await pool.query<{ statement_timeout: string }>('SHOW statement_timeout');
      expect(rows[0]?.statement_timeout).toBe(`${STATEMENT_TIMEOUT_MS / 1000}s`);
      expect(pool.options.connectionTimeoutMillis).toBe(CONNECT_TIMEOUT_MS);
      expect(pool.options.max).toBeGreaterThan(0);
    } finally {
      await pool.end();
    }
  });

  it('Given a NATS responder already working on its maximum, When one more request comes, Then it is answered BUSY at once instead of queueing', async () => {
    // Given a responder that takes at most 2 at once, both held
    const nc = await connectNats({ url: getStack().nats.url, name: 'limits-test' });
    const subject = `${uniqueNamespace()}.limits.echo`;
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    serveJson(
      nc,
      subject,
      'limits-test',
      async (data) => {
        await held;
        return { ok: true, echo: data };
      },
      { inFlightMax: 2, busyReply: { ok: false, code: 'BUSY' } },
    );
    await nc.flush();
    try {
      const first = requestJson(nc, subject, 1);
      const second = requestJson(nc, subject, 2);
      await sleep(100);

      // When
      const third = await requestJson(nc, subject, 3);

      // Then
      expect(third).toEqual({ ok: false, code: 'BUSY' });
      release();
      expect(await Promise.all([first, second])).toEqual([
        { ok: true, echo: 1 },
        { ok: true, echo: 2 },
      ]);
      expect(await requestJson(nc, subject, 4)).toEqual({ ok: true, echo: 4 });
    } finally {
      release();
      await nc.drain();
    }
  });
});
