import { randomUUID } from 'node:crypto';
import type { Pool } from '../../../shared/src/db/pool.ts';
import { withStatement } from '../../../shared/src/db/transaction.ts';
import { AppError } from '../../../shared/src/errors.ts';
import { outboxEventHeaders } from '../../../shared/src/outbox/enqueue-event.ts';
import { newRowId } from '../../../shared/src/row-ids.ts';
import { USER_CREATED_EVENT_TYPE, userCreatedTopic } from '../messaging/user-created-event.ts';
import { createUserWithEvent } from '../repositories/create-user-statement.ts';
import { findIdempotencyRecord } from '../repositories/idempotency-repository.ts';
import { findUserById, type UserRow } from '../repositories/users-repository.ts';

export type CreateUserCommand = {
  email: string;
  idempotencyKey: string | undefined;
  namespace: string;
  requestId: string;
};

export type CreateUserResult = { user: UserRow; replayed: boolean };

/**
 * One statement: (claim the idempotency key,) insert the user, write the user-created event to
 * the outbox. Either all of it commits or none; the relay publishes the event after commit.
 */
export async function createUser(pool: Pool, command: CreateUserCommand): Promise<CreateUserResult> {
  const eventId = newRowId();
  const created = await withStatement(pool, (client) =>
    createUserWithEvent(client, {
      userId: randomUUID(),
      email: command.email,
      idempotencyKey: command.idempotencyKey,
      event: {
        eventId,
        topic: userCreatedTopic(command.namespace),
        headers: outboxEventHeaders({ eventId, type: USER_CREATED_EVENT_TYPE, requestId: command.requestId }),
      },
    }),
  );
  if (created) return { user: created, replayed: false };
  if (command.idempotencyKey === undefined)
    throw new Error('createUser inserted nothing without an Idempotency-Key');
  return replay(pool, command.idempotencyKey, command.email);
}

/**
 * The key was used before, by a request that committed: same email → the first response again;
 * another email → 422.
 */
async function replay(pool: Pool, key: string, email: string): Promise<CreateUserResult> {
  const record = await findIdempotencyRecord(pool, key);
  if (!record || record.email !== email) {
    throw new AppError('IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was used to create another user');
  }
  const user = await findUserById(pool, record.user_id);
  // The key row and the user commit together, so the user exists; assert it loudly if not.
  if (!user) throw new Error(`idempotency key ${key} points at missing user ${record.user_id}`);
  return { user, replayed: true };
}
