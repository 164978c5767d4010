import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userCreatedEventSchema } from '../../services/shared/src/contracts/events.ts';
import { userCreatedTopic } from '../../services/user-service/src/messaging/user-created-event.ts';
import type { RunningUserService } from '../../services/user-service/src/service.ts';
import {
  call,
  collectTopic,
  createTestDatabase,
  startTestUserService,
  type TestDatabase,
  uniqueNamespace,
  waitFor,
  withDatabase,
} from '../support/index.ts';

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const CONCURRENT_REQUESTS = 20;

describe('POST /createUser', () => {
  let database: TestDatabase;
  let service: RunningUserService;
  let topic: { events: Awaited<ReturnType<typeof collectTopic>>['events']; stop(): Promise<void> };
  const namespace = uniqueNamespace();

  beforeAll(async () => {
    database = await createTestDatabase('user_service_create_user');
    service = await startTestUserService(database.url, namespace);
    topic = await collectTopic(userCreatedTopic(namespace));
  });

  afterAll(async () => {
    await topic?.stop();
    await service?.stop();
    await database?.drop();
  });

  const countRows = (sql: string, values: unknown[] = []) =>
    withDatabase(database.url, async (client) => Number((await client.query(sql, values)).rows[0].count));

  it('Given a new email, When created, Then 201 with the user, and the event reaches Kafka keyed by user id', async () => {
    // When
    const response = await call(service.url, 'POST', '/createUser', {
      json: { email: 'alice@example.com' },
      headers: { 'x-request-id': 'create-alice-1' },
    });

    // Then
    expect(response.status).toBe(201);
    expect(Object.keys(response.json).sort()).toEqual(['created_at', 'email', 'user_id']);
    expect(response.json.user_id).toMatch(UUID_PATTERN);
    expect(response.json.email).toBe('alice@example.com');
    expect(new Date(response.json.created_at).toISOString()).toBe(response.json.created_at);
    expect(response.headers['x-request-id']).toBe('create-alice-1');

    const event = await waitFor('the user-created event', () =>
      topic.events.find((candidate) => candidate.key === response.json.user_id),
    );
    expect(userCreatedEventSchema.parse(JSON.parse(event.value ?? ''))).toEqual(response.json);
    expect(event.headers['event-id']).toMatch(UUID_PATTERN);
    expect(event.headers['event-type']).toBe('user-created');
    expect(event.headers['request-id']).toBe('create-alice-1');

    await waitFor('published_at on the outbox row', async () => {
      const published = await countRows(
        'SELECT count(*) FROM outbox WHERE event_key = $1 AND published_at IS NOT NULL',
        [response.json.user_id],
      );
      return published === 1 ? true : undefined;
    });
  });

  it('Given an email with spaces and capitals, When created, Then it is stored trimmed and lower-case, and another case is 409', async () => {
    // Given / When
    const first = await call(service.url, 'POST', '/createUser', { json: { email: '  Bob@Example.COM ' } });

    // Then
    expect(first.status).toBe(201);
    expect(first.json.email).toBe('bob@example.com');
    const stored = await withDatabase(database.url, async (client) =>
      client.query('SELECT email FROM users WHERE user_id = $1', [first.json.user_id]),
    );
    expect(stored.rows).toEqual([{ email: 'bob@example.com' }]);

    // When the same address comes in another case
    const second = await call(service.url, 'POST', '/createUser', { json: { email: 'bob@EXAMPLE.com' } });

    // Then
    expect(second.status).toBe(409);
    expect(second.headers['content-type']).toContain('application/problem+json');
    expect(second.json.code).toBe('EMAIL_TAKEN');
    expect(await countRows("SELECT count(*) FROM users WHERE email = 'bob@example.com'")).toBe(1);
    expect(await countRows("SELECT count(*) FROM outbox WHERE payload->>'email' = 'bob@example.com'")).toBe(
      1,
    );
  });

  it.each([
    ['no @', { email: 'not-an-email' }],
    ['too long', { email: `${'a'.repeat(250)}@example.com` }],
    ['a number', { email: 12345 }],
    ['an object', { email: { address: 'x@example.com' } }],
    ['missing', {}],
    ['null', { email: null }],
    ['empty', { email: '   ' }],
  ])(
    'Given an email that is %s, When created, Then 400 INVALID_EMAIL and nothing is stored',
    async (_label, body) => {
      // Given
      const usersBefore = await countRows('SELECT count(*) FROM users');
      const eventsBefore = await countRows('SELECT count(*) FROM outbox');

      // When
      const response = await call(service.url, 'POST', '/createUser', { json: body });

      // Then
      expect(response.status).toBe(400);
      expect(response.json.code).toBe('INVALID_EMAIL');
      expect(await countRows('SELECT count(*) FROM users')).toBe(usersBefore);
      expect(await countRows('SELECT count(*) FROM outbox')).toBe(eventsBefore);
    },
  );

  it('Given a body that is not JSON, When created, Then 400 MALFORMED_JSON', async () => {
    const response = await call(service.url, 'POST', '/createUser', {
      body: '{"email": ',
      headers: { 'content-type': 'application/json' },
    });
    expect(response.status).toBe(400);
    expect(response.json.code).toBe('MALFORMED_JSON');
  });

  it(`Given ${CONCURRENT_REQUESTS} concurrent requests for one email, Then exactly one 201, the rest 409, one outbox row`, async () => {
    // Given
    const email = 'race@example.com';

    // When
    const responses = await Promise.all(
      Array.from({ length: CONCURRENT_REQUESTS }, (_, index) =>
        call(service.url, 'POST', '/createUser', {
          json: { email: index % 2 ? email.toUpperCase() : email },
        }),
      ),
    );

    // Then
    const statuses = responses.map((response) => response.status).sort();
    expect(statuses.filter((status) => status === 201)).toHaveLength(1);
    expect(statuses.filter((status) => status === 409)).toHaveLength(CONCURRENT_REQUESTS - 1);
    expect(await countRows('SELECT count(*) FROM users WHERE email = $1', [email])).toBe(1);
    expect(await countRows("SELECT count(*) FROM outbox WHERE payload->>'email' = $1", [email])).toBe(1);
  });

  it('Given an Idempotency-Key, When the same request is retried, Then the first response comes back and one user exists', async () => {
    // Given
    const headers = { 'idempotency-key': 'signup-carol-1' };
    const first = await call(service.url, 'POST', '/createUser', {
      json: { email: 'carol@example.com' },
      headers,
    });

    // When
    const retries = await Promise.all(
      [1, 2, 3].map(() =>
        call(service.url, 'POST', '/createUser', { json: { email: 'Carol@example.com' }, headers }),
      ),
    );

    // Then
    expect(first.status).toBe(201);
    for (const retry of retries) {
      expect(retry.status).toBe(201);
      expect(retry.json).toEqual(first.json);
      expect(retry.headers['idempotency-replayed']).toBe('true');
    }
    expect(await countRows("SELECT count(*) FROM outbox WHERE payload->>'email' = 'carol@example.com'")).toBe(
      1,
    );
  });

  it('Given an Idempotency-Key used for one email, When sent with another email, Then 422 IDEMPOTENCY_KEY_REUSED', async () => {
    const headers = { 'idempotency-key': 'signup-dave-1' };
    expect(
      (await call(service.url, 'POST', '/createUser', { json: { email: 'dave@example.com' }, headers }))
        .status,
    ).toBe(201);
    const other = await call(service.url, 'POST', '/createUser', {
      json: { email: 'erin@example.com' },
      headers,
    });
    expect(other.status).toBe(422);
    expect(other.json.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await countRows("SELECT count(*) FROM users WHERE email = 'erin@example.com'")).toBe(0);
  });

  it('Given an Idempotency-Key with a space, When created, Then 400 INVALID_IDEMPOTENCY_KEY', async () => {
    const response = await call(service.url, 'POST', '/createUser', {
      json: { email: 'frank@example.com' },
      headers: { 'idempotency-key': 'has space' },
    });
    expect(response.status).toBe(400);
    expect(response.json.code).toBe('INVALID_IDEMPOTENCY_KEY');
  });
});
