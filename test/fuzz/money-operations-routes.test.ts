import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  amountLike,
  authorizationHeaders,
  cursorLike,
  encodeQuery,
  expiresInSecondsLike,
  holdStatusLike,
  idempotencyHeaders,
  nearlyValidBody,
  optionalBody,
  queryValue,
  rawBodyCases,
  reasonLike,
  smallAmount,
  thingIdLike,
  userIdLike,
} from './arbitraries.ts';
import {
  FUZZ_TEST_TIMEOUT_MS,
  type FuzzSuite,
  itAnswersUnknownRoutes,
  itKeepsTheMoneyInvariants,
  useFuzzSuite,
} from './fuzz-suite.ts';
import { FUZZ_READER_TOKEN, FUZZ_USER_TOKEN, type RawRequest, sendRaw } from './fuzz-target.ts';
import { expectWellFormed } from './response-rules.ts';

/** Holds, transfers and deposits that exist, so fuzzed ids hit real ones as often as not. */
type SeededIds = { holdIds: string[]; transferIds: string[]; depositIds: string[] };

const SEED_AMOUNT_TEXT = '0.50';

/**
 * Given a few fresh pending holds (one the fuzz user token sends, one it receives, one of others,
 * one about to expire) and a transfer between each pair of known users, all ids that exist now.
 */
async function seedMoneyOperations(suite: FuzzSuite): Promise<SeededIds> {
  const [first, second, third] = suite.knownIds() as [string, string, string];
  const holder = suite.target.tokenHolderId;
  const holds: [string, string, number][] = [
    [holder, first, 900],
    [second, holder, 900],
    [first, second, 900],
    [third, first, 1],
  ];
  for (const [from, to, expiresInSeconds] of holds) {
    const body = {
      from_user_id: from,
      to_user_id: to,
      amount: SEED_AMOUNT_TEXT,
      expires_in_seconds: expiresInSeconds,
    };
    const response = await suite.send({ method: 'POST', path: '/holds', json: body });
    expect(response.status, response.text).toBe(201);
  }
  for (const [from, to] of [
    [first, second],
    [second, third],
    [third, holder],
  ]) {
    const body = { from_user_id: from, to_user_id: to, amount: SEED_AMOUNT_TEXT };
    const response = await suite.send({ method: 'POST', path: '/transferMoney', json: body });
    expect(response.status, response.text).toBe(200);
  }
  const ids = async (sql: string) =>
    (await suite.target.pool.query<{ id: string }>(sql)).rows.map((row) => row.id);
  return {
    holdIds: await ids('SELECT hold_id::text AS id FROM holds'),
    transferIds: await ids("SELECT transfer_id::text AS id FROM transactions WHERE kind = 'transfer_in'"),
    depositIds: await ids("SELECT id::text FROM transactions WHERE kind = 'deposit'"),
  };
}

