import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningUserService } from '../../services/user-service/src/service.ts';
import {
  call,
  createTestDatabase,
  startTestUserService,
  type TestDatabase,
  uniqueNamespace,
  withDatabase,
  writeTokensFile,
} from '../support/index.ts';

const FIRST_OPERATOR_TOKEN = 'scope-first-operator-token-4b1e9a';
const SECOND_OPERATOR_TOKEN = 'scope-second-operator-token-7d3c52';

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('Idempotency-Key spaces of user-service: one per caller', () => {
  let database: TestDatabase;
  let service: RunningUserService;
  let workDir: string;

  const createUser = (token: string, email: string, key: string) =>
    call(service.url, 'POST', '/createUser', {
      json: { email },
      headers: { ...bearer(token), 'idempotency-key': key },
    });

  beforeAll(async () => {
    // Given two operators, each with a token of their own
    database = await createTestDatabase('user_service_idempotency_scope');
    workDir = mkdtempSync(path.join(tmpdir(), 'user-idempotency-scope-'));
    const tokensFile = writeTokensFile(workDir, [
      { token: FIRST_OPERATOR_TOKEN, scope: 'operator', name: 'first-operator' },
      { token: SECOND_OPERATOR_TOKEN, scope: 'operator', name: 'second-operator' },
    ]);
    service = await startTestUserService(database.url, uniqueNamespace(), { WALLET_TOKENS_FILE: tokensFile });
  });

  afterAll(async () => {
    await service?.stop();
    await database?.drop();
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  it('Given one operator created a user under a key, When another operator creates a user under the same key, Then both are created and each retry replays its own user', async () => {
    // Given
    const key = 'same-key-1';
    const first = await createUser(FIRST_OPERATOR_TOKEN, 'scope-first@example.com', key);

    // When
    const second = await createUser(SECOND_OPERATOR_TOKEN, 'scope-second@example.com', key);
    const firstAgain = await createUser(FIRST_OPERATOR_TOKEN, 'scope-first@example.com', key);
    const secondAgain = await createUser(SECOND_OPERATOR_TOKEN, 'scope-second@example.com', key);

    // Then
    expect([first.status, second.status]).toEqual([201, 201]);
    expect(second.headers['idempotency-replayed']).toBeUndefined();
    expect(second.json.user_id).not.toBe(first.json.user_id);
    expect(firstAgain.headers['idempotency-replayed']).toBe('true');
    expect(firstAgain.json).toEqual(first.json);
    expect(secondAgain.headers['idempotency-replayed']).toBe('true');
    expect(secondAgain.json).toEqual(second.json);
  });

  it("Given a key one operator used, When another sends a taken email under it, Then the answer is the one an unused key gets and says nothing of the other's key", async () => {
    // Given
    const firstOperatorsKey = 'first-operators-key-2';
    const theirs = await createUser(FIRST_OPERATOR_TOKEN, 'scope-theirs@example.com', firstOperatorsKey);
    const other = await createUser(FIRST_OPERATOR_TOKEN, 'scope-other@example.com', `other-${randomUUID()}`);
    expect([theirs.status, other.status]).toEqual([201, 201]);

    // When: their key with their email (a replay would show their user), and with another taken email
    const theirEmail = await createUser(SECOND_OPERATOR_TOKEN, 'scope-theirs@example.com', firstOperatorsKey);
    const otherEmail = await createUser(SECOND_OPERATOR_TOKEN, 'scope-other@example.com', firstOperatorsKey);
    const unusedKey = await createUser(
      SECOND_OPERATOR_TOKEN,
      'scope-other@example.com',
      `unused-${randomUUID()}`,
    );

    // Then
    expect([unusedKey.status, unusedKey.json.code]).toEqual([409, 'EMAIL_TAKEN']);
    for (const probe of [theirEmail, otherEmail]) {
      expect([probe.status, probe.json.code]).toEqual([unusedKey.status, unusedKey.json.code]);
      expect(probe.headers['idempotency-replayed']).toBeUndefined();
    }
  });

  it('Given a key stored before keys had callers (no caller in it), When an operator sends that key, Then the old row is not reached: the user is created', async () => {
    // Given: a row as the unscoped scheme stored it
    const key = 'stored-before-scoping-3';
    await withDatabase(database.url, (client) =>
      client.query(
        `INSERT INTO idempotency_keys (idempotency_key, email, user_id)
         VALUES ($1::text, 'scope-legacy@example.com', $2::uuid)`,
        [key, randomUUID()],
      ),
    );

    // When
    const created = await createUser(FIRST_OPERATOR_TOKEN, 'scope-new@example.com', key);

    // Then
    expect(created.status).toBe(201);
    expect(created.headers['idempotency-replayed']).toBeUndefined();
    expect(created.json.email).toBe('scope-new@example.com');
  });
});

describe('Idempotency-Key space of user-service with authentication disabled', () => {
  let database: TestDatabase;
  let service: RunningUserService;

  beforeAll(async () => {
    database = await createTestDatabase('user_service_idempotency_no_auth');
    service = await startTestUserService(database.url, uniqueNamespace(), {
      WALLET_OPERATOR_TOKEN: '',
      WALLET_AUTH_DISABLED: 'true',
    });
  });

  afterAll(async () => {
    await service?.stop();
    await database?.drop();
  });

  it('Given authentication is off, When two requests with different or no bearer tokens send one key, Then they share one space: the second replays the first', async () => {
    // Given
    const key = 'no-auth-key-1';
    const first = await call(service.url, 'POST', '/createUser', {
      json: { email: 'no-auth@example.com' },
      headers: { authorization: '', 'idempotency-key': key },
    });

    // When
    const second = await call(service.url, 'POST', '/createUser', {
      json: { email: 'no-auth@example.com' },
      headers: { ...bearer('any-token-at-all-0123456789'), 'idempotency-key': key },
    });

    // Then
    expect(first.status).toBe(201);
    expect(second.headers['idempotency-replayed']).toBe('true');
    expect(second.json).toEqual(first.json);
  });
});
