import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  anyJson,
  emailLike,
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

// Modest run counts: each run is a real HTTP round trip (getBalance also a NATS one).
const RUNS_PER_PROPERTY = 60;
const FUZZ_TEST_TIMEOUT_MS = 60_000;

describe('user-service under fuzzed input', () => {
  const target = useFuzzTarget('fuzz_users');
  let knownIds: string[];
  let knownEmails: string[];
  const statuses = tallyStatuses();

  beforeAll(async () => {
    knownIds = target.known.map((user) => user.userId);
    knownEmails = target.known.map((user) => user.email);
  });

  /** Sends, checks the answer's form, and that no balance moved (no user route moves money). */
  async function sendAndJudge(raw: RawRequest): Promise<void> {
    const before = await target.balances();
    const response = await sendRaw(target.usersUrl, raw);
    statuses.record(response.status);
    expectWellFormed(raw, response);
    expect(await target.balances()).toEqual(before);
  }

  it(
    'POST /createUser: any body and headers get a well-formed answer',
    async () => {
      const body = fc.oneof(objectWith({ email: emailLike }), anyJson);
      const headers = fc.record(
        { 'idempotency-key': headerValue, 'x-request-id': headerValue },
        { requiredKeys: [] },
      );
      await fc.assert(
        fc.asyncProperty(body, headers, async (json, extra) => {
          await sendAndJudge({ method: 'POST', path: '/createUser', json, headers: extra });
        }),
        { numRuns: RUNS_PER_PROPERTY },
      );
      statuses.expectValidationReached();
    },
    FUZZ_TEST_TIMEOUT_MS,
  );

  it(
    'GET /getBalance: odd emails in the query or the body get a well-formed answer',
    async () => {
      const email = fc.oneof(
        emailLike,
        fc.constantFrom(...knownEmails),
        fc.constantFrom(...knownEmails).map((e) => e.toUpperCase()),
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
      await fc.assert(
        fc.asyncProperty(request, async (raw) => {
          await sendAndJudge(raw);
        }),
        { numRuns: RUNS_PER_PROPERTY },
      );
      statuses.expectValidationReached();
    },
    FUZZ_TEST_TIMEOUT_MS,
  );

  it(
    'GET /users and /users/:id: odd query strings and ids get a well-formed answer',
    async () => {
      const path = fc.oneof(
        fc
          .tuple(queryValue, queryValue, fc.oneof(emailLike.map(encodeQuery), queryValue))
          .map(([limit, cursor, email]) => `/users?limit=${limit}&cursor=${cursor}&email=${email}`),
        userIdLike(knownIds).map((id) => `/users/${encodeQuery(id)}`),
        fc.constantFrom(
          '/users?limit=0',
          '/users?limit=501',
          '/users?cursor=%ZZ',
          '/users/',
          '/users//x',
          `/users?${'a=1&'.repeat(2_000)}`,
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
    'POST /createUser and GET /getBalance with $label',
    async ({ body, contentType, expectStatus }) => {
      for (const [method, path] of [
        ['POST', '/createUser'],
        ['GET', '/getBalance'],
      ] as const) {
        const headers: Record<string, string> = contentType ? { 'content-type': contentType } : {};
        const raw: RawRequest = { method, path, body, headers };
        const response = await sendRaw(target.usersUrl, raw);
        expectWellFormed(raw, response);
        if (expectStatus) expect(response.status, `${method} ${path}`).toBe(expectStatus);
      }
    },
  );

  it('unknown routes and methods answer problem+json', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('GET', 'PUT', 'DELETE', 'PATCH', 'POST') as fc.Arbitrary<RawRequest['method']>,
        fc.oneof(
          oddString.map((text) => `/${encodeQuery(text)}`),
          fc.constantFrom('/createUser', '/getBalance', '/users'),
        ),
        async (method, path) => {
          const raw: RawRequest = { method, path };
          expectWellFormed(raw, await sendRaw(target.usersUrl, raw));
        },
      ),
      { numRuns: RUNS_PER_PROPERTY },
    );
  });
});
