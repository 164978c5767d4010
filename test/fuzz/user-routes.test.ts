import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  anyJson,
  cursorLike,
  emailLike,
  encodeQuery,
  forgedCursor,
  idempotencyHeaders,
  objectWith,
  queryValue,
  rawBodyCases,
  userIdLike,
} from './arbitraries.ts';
import { expectPageOrInvalidCursor, FORGED_CURSOR_RUNS } from './cursor-rules.ts';
import { FUZZ_TEST_TIMEOUT_MS, itAnswersUnknownRoutes, useFuzzSuite } from './fuzz-suite.ts';
import { type RawRequest, sendRaw } from './fuzz-target.ts';
import { expectWellFormed } from './response-rules.ts';

describe('user-service under fuzzed input', () => {
  // No user route moves money, whatever it answers.
  const suite = useFuzzSuite({ label: 'fuzz_users', service: 'users', moneyMayMove: () => false });

  it(
    'POST /createUser: any body and headers get a well-formed answer',
    async () => {
      const body = fc.oneof(objectWith({ email: emailLike }), anyJson);
      await suite.assertReachesValidation(
        fc.asyncProperty(body, idempotencyHeaders, async (json, extra) => {
          await suite.sendAndJudge({ method: 'POST', path: '/createUser', json, headers: extra });
        }),
      );
    },
    FUZZ_TEST_TIMEOUT_MS,
  );

  it(
    'GET /getBalance: odd emails in the query or the body get a well-formed answer',
    async () => {
      const email = fc.oneof(
        emailLike,
        fc.constantFrom(...suite.knownEmails()),
        fc.constantFrom(...suite.knownEmails()).map((e) => e.toUpperCase()),
      );
      const request = fc.oneof(
        email.map(
          (value): RawRequest => ({ method: 'GET', path: `/getBalance?email=${encodeQuery(value)}` }),
        ),
        queryValue.map(
          (value): RawRequest => ({ method: 'GET', path: `/getBalance?email=${value}&email=x` }),
        ),
        fc
          .oneof(objectWith({ email }), anyJson)
          .map((json): RawRequest => ({ method: 'GET', path: '/getBalance', json })),
      );
      await suite.assertReachesValidation(
        fc.asyncProperty(request, async (raw) => {
          await suite.sendAndJudge(raw);
        }),
      );
    },
    FUZZ_TEST_TIMEOUT_MS,
  );

  it(
    'GET /users and /users/:id: odd query strings and ids get a well-formed answer',
    async () => {
      const path = fc.oneof(
        fc
          .tuple(queryValue, cursorLike('users'), fc.oneof(emailLike.map(encodeQuery), queryValue))
          .map(([limit, cursor, email]) => `/users?limit=${limit}&cursor=${cursor}&email=${email}`),
        userIdLike(suite.knownIds()).map((id) => `/users/${encodeQuery(id)}`),
        fc.constantFrom(
          '/users?limit=0',
          '/users?limit=501',
          '/users?cursor=%ZZ',
          '/users/',
          '/users//x',
          `/users?${'a=1&'.repeat(2_000)}`,
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
    'POST /createUser and GET /getBalance with $label',
    async ({ body, contentType, expectStatus }) => {
      for (const [method, path] of [
        ['POST', '/createUser'],
        ['GET', '/getBalance'],
      ] as const) {
        const headers: Record<string, string> = contentType ? { 'content-type': contentType } : {};
        const raw: RawRequest = { method, path, body, headers };
        const response = await sendRaw(suite.url(), raw);
        expectWellFormed(raw, response);
        if (expectStatus) expect(response.status, `${method} ${path}`).toBe(expectStatus);
      }
    },
  );

  it(
    'GET /users with a forged cursor: 200, or 400 INVALID_CURSOR before the cursor reaches SQL',
    async () => {
      await fc.assert(
        fc.asyncProperty(forgedCursor('users'), async (cursor) => {
          const path = `/users?cursor=${cursor}`;
          expectPageOrInvalidCursor(path, await suite.sendAndJudge({ method: 'GET', path }));
        }),
        { numRuns: FORGED_CURSOR_RUNS },
      );
    },
    FUZZ_TEST_TIMEOUT_MS,
  );

  itAnswersUnknownRoutes(suite, ['/createUser', '/getBalance', '/users']);
});
