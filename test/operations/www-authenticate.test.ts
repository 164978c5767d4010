import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BothServices, call, startBothServices, TEST_OPERATOR_TOKEN } from '../support/index.ts';

const READER_TOKEN = 'www-auth-reader-token-6d2b91f4ae';
const NO_TOKEN_CHALLENGE = 'Bearer';
const REFUSED_TOKEN_CHALLENGE = 'Bearer error="invalid_token"';

/**
 * RFC 6750 §3: a 401 says which scheme to authenticate with, and says the token was refused
 * when one was sent; a request that sent no bearer token gets no error attribute (issue 14, item 8).
 */
describe('WWW-Authenticate on 401 answers of both services (issue 14 item 8)', () => {
  let services: BothServices;
  const protectedRoutes = () => [
    { service: 'user-service', url: services.users.url, path: '/users' },
    { service: 'transactions-service', url: services.transactions.url, path: '/wallets' },
  ];

  beforeAll(async () => {
    services = await startBothServices('www_authenticate', { WALLET_READER_TOKEN: READER_TOKEN });
  });

  afterAll(async () => {
    await services?.stop();
  });

  it.each([
    ['no Authorization header', ''],
    ['another scheme', `Basic ${Buffer.from(`operator:${TEST_OPERATOR_TOKEN}`).toString('base64')}`],
    ['the Bearer scheme without a token', 'Bearer '],
  ])(
    'Given %s, When a protected route is called, Then 401 with WWW-Authenticate: Bearer and no error',
    async (_label, authorization) => {
      for (const route of protectedRoutes()) {
        const response = await call(route.url, 'GET', route.path, { headers: { authorization } });
        expect(response.status, route.service).toBe(401);
        expect(response.json.code, route.service).toBe('UNAUTHORIZED');
        expect(response.headers['www-authenticate'], route.service).toBe(NO_TOKEN_CHALLENGE);
      }
    },
  );

  it.each([
    ['an unknown token', 'Bearer not-a-token-either-service-knows'],
    ['a known token in another case', `Bearer ${TEST_OPERATOR_TOKEN.toUpperCase()}`],
    ['a token too long to be one', `Bearer ${'t'.repeat(600)}`],
    ['a token with a space in it', `Bearer ${TEST_OPERATOR_TOKEN} extra`],
  ])(
    'Given %s, When a protected route is called, Then 401 with WWW-Authenticate: Bearer error="invalid_token"',
    async (_label, authorization) => {
      for (const route of protectedRoutes()) {
        const response = await call(route.url, 'GET', route.path, { headers: { authorization } });
        expect(response.status, route.service).toBe(401);
        expect(response.json.code, route.service).toBe('UNAUTHORIZED');
        expect(response.headers['www-authenticate'], route.service).toBe(REFUSED_TOKEN_CHALLENGE);
      }
    },
  );

  it('Given a valid token, When it is allowed or forbidden, Then no WWW-Authenticate: only a 401 challenges', async () => {
    for (const route of protectedRoutes()) {
      const allowed = await call(route.url, 'GET', route.path, {
        headers: { authorization: `Bearer ${READER_TOKEN}` },
      });
      expect(allowed.status, route.service).toBe(200);
      expect(allowed.headers['www-authenticate'], route.service).toBeUndefined();
    }
    const forbidden = await call(services.transactions.url, 'POST', '/addMoney', {
      json: { user_id: '00000000-0000-4000-8000-000000000000', amount: '1.00' },
      headers: { authorization: `Bearer ${READER_TOKEN}` },
    });
    expect(forbidden.status).toBe(403);
    expect(forbidden.headers['www-authenticate']).toBeUndefined();
  });

  it('Given no token, When a public route is called, Then it answers without a challenge', async () => {
    for (const route of protectedRoutes()) {
      const response = await call(route.url, 'GET', '/healthz', { headers: { authorization: '' } });
      expect(response.status, route.service).toBe(200);
      expect(response.headers['www-authenticate'], route.service).toBeUndefined();
    }
  });
});
