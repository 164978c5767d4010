import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  amountLike,
  anyJson,
  encodeQuery,
  headerValue,
  objectWith,
  oddString,
  queryValue,
  rawBodyCases,
  userIdLike,
} from './arbitraries.ts';
import { type RawRequest, sendRaw, useFuzzTarget } from './fuzz-target.ts';
import { expectWellFormed } from './response-rules.ts';
import { tallyStatuses } from './status-tally.ts';

// Modest run counts: each run is a real HTTP round trip and a balance read; the file stays
// well under a minute on two cores.
const RUNS_PER_PROPERTY = 60;
const FUZZ_TEST_TIMEOUT_MS = 60_000;

describe('transactions-service under fuzzed input', () => {
  const target = useFuzzTarget('fuzz_money');
  let knownIds: string[];

  beforeAll(async () => {
    knownIds = target.known.map((user) => user.userId);
  });

  const statuses = tallyStatuses();

  /** Sends, checks the answer's form, and that a refused request moved no money. */
  async function sendAndJudge(raw: RawRequest): Promise<void> {
    const before = await target.balances();
    const response = await sendRaw(target.transactionsUrl, raw);
    statuses.record(response.status);
    expectWellFormed(raw, response);
    if (response.status !== 200) {
      expect(await target.balances(), `${raw.path} ${response.status} changed a balance`).toEqual(before);
    }
  }

  const idempotencyHeaders = fc.record(
    { 'idempotency-key': headerValue, 'x-request-id': headerValue },
    { requiredKeys: [] },
  );

  it(
    'POST /addMoney: any body and headers get a well-formed answer, and a refusal moves nothing',
    async () => {
      const body = fc.oneof(objectWith({ user_id: userIdLike(knownIds), amount: amountLike }), anyJson);
      await fc.assert(
        fc.asyncProperty(body, idempotencyHeaders, async (json, headers) => {
          await sendAndJudge({ method: 'POST', path: '/addMoney', json, headers });
        }),
        { numRuns: RUNS_PER_PROPERTY },
      );
      statuses.expectValidationReached();
    },
    FUZZ_TEST_TIMEOUT_MS,
  );

  it(
    'POST /transferMoney: any body and headers get a well-formed answer, and a refusal moves nothing',
    async () => {
      const body = fc.oneof(
        objectWith({
          from_user_id: userIdLike(knownIds),
          to_user_id: userIdLike(knownIds),
          amount: amountLike,
          amount_to_transfer: amountLike,
        }),
        anyJson,
      );
      await fc.assert(
        fc.asyncProperty(body, idempotencyHeaders, async (json, headers) => {
          await sendAndJudge({ method: 'POST', path: '/transferMoney', json, headers });
        }),
        { numRuns: RUNS_PER_PROPERTY },
      );
      statuses.expectValidationReached();
    },
    FUZZ_TEST_TIMEOUT_MS,
  );

  it(
    'GET /transactions and /wallets: odd query strings get a well-formed answer',
    async () => {
      const path = fc.oneof(
        fc
          .tuple(fc.oneof(userIdLike(knownIds).map(encodeQuery), queryValue), queryValue, queryValue)
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
      await fc.assert(
        fc.asyncProperty(path, async (query) => {
          await sendAndJudge({ method: 'GET', path: query });
        }),
        { numRuns: RUNS_PER_PROPERTY },
      );
      statuses.expectValidationReached();
    },
    FUZZ_TEST_TIMEOUT_MS,
  );

  it.each(rawBodyCases)(
    'POST /addMoney and /transferMoney with $label',
    async ({ body, contentType, expectStatus }) => {
      for (const path of ['/addMoney', '/transferMoney']) {
        const headers: Record<string, string> = contentType ? { 'content-type': contentType } : {};
        const raw: RawRequest = { method: 'POST', path, body, headers };
        const before = await target.balances();
        const response = await sendRaw(target.transactionsUrl, raw);
        expectWellFormed(raw, response);
        expect(response.status, response.text.slice(0, 200)).toBeGreaterThanOrEqual(400);
        if (expectStatus) expect(response.status).toBe(expectStatus);
        expect(await target.balances()).toEqual(before);
      }
    },
  );

  it('unknown routes and methods answer problem+json', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('GET', 'PUT', 'DELETE', 'PATCH', 'POST') as fc.Arbitrary<RawRequest['method']>,
        fc.oneof(
          oddString.map((text) => `/${encodeQuery(text)}`),
          fc.constantFrom('/addMoney', '/transferMoney', '/wallets'),
        ),
        async (method, path) => {
          const raw: RawRequest = { method, path };
          expectWellFormed(raw, await sendRaw(target.transactionsUrl, raw));
        },
      ),
      { numRuns: RUNS_PER_PROPERTY },
    );
  });
});