describe('transactions-service money operations (withdraw, holds, reversals, wallet status) under fuzzed input', () => {
  // A refused request (anything but 200, or 201 for a new hold) must change no wallet.
  const suite = useFuzzSuite({
    label: 'fuzz_money_ops',
    service: 'transactions',
    moneyMayMove: (status) => status === 200 || status === 201,
  });
  const tokens = { reader: FUZZ_READER_TOKEN, user: FUZZ_USER_TOKEN };
  const headers = fc
    .tuple(idempotencyHeaders, authorizationHeaders(tokens))
    .map(([idempotency, authorization]) => ({ ...idempotency, ...authorization }));
  /** The known users and the wallet the fuzz user token owns. */
  const walletIds = () => [...suite.knownIds(), suite.target.tokenHolderId];

  it(
    'POST /withdrawMoney: any body, key and token get a well-formed answer, and a refusal moves nothing',
    async () => {
      const body = nearlyValidBody(
        { user_id: fc.constantFrom(...walletIds()), amount: smallAmount },
        { user_id: userIdLike(walletIds()), amount: amountLike },
      );
      await suite.assertReachesValidation(
        fc.asyncProperty(body, headers, async (json, extra) => {
          await suite.sendAndJudge({ method: 'POST', path: '/withdrawMoney', json, headers: extra });
        }),
      );
    },
    FUZZ_TEST_TIMEOUT_MS,
  );

  it(
    'POST /holds: any body, expiry, key and token get a well-formed answer, and a refusal reserves nothing',
    async () => {
      const body = nearlyValidBody(
        {
          from_user_id: fc.constantFrom(...walletIds()),
          to_user_id: fc.constantFrom(...walletIds()),
          amount: smallAmount,
          expires_in_seconds: fc.option(fc.integer({ min: 1, max: 5 }), { nil: undefined }),
        },
        {
          from_user_id: userIdLike(walletIds()),
          to_user_id: userIdLike(walletIds()),
          amount: amountLike,
          expires_in_seconds: expiresInSecondsLike,
        },
      );
      await suite.assertReachesValidation(
        fc.asyncProperty(body, headers, async (json, extra) => {
          await suite.sendAndJudge({ method: 'POST', path: '/holds', json, headers: extra });
        }),
      );
    },
    FUZZ_TEST_TIMEOUT_MS,
  );

  it(
    'POST /holds/{hold_id}/capture and /void: any hold id, body, key and token, in any order, get a well-formed answer',
    async () => {
      const { holdIds } = await seedMoneyOperations(suite);
      const request = fc.oneof(
        fc
          .tuple(
            thingIdLike(holdIds),
            fc.oneof(fc.record({ amount: smallAmount }), optionalBody({ amount: amountLike })),
          )
          .map(([id, json]) => ({ path: `/holds/${encodeQuery(id)}/capture`, json })),
        fc
          .tuple(thingIdLike(holdIds), optionalBody({}))
          .map(([id, json]) => ({ path: `/holds/${encodeQuery(id)}/void`, json })),
      );
      await suite.assertReachesValidation(
        fc.asyncProperty(request, headers, async ({ path, json }, extra) => {
          await suite.sendAndJudge({ method: 'POST', path, json, headers: extra });
        }),
      );
    },
    FUZZ_TEST_TIMEOUT_MS,
  );

  it(
    'GET /holds/{hold_id} and GET /holds?user_id=&status=&limit=&cursor=: odd ids and queries get a well-formed answer and move nothing',
    async () => {
      const { holdIds } = await seedMoneyOperations(suite);
      const page = await suite.send({ method: 'GET', path: `/holds?user_id=${suite.knownIds()[0]}&limit=1` });
      const realCursor = String((page.json as { next_cursor?: unknown }).next_cursor ?? 'none');
      const cursor = fc.oneof(
        cursorLike('history'),
        fc.constantFrom(realCursor, `${realCursor}x`, realCursor.slice(1), encodeQuery(realCursor)),
      );
      const path = fc.oneof(
        thingIdLike(holdIds).map((id) => `/holds/${encodeQuery(id)}`),
        fc
          .tuple(
            fc.oneof(userIdLike(walletIds()).map(encodeQuery), queryValue),
            holdStatusLike.map(encodeQuery),
            queryValue,
            cursor,
          )
          .map(
            ([userId, status, limit, after]) =>
              `/holds?user_id=${userId}&status=${status}&limit=${limit}&cursor=${after}`,
          ),
        fc.constantFrom(
          '/holds',
          '/holds?user_id=',
          '/holds?user_id[]=x',
          '/holds?user_id=a&user_id=b',
          '/holds/',
          '/holds//capture',
          `/holds?${'a=1&'.repeat(2_000)}`,
        ),
      );
      await suite.assertReachesValidation(
        fc.asyncProperty(path, authorizationHeaders(tokens), async (query, extra) => {
          await suite.sendAndJudge({ method: 'GET', path: query, headers: extra }, { readOnly: true });
        }),
      );
    },
    FUZZ_TEST_TIMEOUT_MS,
  );

  it(
    'POST /transfers/{id}/reverse and /deposits/{id}/reverse: any id, amount, reason, key and token get a well-formed answer; reversals never exceed their original',
    async () => {
      const { holdIds, transferIds, depositIds } = await seedMoneyOperations(suite);
      const anyId = [...holdIds, ...transferIds, ...depositIds];
      const body = fc.oneof(
        fc.record(
          { amount: smallAmount, reason: fc.string({ minLength: 1, maxLength: 20 }) },
          { requiredKeys: [] },
        ),
        optionalBody({ amount: amountLike, reason: reasonLike }),
      );
      const request = fc.oneof(
        fc
          .tuple(fc.oneof(thingIdLike(transferIds), thingIdLike(anyId)), body)
          .map(([id, json]) => ({ path: `/transfers/${encodeQuery(id)}/reverse`, json })),
        fc
          .tuple(fc.oneof(thingIdLike(depositIds), thingIdLike(anyId)), body)
          .map(([id, json]) => ({ path: `/deposits/${encodeQuery(id)}/reverse`, json })),
      );
      await suite.assertReachesValidation(
        fc.asyncProperty(request, headers, async ({ path, json }, extra) => {
          await suite.sendAndJudge({ method: 'POST', path, json, headers: extra });
        }),
      );
    },
    FUZZ_TEST_TIMEOUT_MS,
  );

  it(
    'POST /wallets/{user_id}/freeze|unfreeze|close: any user id, reason, key and token get a well-formed answer, and a refusal changes no status',
    async () => {
      const request = fc
        .tuple(
          fc.oneof(
            { weight: 5, arbitrary: fc.constantFrom('freeze', 'unfreeze', 'close') },
            { weight: 1, arbitrary: fc.constantFrom('FREEZE', 'open', '') },
          ),
          fc.oneof(fc.constantFrom(...walletIds()), userIdLike(walletIds())),
          fc.oneof(
            fc.record({ reason: fc.constantFrom('fuzz', 'compliance review') }),
            optionalBody({ reason: reasonLike }),
          ),
        )
        .map(([action, userId, json]) => ({ path: `/wallets/${encodeQuery(userId)}/${action}`, json }));
      await suite.assertReachesValidation(
        fc.asyncProperty(request, headers, async ({ path, json }, extra) => {
          await suite.sendAndJudge({ method: 'POST', path, json, headers: extra });
        }),
      );
    },
    FUZZ_TEST_TIMEOUT_MS,
  );

  const NEW_POST_PATHS = [
    '/withdrawMoney',
    '/holds',
    '/holds/00000000-0000-4000-8000-000000000000/capture',
    '/holds/00000000-0000-4000-8000-000000000000/void',
    '/transfers/00000000-0000-4000-8000-000000000000/reverse',
    '/deposits/00000000-0000-4000-8000-000000000000/reverse',
  ];

  it.each(rawBodyCases)(
    'POST to each new money route with $label',
    async ({ body, contentType, expectStatus }) => {
      const paths = [...NEW_POST_PATHS, `/wallets/${suite.knownIds()[0]}/freeze`];
      for (const path of paths) {
        const headers: Record<string, string> = contentType ? { 'content-type': contentType } : {};
        const raw: RawRequest = { method: 'POST', path, body, headers };
        const before = await suite.target.walletStates();
        const response = await sendRaw(suite.url(), raw);
        expectWellFormed(raw, response);
        expect(response.status, `${path}: ${response.text.slice(0, 200)}`).toBeGreaterThanOrEqual(400);
        if (expectStatus) expect(response.status, path).toBe(expectStatus);
        expect(await suite.target.walletStates(), path).toEqual(before);
      }
    },
  );

  itAnswersUnknownRoutes(suite, [...NEW_POST_PATHS, '/holds/x', `/wallets/x/freeze`, '/wallets/x/close']);

  itKeepsTheMoneyInvariants(suite);
});
