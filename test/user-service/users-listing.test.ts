import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningUserService } from '../../services/user-service/src/service.ts';
import {
  call,
  createTestDatabase,
  startTestUserService,
  type TestDatabase,
  uniqueNamespace,
} from '../support/index.ts';

const USER_COUNT = 23;
const PAGE_LIMIT = 5;

describe('GET /users and GET /users/{user_id}', () => {
  let database: TestDatabase;
  let service: RunningUserService;
  const createdIds: string[] = [];

  beforeAll(async () => {
    database = await createTestDatabase('user_service_listing');
    service = await startTestUserService(database.url, uniqueNamespace());
    // Concurrent inserts: several users may share a created_at, which the user_id tie-break orders.
    const responses = await Promise.all(
      Array.from({ length: USER_COUNT }, (_, index) =>
        call(service.url, 'POST', '/createUser', { json: { email: `walker${index}@example.com` } }),
      ),
    );
    for (const response of responses) {
      expect(response.status).toBe(201);
      createdIds.push(response.json.user_id);
    }
  });

  afterAll(async () => {
    await service?.stop();
    await database?.drop();
  });

  it('Given more users than a page, When the cursor is followed, Then every user comes once, in order', async () => {
    // When
    const seen: Array<{ user_id: string; created_at: string }> = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor ? `&cursor=${cursor}` : '';
      const page = await call(service.url, 'GET', `/users?limit=${PAGE_LIMIT}${query}`);
      expect(page.status).toBe(200);
      expect(page.json.users.length).toBeLessThanOrEqual(PAGE_LIMIT);
      seen.push(...page.json.users);
      cursor = page.json.next_cursor;
      pages++;
      expect(pages).toBeLessThanOrEqual(USER_COUNT);
    } while (cursor);

    // Then
    const ids = seen.map((user) => user.user_id);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual([...createdIds].sort());
    const times = seen.map((user) => user.created_at);
    expect(times).toEqual([...times].sort());
  });

  it('Given ?email= in any case, When listed, Then the page holds just that user', async () => {
    const page = await call(service.url, 'GET', '/users?email=WALKER3@example.com');
    expect(page.status).toBe(200);
    expect(page.json.users).toHaveLength(1);
    expect(page.json.users[0].email).toBe('walker3@example.com');
    expect(page.json.next_cursor).toBeNull();

    const none = await call(service.url, 'GET', '/users?email=nobody@example.com');
    expect(none.json).toEqual({ users: [], next_cursor: null });
  });

  it.each([
    ['not base64 JSON', 'abc'],
    [
      'forged with a bad date',
      Buffer.from(JSON.stringify(['2024-02-30T00:00:00.000000Z', crypto.randomUUID()])).toString('base64url'),
    ],
    ['forged with SQL', Buffer.from(JSON.stringify(["1' OR 1=1", 'x'])).toString('base64url')],
    ['punctuation', '%%%'],
  ])('Given a cursor that is %s, When listed, Then 400 INVALID_CURSOR', async (_label, cursor) => {
    const page = await call(service.url, 'GET', `/users?cursor=${encodeURIComponent(cursor)}`);
    expect(page.status).toBe(400);
    expect(page.json.code).toBe('INVALID_CURSOR');
  });

  it.each(['0', '501', 'ten'])('Given limit=%s, When listed, Then 400', async (limit) => {
    const page = await call(service.url, 'GET', `/users?limit=${limit}`);
    expect(page.status).toBe(400);
  });

  it('Given a user id, When fetched, Then the user; an unknown id is 404 and a non-UUID is 400', async () => {
    const id = createdIds[0]!;
    const found = await call(service.url, 'GET', `/users/${id}`);
    expect(found.status).toBe(200);
    expect(found.json.user_id).toBe(id);

    const missing = await call(service.url, 'GET', `/users/${crypto.randomUUID()}`);
    expect(missing.status).toBe(404);
    expect(missing.json.code).toBe('USER_NOT_FOUND');

    const malformed = await call(service.url, 'GET', '/users/not-a-uuid');
    expect(malformed.status).toBe(400);
    expect(malformed.json.code).toBe('INVALID_USER_ID');
  });
});
