import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  amountLike,
  anyJson,
  encodeQuery,
  idempotencyHeaders,
  objectWith,
  queryValue,
  rawBodyCases,
  userIdLike,
} from './arbitraries.ts';
import {
  FUZZ_TEST_TIMEOUT_MS,
  itAnswersUnknownRoutes,
  itKeepsTheMoneyInvariants,
  useFuzzSuite,
} from './fuzz-suite.ts';
import { type RawRequest, sendRaw } from './fuzz-target.ts';
import { expectWellFormed } from './response-rules.ts';

describe('transactions-service under fuzzed input', () => {
  // A refused request (any status but 200) must not move money.
  const suite = useFuzzSuite({
    label: 'fuzz_money',
    service: 'transactions',
    moneyMayMove: (status) => status === 200,
  });

  it(
    'POST /addMoney: any body and headers get a well-formed answer, and a refusal moves nothing',
    async () => {
      const body = fc.oneof(
        objectWith({ user_id: userIdLike(suite.knownIds()), amount: amountLike }),
        anyJson,
      );
      await suite.assertReachesValidation(
        fc.asyncProperty(body, idempotencyHeaders, async (json, headers) => {
          await suite.sendAndJudge({ method: 'POST', path: '/addMoney', json, headers });
        }),
      );
    },
    FUZZ_TEST_TIMEOUT_MS,
  );

  it(
    'POST /transferMoney: any body and headers get a well-formed answer, and a refusal moves nothing',
    async () => {
      const body = fc.oneof(
        objectWith({
          from_user_id: userIdLike(suite.knownIds()),
          to_user_id: userIdLike(suite.knownIds()),
          amount: amountLike,
          amount_to_transfer: amountLike,
        }),
        anyJson,
      );
      await suite.assertReachesValidation(
        fc.asyncProperty(body, idempotencyHeaders, async (json, headers) => {
          await suite.sendAndJudge({ method: 'POST', path: '/transferMoney', json, headers });
        }),
      );
    },
    FUZZ_TEST_TIMEOUT_MS,
  );

  it(
    'GET /transactions and /wallets: odd query strings get a well-formed answer',
    async () => {
      const path = fc.oneof(
        fc
          .tuple(fc.oneof(userIdLike(suite.knownIds()).map(encodeQuery), queryValue), queryValue, queryValue)
          .map(
            ([userId, limit, cursor]) => `/transactions?user_id=${userId}&limit=${limit}&cursor=${cursor}`,
          ),
        fc.tuple(queryValue, queryValue).map(([limit, cursor]) => `/wallets?limit=${limit}&cursor=${cursor}`),
        fc.constantFrom(
          '/transactions',
          '/transactions?user_id=',
          '/transactions?user_id[]=x',
          `/transactions?user_id=a&user_id=b`,
          '/wallets?limit=0',
          '/wallets?limit=501',
          '/wallets?cursor=%ZZ',
          `/wallets?${'a=1&'.repeat(2_000)}`,
        ),
      );
      await suite.assertReachesValidation(
        fc.asyncProperty(path, async (query) => {
          await suite.sendAndJudge({ method: 'GET', path: query });
        }),
      );
    },
    FUZZ_TEST_TIMEOUT_MS,
  );

  it.each(rawBodyCases)(
    'POST /addMoney and /transferMoney with $label',
    async ({ body, contentType, expectStatus }) => {
      for (const path of ['/addMoney', '/transferMoney']) {
        const headers: Record<string, string> = contentType ? { 'content-type': contentType } : {};
        const raw: RawRequest = { method: 'POST', path, body, headers };
        const before = await suite.target.walletStates();
        const response = await sendRaw(suite.url(), raw);
        expectWellFormed(raw, response);
        expect(response.status, response.text.slice(0, 200)).toBeGreaterThanOrEqual(400);
        if (expectStatus) expect(response.status).toBe(expectStatus);
        expect(await suite.target.walletStates()).toEqual(before);
      }
    },
  );

  itAnswersUnknownRoutes(suite, ['/addMoney', '/transferMoney', '/wallets']);

  itKeepsTheMoneyInvariants(suite);
});
