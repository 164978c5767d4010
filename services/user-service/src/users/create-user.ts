import { randomUUID } from 'node:crypto';
import type { Pool, PoolClient } from '../../../shared/src/db/pool.ts';
import { withTransaction } from '../../../shared/src/db/transaction.ts';
import { AppError } from '../../../shared/src/errors.ts';
import { enqueueUserCreated } from '../messaging/user-created-event.ts';
import { claimIdempotencyKey, findIdempotencyRecord } from '../repositories/idempotency-repository.ts';
import { findUserById, insertUser, type UserRow } from '../repositories/users-repository.ts';
import { toUserView } from './user-view.ts';

export type CreateUserCommand = {
  email: string;
  idempotencyKey: string | undefined;
  namespace: string;
  requestId: string;
};

export type CreateUserResult = { user: UserRow; replayed: boolean };

/**
 * One transaction: (claim the idempotency key,) insert the user, write the user-created event to
 * the outbox. Either all of it commits or none; the relay publishes the event after commit.
 */
export async function createUser(pool: Pool, command: CreateUserCommand): Promise<CreateUserResult> {
  return withTransaction(pool, async (client) => {
    const userId = randomUUID();
    if (command.idempotencyKey !== undefined) {
      const claimed = await claimIdempotencyKey(client, {
        key: command.idempotencyKey,
        email: command.email,
        userId,
      });
      if (!claimed) return replay(client, command.idempotencyKey, command.email);
    }
    const user = await insertUser(client, { userId, email: command.email });
    await enqueueUserCreated(client, {
      namespace: command.namespace,
      payload: toUserView(user),
      requestId: command.requestId,
    });
    return { user, replayed: false };
  });
}

/** The key was used before: same email → the first response again; another email → 422. */
async function replay(client: PoolClient, key: string, email: string): Promise<CreateUserResult> {
  const record = await findIdempotencyRecord(client, key);
  if (!record || record.email !== email) {
    throw new AppError('IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was used to create another user');
  }
  const user = await findUserById(client, record.user_id);
  // The key row and the user commit together, so the user exists; assert it loudly if not.
  if (!user) throw new Error(`idempotency key ${key} points at missing user ${record.user_id}`);
  return { user, replayed: true };
}
