import type { NatsConnection, Subscription } from 'nats';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BALANCE_QUEUE_GROUP, balanceSubject } from '../../services/shared/src/contracts/nats.ts';
import { connectNats } from '../../services/shared/src/messaging/nats.ts';
import type { RunningUserService } from '../../services/user-service/src/service.ts';
import {
  call,
  createTestDatabase,
  getStack,
  startTestUserService,
  type TestDatabase,
  uniqueNamespace,
} from '../support/index.ts';

const BALANCE_TIMEOUT_MS = 400;
/** Generous slack over the configured timeout for a loaded 2-core machine. */
const ANSWER_SLACK_MS = 1_500;
const NO_RESPONDER_ANSWER_MS_MAX = 1_000;

type Received = { data: unknown; requestId: string | undefined };

/** A responder's reply as transactions-service sends it: balances as decimal text, available = balance − held. */
function balanceReply(userId: string, balance: string, held = '0.00'): string {
  const available = (BigInt(balance.replace('.', '')) - BigInt(held.replace('.', '')))
    .toString()
    .padStart(3, '0');
  return JSON.stringify({
    ok: true,
    user_id: userId,
    balance,
    held,
    available_balance: `${available.slice(0, -2)}.${available.slice(-2)}`,
    status: 'active',
  });
}

