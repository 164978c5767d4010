import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestToken } from '../../services/shared/src/http/access-tokens.ts';
import type { RunningUserService } from '../../services/user-service/src/service.ts';
import {
  call,
  createTestDatabase,
  startTestUserService,
  type TestDatabase,
  uniqueNamespace,
} from '../support/index.ts';

const OPERATOR_TOKEN = 'operator-token-for-access-test';
const READER_TOKEN = 'reader-token-for-access-test';
const USER_TOKEN = 'user-token-for-access-test-0001';

describe('user-service with access tokens configured', () => {
  let database: TestDatabase;
  let service: RunningUserService;
  let owner: { user_id: string; email: string };
  let stranger: { user_id: string; email: string };
  const tokensFile = path.join(tmpdir(), `user-service-tokens-${process.pid}.json`);
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  beforeAll(async () => {
    database = await createTestDatabase('user_service_access');
    // The user token is tied to a user id that exists only after createUser: restart with the file.
    const first = await startTestUserService(database.url, uniqueNamespace(), {
      WALLET_OPERATOR_TOKEN: OPERATOR_TOKEN,
    });
    owner = (
      await call(first.url, 'POST', '/createUser', {
        json: { email: 'owner@example.com' },
        headers: bearer(OPERATOR_TOKEN),
      })
    ).json;
    stranger = (
      await call(first.url, 'POST', '/createUser', {
        json: { email: 'stranger@example.com' },
        headers: bearer(OPERATOR_TOKEN),
      })
    ).json;
    await first.stop();
    writeFileSync(
      tokensFile,
      JSON.stringify([
        {
          scope: 'user',
          name: 'owner',
          user_id: owner.user_id,
          sha256: digestToken(USER_TOKEN).toString('hex'),
        },
      ]),
    );
    service = await startTestUserService(database.url, uniqueNamespace(), {
      WALLET_OPERATOR_TOKEN: OPERATOR_TOKEN,
      WALLET_READER_TOKEN: READER_TOKEN,
      WALLET_TOKENS_FILE: tokensFile,
    });
  });

  afterAll(async () => {
    await service?.stop();
    await database?.drop();
    rmSync(tokensFile, { force: true });
  });

  it('Given no token, When creating a user, Then 401; health stays public', async () => {
    const response = await call(service.url, 'POST', '/createUser', { json: { email: 'anon@example.com' } });
    expect(response.status).toBe(401);
    expect(response.json.code).toBe('UNAUTHORIZED');
    expect((await call(service.url, 'GET', '/healthz')).status).toBe(200);
  });

  it('Given a reader token, When reading and creating, Then reads pass and createUser is 403', async () => {
    expect((await call(service.url, 'GET', '/users', { headers: bearer(READER_TOKEN) })).status).toBe(200);
    const create = await call(service.url, 'POST', '/createUser', {
      json: { email: 'reader-made@example.com' },
      headers: bearer(READER_TOKEN),
    });
    expect(create.status).toBe(403);
    expect(create.json.code).toBe('FORBIDDEN');
  });

  it('Given a user token, When it looks at users, Then only itself', async () => {
    const own = await call(service.url, 'GET', `/users/${owner.user_id}`, { headers: bearer(USER_TOKEN) });
    expect(own.status).toBe(200);
    const other = await call(service.url, 'GET', `/users/${stranger.user_id}`, {
      headers: bearer(USER_TOKEN),
    });
    expect(other.status).toBe(403);
    const list = await call(service.url, 'GET', '/users', { headers: bearer(USER_TOKEN) });
    expect(list.status).toBe(403);
    const byEmail = await call(service.url, 'GET', '/users?email=owner@example.com', {
      headers: bearer(USER_TOKEN),
    });
    expect(byEmail.status).toBe(200);
    const otherBalance = await call(service.url, 'GET', '/getBalance?email=stranger@example.com', {
      headers: bearer(USER_TOKEN),
    });
    expect(otherBalance.status).toBe(403);
  });

  it('Given a wrong token, When reading, Then 401', async () => {
    const response = await call(service.url, 'GET', '/users', { headers: bearer('not-a-token-we-know') });
    expect(response.status).toBe(401);
  });
});
