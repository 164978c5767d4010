import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  amountLike,
  anyJson,
  cursorLike,
  encodeQuery,
  forgedCursor,
  idempotencyHeaders,
  objectWith,
  queryValue,
  rawBodyCases,
  userIdLike,
} from './arbitraries.ts';
import { expectPageOrInvalidCursor, FORGED_CURSOR_RUNS } from './cursor-rules.ts';
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
    'GET /transactions, /wallets and /wallets/{user_id}/statement: odd query strings and forged cursors get a well-formed answer',
    async () => {
      const statement = statementPeriodAroundNow();
      const path = fc.oneof(
        fc
          .tuple(
            fc.oneof(userIdLike(suite.knownIds()).map(encodeQuery), queryValue),
            queryValue,
            cursorLike('history'),
          )
          .map(
            ([userId, limit, cursor]) => `/transactions?user_id=${userId}&limit=${limit}&cursor=${cursor}`,
          ),
        fc
          .tuple(queryValue, cursorLike('wallets'))
          .map(([limit, cursor]) => `/wallets?limit=${limit}&cursor=${cursor}`),
        fc
          .tuple(
            fc.constantFrom(...suite.knownIds()),
            queryValue,
            cursorLike('statement', { statementPeriodsMicros: [statement.micros] }),
          )
          .map(
            ([userId, limit, cursor]) =>
              `/wallets/${userId}/statement?${statement.query}&limit=${limit}&cursor=${cursor}`,
          ),
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

  it(
    'GET every money listing with a forged cursor: 200, or 400 INVALID_CURSOR before the cursor reaches SQL',
    async () => {
      const statement = statementPeriodAroundNow();
      const forged = fc.record({
        userId: fc.constantFrom(...suite.knownIds()),
        history: forgedCursor('history'),
        wallets: forgedCursor('wallets'),
        statement: forgedCursor('statement', { statementPeriodsMicros: [statement.micros] }),
      });
      await fc.assert(
        fc.asyncProperty(forged, async (cursors) => {
          for (const path of [
            `/transactions?user_id=${cursors.userId}&cursor=${cursors.history}`,
            `/holds?user_id=${cursors.userId}&cursor=${cursors.history}`,
            `/wallets?cursor=${cursors.wallets}`,
            `/wallets/${cursors.userId}/statement?${statement.query}&cursor=${cursors.statement}`,
          ]) {
            const response = await suite.sendAndJudge({ method: 'GET', path }, { readOnly: true });
            expectPageOrInvalidCursor(path, response);
          }
        }),
        { numRuns: FORGED_CURSOR_RUNS },
      );
    },
    FUZZ_TEST_TIMEOUT_MS,
  );

  itAnswersUnknownRoutes(suite, ['/addMoney', '/transferMoney', '/wallets']);

  itKeepsTheMoneyInvariants(suite);
});

const DAY_MS = 86_400_000;

/** The last thirty days and the next one, so the fuzz run's own rows are in the statement. */
function statementPeriodAroundNow(): { query: string; micros: readonly [bigint, bigint] } {
  const toMs = Math.ceil(Date.now() / DAY_MS) * DAY_MS + DAY_MS;
  const fromMs = toMs - 31 * DAY_MS;
  const query = `from=${new Date(fromMs).toISOString()}&to=${new Date(toMs).toISOString()}`;
  return { query, micros: [BigInt(fromMs) * 1000n, BigInt(toMs) * 1000n] };
}