describe('GET /getBalance', () => {
  const namespace = uniqueNamespace();
  let database: TestDatabase;
  let service: RunningUserService;
  let nc: NatsConnection;
  let responder: Subscription | undefined;
  let user: { user_id: string; email: string };

  /** Plays transactions-service on the real NATS: `answer` returns the reply, or undefined to stay silent. */
  async function respondWith(answer: (data: unknown) => string | undefined): Promise<Received[]> {
    const received: Received[] = [];
    responder = nc.subscribe(balanceSubject(namespace), {
      queue: BALANCE_QUEUE_GROUP,
      callback: (_error, msg) => {
        const data = JSON.parse(msg.string());
        received.push({ data, requestId: msg.headers?.get('request-id') });
        const reply = answer(data);
        if (reply !== undefined) msg.respond(reply);
      },
    });
    await nc.flush();
    return received;
  }

  beforeAll(async () => {
    database = await createTestDatabase('user_service_get_balance');
    service = await startTestUserService(database.url, namespace, {
      BALANCE_REQUEST_TIMEOUT_MS: String(BALANCE_TIMEOUT_MS),
    });
    nc = await connectNats({ url: getStack().nats.url, name: 'get-balance-test' });
    const created = await call(service.url, 'POST', '/createUser', { json: { email: 'Grace@Example.com' } });
    expect(created.status).toBe(201);
    user = created.json;
  });

  afterEach(async () => {
    responder?.unsubscribe();
    responder = undefined;
    await nc.flush();
  });

  afterAll(async () => {
    await nc?.drain();
    await service?.stop();
    await database?.drop();
  });

  it('Given no transactions-service, When asked, Then 503 BALANCE_SERVICE_UNAVAILABLE at once with Retry-After', async () => {
    // When
    const startedMs = Date.now();
    const response = await call(service.url, 'GET', '/getBalance', { json: { email: user.email } });

    // Then
    expect(response.status).toBe(503);
    expect(response.json.code).toBe('BALANCE_SERVICE_UNAVAILABLE');
    expect(response.headers['retry-after']).toBe('1');
    expect(Date.now() - startedMs).toBeLessThan(NO_RESPONDER_ANSWER_MS_MAX);
  });

  it('Given a responder that never answers, When asked, Then 503 BALANCE_SERVICE_TIMEOUT after the timeout', async () => {
    // Given
    const received = await respondWith(() => undefined);

    // When
    const startedMs = Date.now();
    const response = await call(service.url, 'GET', '/getBalance', { json: { email: user.email } });
    const elapsedMs = Date.now() - startedMs;

    // Then
    expect(response.status).toBe(503);
    expect(response.json.code).toBe('BALANCE_SERVICE_TIMEOUT');
    expect(received).toHaveLength(1);
    expect(elapsedMs).toBeGreaterThanOrEqual(BALANCE_TIMEOUT_MS - 50);
    expect(elapsedMs).toBeLessThan(BALANCE_TIMEOUT_MS + ANSWER_SLACK_MS);
  });

  it('Given the wallet is not open yet, When asked, Then 503 WALLET_PENDING with Retry-After: 1', async () => {
    await respondWith(() => JSON.stringify({ ok: false, code: 'WALLET_NOT_FOUND' }));
    const response = await call(service.url, 'GET', '/getBalance', { json: { email: user.email } });
    expect(response.status).toBe(503);
    expect(response.json.code).toBe('WALLET_PENDING');
    expect(response.headers['retry-after']).toBe('1');
  });

  it('Given a balance reply, When asked, Then 200 with the exact balance, and the request carried user id and request id', async () => {
    // Given
    const received = await respondWith((data) =>
      balanceReply((data as { user_id: string }).user_id, '69.50', '19.50'),
    );

    // When
    const response = await call(service.url, 'GET', '/getBalance', {
      json: { email: user.email },
      headers: { 'x-request-id': 'balance-grace-1' },
    });

    // Then
    expect(response.status).toBe(200);
    expect(response.text).toBe(
      `{"email":"grace@example.com","user_id":"${user.user_id}","balance":69.5,"held":19.5,"available_balance":50,"status":"active"}`,
    );
    expect(received).toEqual([{ data: { user_id: user.user_id }, requestId: 'balance-grace-1' }]);
  });

  it.each([
    ['0.00', '0'],
    ['0.10', '0.1'],
    ['9999999999999.99', '9999999999999.99'],
  ])(
    'Given a balance of %s, When asked, Then the JSON number is exactly %s',
    async (balance, expectedText) => {
      await respondWith((data) => balanceReply((data as { user_id: string }).user_id, balance));
      const response = await call(service.url, 'GET', '/getBalance', { json: { email: user.email } });
      expect(response.status).toBe(200);
      expect(response.text).toContain(`"balance":${expectedText},`);
    },
  );

  it.each([
    ['not JSON', () => 'garbage'],
    ['a number balance', (id: string) => JSON.stringify({ ok: true, user_id: id, balance: 12.5 })],
    [
      'without held and available (an older responder)',
      (id: string) => JSON.stringify({ ok: true, user_id: id, balance: '1.00' }),
    ],
    ['another user', () => balanceReply(crypto.randomUUID(), '1.00')],
    [
      'more held than the balance',
      (id: string) => JSON.stringify({ ...JSON.parse(balanceReply(id, '1.00')), held: '1.01' }),
    ],
    [
      'an available balance that is not balance − held',
      (id: string) =>
        JSON.stringify({ ...JSON.parse(balanceReply(id, '5.00', '1.00')), available_balance: '5.00' }),
    ],
    ['an unknown code', () => JSON.stringify({ ok: false, code: 'NOPE' })],
    ['an internal error', () => JSON.stringify({ ok: false, code: 'INTERNAL_ERROR' })],
    ['a balance past NUMERIC(15,2)', (id: string) => balanceReply(id, '99999999999999999.00')],
  ])('Given a reply that is %s, When asked, Then 503 BALANCE_SERVICE_UNAVAILABLE', async (_label, reply) => {
    await respondWith((data) => reply((data as { user_id: string }).user_id));
    const response = await call(service.url, 'GET', '/getBalance', { json: { email: user.email } });
    expect(response.status).toBe(503);
    expect(response.json.code).toBe('BALANCE_SERVICE_UNAVAILABLE');
  });

  it('Given an unknown email, When asked, Then 404 USER_NOT_FOUND and transactions-service is not asked', async () => {
    const received = await respondWith(() => JSON.stringify({ ok: false, code: 'WALLET_NOT_FOUND' }));
    const response = await call(service.url, 'GET', '/getBalance', { json: { email: 'nobody@example.com' } });
    expect(response.status).toBe(404);
    expect(response.json.code).toBe('USER_NOT_FOUND');
    expect(received).toHaveLength(0);
  });

  it('Given an email asked before it was registered, When the user is then created, Then getBalance finds them (unknown emails are not remembered)', async () => {
    const received = await respondWith((data) => balanceReply((data as { user_id: string }).user_id, '2.00'));
    const email = 'late-comer@example.com';
    const before = await call(service.url, 'GET', '/getBalance', { json: { email } });
    expect(before.status).toBe(404);
    const created = await call(service.url, 'POST', '/createUser', { json: { email } });
    expect(created.status).toBe(201);

    // Asked twice: the second answer comes from the remembered email and must be the same user.
    for (const attempt of [1, 2]) {
      const response = await call(service.url, 'GET', '/getBalance', {
        json: { email: 'Late-Comer@Example.com' },
      });
      expect(response.status, `attempt ${attempt}`).toBe(200);
      expect(response.json).toMatchObject({ email, user_id: created.json.user_id, balance: 2 });
    }
    expect(received.map((request) => request.data)).toEqual([
      { user_id: created.json.user_id },
      { user_id: created.json.user_id },
    ]);
  });

  it('Given many getBalance calls at once for several users, When their NATS requests leave together, Then each caller gets its own user and request id', async () => {
    const others: Array<{ user_id: string; email: string }> = [];
    for (const name of ['ada', 'alan', 'edsger']) {
      const created = await call(service.url, 'POST', '/createUser', {
        json: { email: `${name}@together.example` },
      });
      others.push(created.json);
    }
    const balanceOf = (userId: string) => `${others.findIndex((other) => other.user_id === userId) + 1}.00`;
    const received = await respondWith((data) => {
      const userId = (data as { user_id: string }).user_id;
      return balanceReply(userId, balanceOf(userId));
    });

    const asked = Array.from({ length: 30 }, (_, index) => others[index % others.length]!);
    const responses = await Promise.all(
      asked.map((other, index) =>
        call(service.url, 'GET', '/getBalance', {
          json: { email: other.email },
          headers: { 'x-request-id': `together-${index}` },
        }),
      ),
    );

    for (const [index, response] of responses.entries()) {
      const other = asked[index]!;
      expect(response.status).toBe(200);
      expect(response.json).toMatchObject({
        user_id: other.user_id,
        balance: Number(balanceOf(other.user_id)),
      });
      expect(response.headers['x-request-id']).toBe(`together-${index}`);
    }
    expect(received.map((request) => request.requestId).sort()).toEqual(
      asked.map((_, index) => `together-${index}`).sort(),
    );
  });

  it('Given a client that cannot send a GET body, When it uses ?email=, Then it gets the balance', async () => {
    await respondWith((data) => balanceReply((data as { user_id: string }).user_id, '1.25'));
    const response = await call(
      service.url,
      'GET',
      `/getBalance?email=${encodeURIComponent(' GRACE@example.com')}`,
    );
    expect(response.status).toBe(200);
    expect(response.json).toEqual({
      email: 'grace@example.com',
      user_id: user.user_id,
      balance: 1.25,
      held: 0,
      available_balance: 1.25,
      status: 'active',
    });
  });

  it('Given a client that sends a JSON content type with an empty GET body, When it uses ?email=, Then it gets the balance', async () => {
    await respondWith((data) => balanceReply((data as { user_id: string }).user_id, '2.00'));
    const response = await call(service.url, 'GET', '/getBalance?email=grace@example.com', {
      body: '',
      headers: { 'content-type': 'application/json' },
    });
    expect(response.status, response.text).toBe(200);
    expect(response.json.balance).toBe(2);

    const broken = await call(service.url, 'GET', '/getBalance', {
      body: '{"email": ',
      headers: { 'content-type': 'application/json' },
    });
    expect(broken.status).toBe(400);
    expect(broken.json.code).toBe('MALFORMED_JSON');
  });

  it('Given both a body and ?email=, When asked, Then the body wins', async () => {
    await respondWith(() => JSON.stringify({ ok: false, code: 'WALLET_NOT_FOUND' }));
    const response = await call(service.url, 'GET', '/getBalance?email=grace@example.com', {
      json: { email: 'someone-else@example.com' },
    });
    expect(response.status).toBe(404);
  });

  it.each([
    ['neither body nor query', '/getBalance', undefined],
    ['a bad query email', '/getBalance?email=nope', undefined],
    ['a bad body email', '/getBalance', { email: 'nope' }],
    ['a null body email', '/getBalance', { email: null }],
  ])('Given %s, When asked, Then 400 INVALID_EMAIL', async (_label, path, json) => {
    const response = await call(service.url, 'GET', path, json === undefined ? {} : { json });
    expect(response.status).toBe(400);
    expect(response.json.code).toBe('INVALID_EMAIL');
  });
});
