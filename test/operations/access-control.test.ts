import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../services/shared/src/config.ts';
import { loadTransactionsConfig } from '../../services/transactions-service/src/config.ts';
import type { RunningTransactionsService } from '../../services/transactions-service/src/service.ts';
import { loadUserConfig } from '../../services/user-service/src/config.ts';
import {
  call,
  captureLogs,
  createTestDatabase,
  type HttpResult,
  runServerUntilExit,
  serviceEnv,
  startTestTransactionsService,
  TEST_OPERATOR_TOKEN,
  type TestDatabase,
  uniqueNamespace,
  writeTokensFile,
} from '../support/index.ts';
import {
  type CreatedUser,
  type ServicesWithUserToken,
  startServicesWithUserToken,
} from '../support/user-token-services.ts';
import { balanceText, openPool } from '../transactions-service/transactions-service-harness.ts';

const OPERATOR_TOKEN = 'ops-operator-token-7c1f0e2a9b';
const READER_TOKEN = 'ops-reader-token-55d0a1c3e7';
const OWNER_TOKEN = 'ops-owner-token-0b9e4d2c81';
const EXIT_BAD_CONFIG = 2;
const PROBLEM_CONTENT_TYPE = 'application/problem+json';

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('access control of transactions-service (OWASP API1 object level, API5 function level)', () => {
  let database: TestDatabase;
  let service: RunningTransactionsService;
  let pool: pg.Pool;
  let workDir: string;
  const logs = captureLogs();
  const owner = randomUUID();
  const stranger = randomUUID();
  // A third funded wallet, so some holds involve neither side of the owner's token, and an empty one to close.
  const third = randomUUID();
  const empty = randomUUID();

  beforeAll(async () => {
    // Given wallets whose ids are known before the service starts, so a user token can name one
    database = await createTestDatabase('ops_access');
    pool = openPool(database.url);
    workDir = mkdtempSync(path.join(tmpdir(), 'ops-access-'));
    const tokensFile = writeTokensFile(workDir, [
      { token: OWNER_TOKEN, scope: 'user', name: 'owner', user_id: owner },
    ]);
    service = await startTestTransactionsService(
      database.url,
      `${uniqueNamespace()}.`,
      {
        WALLET_OPERATOR_TOKEN: OPERATOR_TOKEN,
        WALLET_READER_TOKEN: READER_TOKEN,
        WALLET_TOKENS_FILE: tokensFile,
        // Everything a request can make the service log, so the check that no token leaks means something.
        LOG_LEVEL: 'trace',
      },
      { logStream: logs.stream },
    );
    await pool.query('INSERT INTO users (user_id) VALUES ($1::uuid), ($2::uuid), ($3::uuid), ($4::uuid)', [
      owner,
      stranger,
      third,
      empty,
    ]);
    for (const userId of [owner, stranger, third]) {
      const deposit = await call(service.url, 'POST', '/addMoney', {
        json: { user_id: userId, amount: '100.00' },
        headers: bearer(OPERATOR_TOKEN),
      });
      expect(deposit.status).toBe(200);
    }
  });

  afterAll(async () => {
    await service?.stop();
    await pool?.end();
    await database?.drop();
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  it('Given no token or an unknown one, When moving money, Then 401 UNAUTHORIZED as problem+json', async () => {
    // When
    const missing = await call(service.url, 'POST', '/addMoney', {
      json: { user_id: owner, amount: 1 },
      headers: { authorization: '' },
    });
    const unknown = await call(service.url, 'POST', '/transferMoney', {
      json: { from_user_id: owner, to_user_id: stranger, amount: 1 },
      headers: bearer('not-a-token-this-service-knows'),
    });

    // Then
    for (const response of [missing, unknown]) {
      expect(response.status).toBe(401);
      expect(response.headers['content-type']).toContain(PROBLEM_CONTENT_TYPE);
      expect(response.json).toMatchObject({ status: 401, code: 'UNAUTHORIZED' });
    }
    expect(await balanceText(pool, owner)).toBe('100.00');
  });

  it('Given a reader or a user token, When adding money, Then 403 FORBIDDEN: deposits are for the operator', async () => {
    for (const token of [READER_TOKEN, OWNER_TOKEN]) {
      const response = await call(service.url, 'POST', '/addMoney', {
        json: { user_id: owner, amount: 1 },
        headers: bearer(token),
      });
      expect(response.status).toBe(403);
      expect(response.headers['content-type']).toContain(PROBLEM_CONTENT_TYPE);
      expect(response.json.code).toBe('FORBIDDEN');
    }
    expect(await balanceText(pool, owner)).toBe('100.00');
  });

  it("Given a user token, When it transfers from its own wallet and then from someone else's, Then the first moves money and the second is 403", async () => {
    // When
    const own = await call(service.url, 'POST', '/transferMoney', {
      json: { from_user_id: owner, to_user_id: stranger, amount: '2.50' },
      headers: bearer(OWNER_TOKEN),
    });
    const foreign = await call(service.url, 'POST', '/transferMoney', {
      json: { from_user_id: stranger.toUpperCase(), to_user_id: owner, amount: '50.00' },
      headers: bearer(OWNER_TOKEN),
    });
    const byReader = await call(service.url, 'POST', '/transferMoney', {
      json: { from_user_id: owner, to_user_id: stranger, amount: 1 },
      headers: bearer(READER_TOKEN),
    });

    // Then
    expect(own.status).toBe(200);
    expect(foreign.status).toBe(403);
    expect(foreign.json.code).toBe('FORBIDDEN');
    expect(byReader.status).toBe(403);
    expect(await balanceText(pool, owner)).toBe('97.50');
    expect(await balanceText(pool, stranger)).toBe('102.50');
  });

  it('Given a user token, When it reads wallets and histories, Then only its own; listing all wallets is for operator and reader', async () => {
    const read = async (url: string, token: string) =>
      (await call(service.url, 'GET', url, { headers: bearer(token) })).status;

    expect(await read(`/wallets/${owner}`, OWNER_TOKEN)).toBe(200);
    expect(await read(`/transactions?user_id=${owner}`, OWNER_TOKEN)).toBe(200);
    expect(await read(`/wallets/${stranger}`, OWNER_TOKEN)).toBe(403);
    expect(await read(`/transactions?user_id=${stranger}`, OWNER_TOKEN)).toBe(403);
    expect(await read('/wallets', OWNER_TOKEN)).toBe(403);

    expect(await read('/wallets', READER_TOKEN)).toBe(200);
    expect(await read(`/wallets/${stranger}`, READER_TOKEN)).toBe(200);
    expect(await read(`/transactions?user_id=${stranger}`, READER_TOKEN)).toBe(200);
    expect(await read('/wallets', OPERATOR_TOKEN)).toBe(200);
  });

  /** A money command as `token`; the body is JSON (undefined: none). */
  const post = (url: string, token: string, json?: unknown) =>
    call(service.url, 'POST', url, { json, headers: bearer(token) });
  const get = (url: string, token: string) => call(service.url, 'GET', url, { headers: bearer(token) });

  /** The wallet columns a refused request must leave as they were. */
  async function walletRow(userId: string) {
    const { rows } = await pool.query<{ balance: string; held: string; status: string }>(
      'SELECT balance::text, held::text, status FROM users WHERE user_id = $1::uuid',
      [userId],
    );
    return rows[0];
  }

  async function holdStatus(holdId: string): Promise<string | undefined> {
    const { rows } = await pool.query<{ status: string }>(
      'SELECT status FROM holds WHERE hold_id = $1::uuid',
      [holdId],
    );
    return rows[0]?.status;
  }

  async function createHoldAsOperator(from: string, to: string, amount: string): Promise<string> {
    const response = await post('/holds', OPERATOR_TOKEN, { from_user_id: from, to_user_id: to, amount });
    expect(response.status, response.text).toBe(201);
    return response.json.hold_id;
  }

  function expectForbidden(
    response: { status: number; headers: Record<string, string>; json: { code?: string } },
    what: string,
  ) {
    expect(response.status, what).toBe(403);
    expect(response.headers['content-type'], what).toContain(PROBLEM_CONTENT_TYPE);
    expect(response.json.code, what).toBe('FORBIDDEN');
  }

  it('Given no token, When calling any of the new money routes, Then 401 UNAUTHORIZED as problem+json and nothing moves', async () => {
    // Given
    const holdId = randomUUID();
    const before = await walletRow(owner);
    const routes: [method: 'GET' | 'POST', url: string, json?: unknown][] = [
      ['POST', '/withdrawMoney', { user_id: owner, amount: 1 }],
      ['POST', '/holds', { from_user_id: owner, to_user_id: stranger, amount: 1 }],
      ['POST', `/holds/${holdId}/capture`, {}],
      ['POST', `/holds/${holdId}/void`, {}],
      ['GET', `/holds/${holdId}`],
      ['GET', `/holds?user_id=${owner}`],
      ['POST', `/transfers/${randomUUID()}/reverse`, {}],
      ['POST', `/deposits/${randomUUID()}/reverse`, {}],
      ['POST', `/wallets/${owner}/freeze`, { reason: 'no token' }],
      ['POST', `/wallets/${owner}/unfreeze`, {}],
      ['POST', `/wallets/${owner}/close`, {}],
    ];

    for (const [method, url, json] of routes) {
      // When
      const response = await call(service.url, method, url, { json, headers: { authorization: '' } });

      // Then
      expect(response.status, `${method} ${url}`).toBe(401);
      expect(response.headers['content-type'], url).toContain(PROBLEM_CONTENT_TYPE);
      expect(response.json.code, url).toBe('UNAUTHORIZED');
    }
    expect(await walletRow(owner)).toEqual(before);
  });

  it("Given a user token, When it withdraws and holds from its own wallet and from another's, Then its own succeed and another's are 403 FORBIDDEN; a reader token may do neither", async () => {
    // Given
    const ownerBefore = await walletRow(owner);
    const strangerBefore = await walletRow(stranger);

    // When
    const ownWithdrawal = await post('/withdrawMoney', OWNER_TOKEN, { user_id: owner, amount: '1.00' });
    const ownHold = await post('/holds', OWNER_TOKEN, {
      from_user_id: owner,
      to_user_id: stranger,
      amount: '2.00',
    });
    const refused = {
      'user withdraws from another': await post('/withdrawMoney', OWNER_TOKEN, {
        user_id: stranger.toUpperCase(),
        amount: '1.00',
      }),
      'user holds from another': await post('/holds', OWNER_TOKEN, {
        from_user_id: stranger,
        to_user_id: owner,
        amount: '1.00',
      }),
      'reader withdraws': await post('/withdrawMoney', READER_TOKEN, { user_id: owner, amount: '1.00' }),
      'reader holds': await post('/holds', READER_TOKEN, {
        from_user_id: owner,
        to_user_id: stranger,
        amount: 1,
      }),
    };

    // Then
    expect(ownWithdrawal.status, ownWithdrawal.text).toBe(200);
    expect(ownHold.status, ownHold.text).toBe(201);
    for (const [what, response] of Object.entries(refused)) expectForbidden(response, what);
    const ownerAfter = await walletRow(owner);
    expect(Number(ownerAfter?.balance)).toBeCloseTo(Number(ownerBefore?.balance) - 1, 2);
    expect(Number(ownerAfter?.held)).toBeCloseTo(Number(ownerBefore?.held) + 2, 2);
    expect(await walletRow(stranger)).toEqual(strangerBefore);
    expect(await post(`/holds/${ownHold.json.hold_id}/void`, OWNER_TOKEN)).toMatchObject({ status: 200 });
  });

  it("Given holds the user's wallet sends, receives and has no part in, When its token reads, captures and voids them, Then only its own are allowed and another's is 403 and stays pending", async () => {
    // Given
    const sent = (
      await post('/holds', OWNER_TOKEN, { from_user_id: owner, to_user_id: stranger, amount: '1.00' })
    ).json.hold_id as string;
    const received = await createHoldAsOperator(stranger, owner, '1.00');
    const foreign = await createHoldAsOperator(stranger, third, '1.00');
    const strangerBefore = await walletRow(stranger);
    const thirdBefore = await walletRow(third);

    // When: another's hold
    const foreignAttempts = {
      GET: await get(`/holds/${foreign}`, OWNER_TOKEN),
      'GET upper-cased': await get(`/holds/${foreign.toUpperCase()}`, OWNER_TOKEN),
      capture: await post(`/holds/${foreign}/capture`, OWNER_TOKEN),
      'capture part': await post(`/holds/${foreign}/capture`, OWNER_TOKEN, { amount: '0.50' }),
      void: await post(`/holds/${foreign}/void`, OWNER_TOKEN),
      'list of another': await get(`/holds?user_id=${stranger}`, OWNER_TOKEN),
    };
    // A hold id that names nothing gets the very same answer, so hold ids cannot be probed
    const missing = randomUUID();
    const missingAttempts = {
      'GET missing': await get(`/holds/${missing}`, OWNER_TOKEN),
      'capture missing': await post(`/holds/${missing}/capture`, OWNER_TOKEN),
      'void missing': await post(`/holds/${missing}/void`, OWNER_TOKEN),
    };
    expect(missingAttempts['GET missing'].json.detail).toBe(foreignAttempts.GET.json.detail);
    for (const [what, response] of Object.entries(missingAttempts)) expectForbidden(response, what);

    // Then
    for (const [what, response] of Object.entries(foreignAttempts)) expectForbidden(response, what);
    expect(await holdStatus(foreign)).toBe('pending');
    expect(await walletRow(stranger)).toEqual(strangerBefore);
    expect(await walletRow(third)).toEqual(thirdBefore);

    // When / Then: its own holds, on either side
    expect((await get(`/holds/${sent}`, OWNER_TOKEN)).status).toBe(200);
    expect((await get(`/holds/${received}`, OWNER_TOKEN)).status).toBe(200);
    const list = await get(`/holds?user_id=${owner.toUpperCase()}`, OWNER_TOKEN);
    expect(list.status).toBe(200);
    const listed = (list.json.holds as { hold_id: string }[]).map((hold) => hold.hold_id);
    expect(listed).toEqual(expect.arrayContaining([sent, received]));
    expect(listed).not.toContain(foreign);
    expect((await post(`/holds/${sent}/void`, OWNER_TOKEN)).status).toBe(200);
    const capture = await post(`/holds/${received}/capture`, OWNER_TOKEN, { amount: '0.40' });
    expect(capture.status, capture.text).toBe(200);
    expect(capture.json).toMatchObject({ status: 'captured', captured_amount: 0.4 });

    // When / Then: a hold to a receiver that does not exist is refused as one to any payee it
    // cannot pay, and a hold for more than it has is INSUFFICIENT_FUNDS whoever the receiver is
    const nobody = randomUUID();
    const toNobody = await post('/holds', OWNER_TOKEN, {
      from_user_id: owner,
      to_user_id: nobody,
      amount: '0.10',
    });
    expect(toNobody.status, toNobody.text).toBe(404);
    expect(toNobody.json.code).toBe('USER_NOT_FOUND');
    expect(toNobody.text).not.toContain(nobody);
    const tooMuch = { from_user_id: owner, amount: '999999.00' };
    const tooMuchToNobody = await post('/holds', OWNER_TOKEN, { ...tooMuch, to_user_id: randomUUID() });
    const tooMuchToStranger = await post('/holds', OWNER_TOKEN, { ...tooMuch, to_user_id: stranger });
    expect([tooMuchToNobody.json.code, tooMuchToStranger.json.code]).toEqual([
      'INSUFFICIENT_FUNDS',
      'INSUFFICIENT_FUNDS',
    ]);

    // And the operator may act on any hold
    expect((await post(`/holds/${foreign}/void`, OPERATOR_TOKEN)).status).toBe(200);
    expect(await holdStatus(foreign)).toBe('voided');
  });

  it('Given a reader token, When it reads holds, Then any hold and any list; when it captures or voids one, Then 403 and the hold stays pending', async () => {
    // Given
    const holdId = await createHoldAsOperator(stranger, third, '1.00');

    // When
    const one = await get(`/holds/${holdId}`, READER_TOKEN);
    const list = await get(`/holds?user_id=${third}&status=pending`, READER_TOKEN);
    const capture = await post(`/holds/${holdId}/capture`, READER_TOKEN);
    const voided = await post(`/holds/${holdId}/void`, READER_TOKEN, {});

    // Then
    expect(one.status).toBe(200);
    expect(one.json).toMatchObject({ hold_id: holdId, status: 'pending' });
    expect(list.status).toBe(200);
    expect(list.json.holds.map((hold: { hold_id: string }) => hold.hold_id)).toContain(holdId);
    expectForbidden(capture, 'reader capture');
    expectForbidden(voided, 'reader void');
    expect(await holdStatus(holdId)).toBe('pending');
    expect((await get(`/holds/${holdId}`, OPERATOR_TOKEN)).status).toBe(200);
    expect((await post(`/holds/${holdId}/void`, OPERATOR_TOKEN)).status).toBe(200);
  });

  it("Given a transfer to the user's wallet and a deposit into it, When a user or reader token reverses them or freezes, unfreezes or closes a wallet (its own too), Then 403 and nothing changes; the operator may do all of it", async () => {
    // Given
    const transfer = await post('/transferMoney', OPERATOR_TOKEN, {
      from_user_id: stranger,
      to_user_id: owner,
      amount: '3.00',
    });
    expect(transfer.status, transfer.text).toBe(200);
    const deposit = await post('/addMoney', OPERATOR_TOKEN, { user_id: owner, amount: '4.00' });
    expect(deposit.status, deposit.text).toBe(200);
    const transferId = transfer.json.transfer_id as string;
    const depositId = deposit.json.transaction_id as string;
    const operatorOnly: [string, unknown][] = [
      [`/transfers/${transferId}/reverse`, { amount: '1.00', reason: 'not theirs to undo' }],
      [`/deposits/${depositId}/reverse`, {}],
      [`/wallets/${owner}/freeze`, { reason: 'self-service freeze' }],
      [`/wallets/${owner}/unfreeze`, {}],
      [`/wallets/${empty}/close`, {}],
      [`/wallets/${stranger}/freeze`, { reason: 'freeze another' }],
    ];
    const before = await Promise.all([owner, stranger, empty].map(walletRow));

    // When / Then
    for (const token of [OWNER_TOKEN, READER_TOKEN]) {
      for (const [url, json] of operatorOnly) {
        expectForbidden(await post(url, token, json), `${token === OWNER_TOKEN ? 'user' : 'reader'} ${url}`);
      }
    }
    expect(await Promise.all([owner, stranger, empty].map(walletRow))).toEqual(before);

    // And the operator
    const reversal = await post(`/transfers/${transferId}/reverse`, OPERATOR_TOKEN, { amount: '1.00' });
    expect(reversal.status, reversal.text).toBe(200);
    expect(reversal.json).toMatchObject({ transfer_id: transferId, amount: 1, remaining: 2 });
    const chargeBack = await post(`/deposits/${depositId}/reverse`, OPERATOR_TOKEN, {
      reason: 'charge-back',
    });
    expect(chargeBack.status, chargeBack.text).toBe(200);
    expect(chargeBack.json).toMatchObject({ transaction_id: depositId, amount: 4, remaining: 0 });
    const frozen = await post(`/wallets/${owner}/freeze`, OPERATOR_TOKEN, { reason: 'review' });
    expect(frozen.json).toMatchObject({ status: 'frozen', status_reason: 'review' });
    expect((await post(`/wallets/${owner}/unfreeze`, OPERATOR_TOKEN, {})).json.status).toBe('active');
    const closed = await post(`/wallets/${empty}/close`, OPERATOR_TOKEN);
    expect(closed.status, closed.text).toBe(200);
    expect(closed.json.status).toBe('closed');
  });

  it('Given no user-service answers on NATS, When a user token pays by to_email, Then 503 SERVICE_UNAVAILABLE at once and nothing moves', async () => {
    // Given: this file runs transactions-service alone, so nobody answers the email lookup
    const before = await walletRow(owner);

    // When
    const response = await post('/transferMoney', OWNER_TOKEN, {
      from_user_id: owner,
      to_email: 'someone@example.com',
      amount: '1.00',
    });

    // Then
    expect(response.status, response.text).toBe(503);
    expect(response.json.code).toBe('SERVICE_UNAVAILABLE');
    expect(await walletRow(owner)).toEqual(before);
  });

  it('Given no token, When probing health and the API description, Then they answer, metrics are 401; an unknown route is 404', async () => {
    const anonymous = { headers: { authorization: '' } };
    for (const url of ['/healthz', '/readyz', '/openapi.json', '/docs']) {
      const response = await call(service.url, 'GET', url, anonymous);
      expect(response.status, url).toBe(200);
    }
    expect((await call(service.url, 'GET', '/metrics', anonymous)).status).toBe(401);
    expect((await call(service.url, 'GET', '/no-such-route', anonymous)).status).toBe(404);
  });

  it('Given all the requests above, When reading the log, Then no token appears in it, while requests were logged', () => {
    const text = logs.text();
    expect(logs.lines.some((line) => line.msg === 'incoming request')).toBe(true);
    for (const token of [OPERATOR_TOKEN, READER_TOKEN, OWNER_TOKEN, 'not-a-token-this-service-knows']) {
      expect(text).not.toContain(token);
    }
  });
});

describe('one answer for everyone but oneself: a user token cannot enumerate emails or ids (OWASP API1, API3)', () => {
  let services: ServicesWithUserToken;
  let ann: CreatedUser;
  let ben: CreatedUser;
  let cal: CreatedUser;
  const ghostEmail = 'ghost-never-registered@example.com';

  beforeAll(async () => {
    // Given ann (the token's owner), ben (an open wallet) and cal (a closed one), all created through the API
    services = await startServicesWithUserToken('ops_enumeration', [
      'ann@example.com',
      'ben@example.com',
      'cal@example.com',
    ]);
    const user = (email: string) => services.users[email] ?? expect.fail(`no user ${email}`);
    [ann, ben, cal] = [user('ann@example.com'), user('ben@example.com'), user('cal@example.com')];
    const deposit = await call(services.transactionsUrl, 'POST', '/addMoney', {
      json: { user_id: ann.user_id, amount: '100.00' },
    });
    expect(deposit.status, deposit.text).toBe(200);
    const closed = await call(services.transactionsUrl, 'POST', `/wallets/${cal.user_id}/close`, {
      json: {},
    });
    expect(closed.status, closed.text).toBe(200);
  });

  afterAll(async () => {
    await services?.stop();
  });

  const annHeaders = () => ({ authorization: `Bearer ${services.userToken}` });
  const usersGet = (url: string, json?: unknown) =>
    call(services.usersUrl, 'GET', url, { json, headers: annHeaders() });
  const transactionsGet = (url: string) =>
    call(services.transactionsUrl, 'GET', url, { headers: annHeaders() });
  const transfer = (json: Record<string, unknown>, headers: Record<string, string> = annHeaders()) =>
    call(services.transactionsUrl, 'POST', '/transferMoney', {
      json: { from_user_id: ann.user_id, ...json },
      headers,
    });

  /** What a client can compare: everything but the request's own id and path. */
  const answer = (response: HttpResult) => {
    const { request_id: _requestId, instance: _instance, ...body } = response.json ?? {};
    return { status: response.status, contentType: response.headers['content-type'], body };
  };

  /** Someone else's (existing) and nobody's: the two answers must be one. */
  function expectOneAnswer(
    someone: HttpResult,
    nobody: HttpResult,
    what: string,
    status = 403,
    code = 'FORBIDDEN',
  ) {
    expect(answer(someone), what).toEqual(answer(nobody));
    expect(someone.status, `${what}: ${someone.text}`).toBe(status);
    expect(someone.json.code, what).toBe(code);
    // A 403 must not hint that the one named does not exist.
    if (code === 'FORBIDDEN') expect(someone.text, what).not.toMatch(/not found|no user|no wallet/i);
  }

  it("Given ann's token, When she names ben's email or an unregistered one on user-service, Then both get the same 403 FORBIDDEN; her own email answers", async () => {
    // When
    const pairs: [string, HttpResult, HttpResult][] = [
      [
        'getBalance ?email=',
        await usersGet(`/getBalance?email=${ben.email}`),
        await usersGet(`/getBalance?email=${ghostEmail}`),
      ],
      [
        'getBalance body',
        await usersGet('/getBalance', { email: ben.email.toUpperCase() }),
        await usersGet('/getBalance', { email: ghostEmail.toUpperCase() }),
      ],
      [
        'users ?email=',
        await usersGet(`/users?email=${ben.email}`),
        await usersGet(`/users?email=${ghostEmail}`),
      ],
      ['users/{id}', await usersGet(`/users/${ben.user_id}`), await usersGet(`/users/${randomUUID()}`)],
    ];

    // Then
    for (const [what, someone, nobody] of pairs) expectOneAnswer(someone, nobody, what);
    const own = await usersGet(`/getBalance?email=${ann.email.toUpperCase()}`);
    expect(own.status, own.text).toBe(200);
    expect(own.json).toMatchObject({ user_id: ann.user_id, balance: 100 });
    const ownLookup = await usersGet(`/users?email=${ann.email}`);
    expect(ownLookup.json.users).toEqual([expect.objectContaining({ user_id: ann.user_id })]);
    expect((await usersGet(`/users/${ann.user_id}`)).status).toBe(200);
  });

  it("Given ann's token, When she names ben's id or a random one on transactions-service, Then both get the same 403 FORBIDDEN", async () => {
    const nobody = randomUUID();
    for (const url of [
      (id: string) => `/wallets/${id}`,
      (id: string) => `/transactions?user_id=${id}`,
      (id: string) => `/holds?user_id=${id}`,
      (id: string) => `/wallets/${id}/balance?at=2026-01-01T00:00:00Z`,
      (id: string) => `/wallets/${id}/statement?from=2026-01-01T00:00:00Z&to=2026-02-01T00:00:00Z`,
    ]) {
      // When
      const someone = await transactionsGet(url(ben.user_id));
      const none = await transactionsGet(url(nobody));
      // Then
      expectOneAnswer(someone, none, url('{id}'));
    }
  });

  it("Given ann's token, When she pays ben by to_email, Then the money moves and the answer holds nothing of ben's but his id", async () => {
    // When
    const paid = await transfer({ to_email: ben.email.toUpperCase(), amount: '2.50' });

    // Then
    expect(paid.status, paid.text).toBe(200);
    expect(paid.json).toMatchObject({ from_user_id: ann.user_id, to_user_id: ben.user_id, amount: 2.5 });
    expect(paid.json).not.toHaveProperty('to_balance');
    const wallet = await call(services.transactionsUrl, 'GET', `/wallets/${ben.user_id}`);
    expect(wallet.json.balance).toBe(2.5);
  });

  it("Given ann's token, When she pays an unregistered email, a closed wallet's email, a random id or the closed wallet's id, Then all four get one refusal and nothing moves", async () => {
    // Given
    const before = (await call(services.transactionsUrl, 'GET', `/wallets/${ann.user_id}`)).json.balance;

    // When
    const byEmail = [
      await transfer({ to_email: ghostEmail, amount: 1 }),
      await transfer({ to_email: cal.email, amount: 1 }),
    ];
    const byId = [
      await transfer({ to_user_id: randomUUID(), amount: 1 }),
      await transfer({ to_user_id: cal.user_id, amount: 1 }),
    ];

    // Then
    expectOneAnswer(byEmail[0]!, byEmail[1]!, 'to_email', 404, 'USER_NOT_FOUND');
    expectOneAnswer(byId[0]!, byId[1]!, 'to_user_id', 404, 'USER_NOT_FOUND');
    expect(answer(byEmail[0]!)).toEqual(answer(byId[0]!));
    expect((await call(services.transactionsUrl, 'GET', `/wallets/${ann.user_id}`)).json.balance).toBe(
      before,
    );
  });

  it("Given ann's token and more than her balance, When she pays ben's email or an unregistered one, Then both are INSUFFICIENT_FUNDS: the amount cannot probe the payee", async () => {
    // When
    const someone = await transfer({ to_email: ben.email, amount: '1000.00' });
    const nobody = await transfer({ to_email: ghostEmail, amount: '1000.00' });

    // Then
    expect(answer(someone)).toEqual(answer(nobody));
    expect(someone.json.code, someone.text).toBe('INSUFFICIENT_FUNDS');
  });

  it('Given a transfer body with both to_user_id and to_email or neither, When posted, Then 400 VALIDATION_FAILED', async () => {
    const both = await transfer({ to_user_id: ben.user_id, to_email: ben.email, amount: 1 });
    const neither = await transfer({ amount: 1 });
    for (const response of [both, neither]) {
      expect(response.status, response.text).toBe(400);
      expect(response.json.code).toBe('VALIDATION_FAILED');
    }
  });

  it('Given the operator token, When it pays by to_email, Then a known email moves money and an unknown one is 404 USER_NOT_FOUND naming it', async () => {
    const operator = { authorization: `Bearer ${TEST_OPERATOR_TOKEN}` };
    const paid = await transfer({ to_email: ben.email, amount: '0.50' }, operator);
    expect(paid.status, paid.text).toBe(200);
    expect(paid.json).toMatchObject({ to_user_id: ben.user_id, to_balance: 3 });
    const unknown = await transfer({ to_email: ghostEmail, amount: '0.50' }, operator);
    expect(unknown.status).toBe(404);
    expect(unknown.json).toMatchObject({ code: 'USER_NOT_FOUND' });
    expect(unknown.json.detail).toContain(ghostEmail);
  });
});

describe('secure by default', () => {
  it.each([
    [
      'transactions-service',
      () => loadTransactionsConfig(serviceEnv('postgres://x@h/d', 'x', { WALLET_OPERATOR_TOKEN: '' })),
    ],
    [
      'user-service',
      () => loadUserConfig(serviceEnv('postgres://x@h/d', 'x', { WALLET_OPERATOR_TOKEN: '' })),
    ],
  ])(
    'Given no token and no WALLET_AUTH_DISABLED, When %s loads its config, Then a ConfigError says what to set',
    (_name, load) => {
      expect(load).toThrow(ConfigError);
      expect(load).toThrow(/set WALLET_OPERATOR_TOKEN .*or WALLET_AUTH_DISABLED=true/s);
    },
  );

  it('Given a token shorter than 16 characters or a bad WALLET_AUTH_DISABLED, When loading, Then a ConfigError names the variable', () => {
    const env = (overrides: Record<string, string>) => serviceEnv('postgres://x@h/d', 'x', overrides);
    expect(() => loadTransactionsConfig(env({ WALLET_OPERATOR_TOKEN: 'short' }))).toThrow(
      /WALLET_OPERATOR_TOKEN: a token needs at least 16 characters/,
    );
    expect(() => loadTransactionsConfig(env({ WALLET_AUTH_DISABLED: 'yes' }))).toThrow(
      /WALLET_AUTH_DISABLED/,
    );
  });

  it('Given no token, When server.ts starts, Then it prints what to set and exits 2', async () => {
    // Given
    const env: Record<string, string | undefined> = {
      ...process.env,
      ...serviceEnv('postgres://nobody@127.0.0.1:1/none', 'x'),
      WALLET_OPERATOR_TOKEN: undefined,
      WALLET_READER_TOKEN: undefined,
      WALLET_TOKENS_FILE: undefined,
      WALLET_AUTH_DISABLED: undefined,
    };

    // When
    const { exitCode, stderr } = await runServerUntilExit('transactions-service', env);

    // Then
    expect(exitCode).toBe(EXIT_BAD_CONFIG);
    expect(stderr).toMatch(/WALLET_OPERATOR_TOKEN/);
    expect(stderr).toMatch(/WALLET_AUTH_DISABLED=true/);
  });

  it.each([
    ['transactions-service', loadTransactionsConfig, serviceEnv],
    ['user-service', loadUserConfig, serviceEnv],
  ] as const)(
    'Given a tokens file that does not exist or is not a token list, When %s loads its config, Then a ConfigError names WALLET_TOKENS_FILE before anything connects',
    (_name, load, env) => {
      const dir = mkdtempSync(path.join(tmpdir(), 'ops-tokens-file-'));
      try {
        const notJson = path.join(dir, 'not-json.json');
        const notTokens = path.join(dir, 'not-tokens.json');
        writeFileSync(notJson, '{ not json');
        writeFileSync(notTokens, JSON.stringify([{ scope: 'admin', name: 'x', sha256: 'nope' }]));
        for (const tokensFile of [path.join(dir, 'missing.json'), notJson, notTokens]) {
          // An unreachable database: the config must fail before anything tries to connect.
          const overrides = { WALLET_OPERATOR_TOKEN: '', WALLET_TOKENS_FILE: tokensFile };
          const config = env('postgres://nobody@127.0.0.1:1/none', 'x', overrides);
          expect(() => load(config), tokensFile).toThrow(ConfigError);
          expect(() => load(config), tokensFile).toThrow(/WALLET_TOKENS_FILE: cannot be used/);
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  it('Given a tokens file that does not exist, When server.ts starts, Then it names WALLET_TOKENS_FILE and exits 2 without connecting', async () => {
    // Given: dependencies that are not there, so a start that got past the config would fail otherwise
    const env: Record<string, string | undefined> = {
      ...process.env,
      ...serviceEnv('postgres://nobody@127.0.0.1:1/none', 'x', {
        KAFKA_BROKERS: '127.0.0.1:1',
        WALLET_TOKENS_FILE: path.join(tmpdir(), `missing-${randomUUID()}.json`),
      }),
    };

    // When
    const { exitCode, stderr } = await runServerUntilExit('transactions-service', env);

    // Then
    expect(exitCode).toBe(EXIT_BAD_CONFIG);
    expect(stderr).toMatch(
      /^transactions-service: invalid configuration:\n {2}WALLET_TOKENS_FILE: cannot be used/,
    );
    expect(stderr).not.toMatch(/ECONNREFUSED|at .*\.ts:\d+/);
  });

  it('Given WALLET_AUTH_DISABLED=true, When the service runs, Then it warns loudly at start and lets requests in without a token', async () => {
    // Given
    const database = await createTestDatabase('ops_auth_disabled');
    const logs = captureLogs();
    const service = await startTestTransactionsService(
      database.url,
      `${uniqueNamespace()}.`,
      { WALLET_OPERATOR_TOKEN: '', WALLET_AUTH_DISABLED: 'true', LOG_LEVEL: 'info' },
      { logStream: logs.stream },
    );
    try {
      // When
      const wallets = await call(service.url, 'GET', '/wallets', { headers: { authorization: '' } });

      // Then
      expect(wallets.status).toBe(200);
      const warning = logs.lines.find((line) => String(line.msg).includes('AUTHENTICATION IS OFF'));
      expect(warning?.level).toBe(40);
    } finally {
      await service.stop();
      await database.drop();
    }
  });
});
