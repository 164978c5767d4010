import { describe, expect, it } from 'vitest';
import { commonEnvSchema, RATE_LIMIT_PER_SECOND_DEFAULT } from '../../services/shared/src/config.ts';
import {
  RATE_LIMIT_WITHOUT_TOKEN_PER_SECOND_MAX,
  registerAccessControl,
} from '../../services/shared/src/http/access-control.ts';
import { createHttpApp, type HttpApp } from '../../services/shared/src/http/create-http-app.ts';

const OPERATOR_TOKEN = 'rate-limit-default-operator-token';
/** Twice the no-token limit: a token's budget is far larger. */
const BURST = 2 * RATE_LIMIT_WITHOUT_TOKEN_PER_SECOND_MAX;
/** Guesses sent at most while waiting for the first 429 (a window opens at a caller's first request). */
const GUESSES_MAX = 10 * RATE_LIMIT_WITHOUT_TOKEN_PER_SECOND_MAX;

async function appWithDefaultLimit(): Promise<HttpApp> {
  const config = commonEnvSchema.parse({
    DATABASE_URL: 'postgres://wallet@localhost/wallet',
    KAFKA_BROKERS: 'localhost:9092',
    NATS_URL: 'nats://localhost:4222',
    WALLET_OPERATOR_TOKEN: OPERATOR_TOKEN,
  });
  const app = await createHttpApp({
    name: 'rate-limit-test',
    version: '0',
    description: 'x',
    logLevel: 'silent',
  });
  await registerAccessControl(app, config);
  app.get('/thing', { config: { access: 'read' } }, async () => ({ ok: true }));
  await app.ready();
  return app;
}

/** Sends `count` requests, 100 at a time, or stops at the first 429 when `untilRefused`. */
async function burst(app: HttpApp, authorization: string, count: number, untilRefused = false) {
  const statuses = new Map<number, number>();
  for (let sent = 0; sent < count && !(untilRefused && statuses.has(429)); sent += 100) {
    const responses = await Promise.all(
      Array.from({ length: 100 }, () =>
        app.inject({ method: 'GET', url: '/thing', headers: { authorization } }),
      ),
    );
    for (const { statusCode } of responses) statuses.set(statusCode, (statuses.get(statusCode) ?? 0) + 1);
  }
  return statuses;
}

describe('the default rate limit', () => {
  it('Given no RATE_LIMIT_PER_SECOND, When the config is read, Then a token may send 20,000 requests per second per replica', () => {
    expect(RATE_LIMIT_PER_SECOND_DEFAULT).toBe(20_000);
  });

  it(`Given the default, When one token sends ${BURST} requests at once, Then none is refused; made-up tokens from one address are`, async () => {
    const app = await appWithDefaultLimit();
    try {
      expect(await burst(app, `Bearer ${OPERATOR_TOKEN}`, BURST)).toEqual(new Map([[200, BURST]]));
      const guesses = await burst(app, 'Bearer a-token-nobody-issued-0000', GUESSES_MAX, true);
      expect(guesses.get(429)).toBeGreaterThan(0);
      expect([...guesses.keys()].sort()).toEqual([401, 429]);
    } finally {
      await app.close();
    }
  });
});
