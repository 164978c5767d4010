import { describe, expect, it } from 'vitest';
import {
  clientIdempotencyKey,
  IDEMPOTENCY_CALLER_LENGTH_MAX,
  idempotencyCallerOf,
} from '../../services/shared/src/http/idempotency-key-header.ts';

const USER_ID = '6f1c2a9e-0b7d-4e35-9a8c-1d2e3f405162';

describe('idempotencyCallerOf: whose space an Idempotency-Key is stored in', () => {
  it('Given two tokens of one user, whatever the case of their user id, When their caller is worked out, Then it is the same: the user', () => {
    const oldToken = idempotencyCallerOf({ scope: 'user', name: 'old', userId: USER_ID.toUpperCase() });
    const newToken = idempotencyCallerOf({ scope: 'user', name: 'new', userId: USER_ID });
    expect(oldToken).toBe(newToken);
    expect(newToken).toBe(`user:${USER_ID}`);
  });

  it('Given an operator named like a user or a reader, When their callers are worked out, Then they differ', () => {
    const callers = [
      idempotencyCallerOf({ scope: 'operator', name: USER_ID }),
      idempotencyCallerOf({ scope: 'reader', name: USER_ID }),
      idempotencyCallerOf({ scope: 'user', name: USER_ID, userId: USER_ID }),
    ];
    expect(new Set(callers).size).toBe(callers.length);
  });

  it('Given token names longer than the bound, When their callers are worked out, Then each is a bounded digest of its own, never a short name', () => {
    const longName = 'n'.repeat(IDEMPOTENCY_CALLER_LENGTH_MAX * 3);
    const first = idempotencyCallerOf({ scope: 'operator', name: longName });
    const second = idempotencyCallerOf({ scope: 'operator', name: `${longName}x` });
    expect(first.length).toBeLessThanOrEqual(IDEMPOTENCY_CALLER_LENGTH_MAX);
    expect(second).not.toBe(first);
    expect(first).toMatch(/^operator#[0-9a-f]{64}$/);
    const longest = 'n'.repeat(IDEMPOTENCY_CALLER_LENGTH_MAX - 'operator:'.length);
    expect(idempotencyCallerOf({ scope: 'operator', name: longest })).toBe(`operator:${longest}`);
  });

  it('Given stored keys of callers whose names hold the separator, and one stored before callers, When the client key is read back, Then it is what the client sent', () => {
    expect(
      clientIdempotencyKey(`${idempotencyCallerOf({ scope: 'operator', name: 'ops/eu' })}/pay-1:a.b`),
    ).toBe('pay-1:a.b');
    expect(clientIdempotencyKey(`user:${USER_ID}/k`)).toBe('k');
    expect(clientIdempotencyKey('stored-before-callers')).toBe('stored-before-callers');
  });
});
