import { type UserByEmailReply, userByEmailRequestSchema } from '../../../shared/src/contracts/nats.ts';
import type { Pool } from '../../../shared/src/db/pool.ts';
import { createUserIdentityLookup } from '../users/user-identity-cache.ts';

/**
 * Answers transactions-service's "whom does this email name?" (a transfer by `to_email`) with the
 * user id alone. Anything that throws (database down) becomes INTERNAL_ERROR in serveJson, so the
 * requester gets a reply instead of a timeout.
 */
export function createUserByEmailHandler(pool: Pool): (data: unknown) => Promise<UserByEmailReply> {
  const findUser = createUserIdentityLookup(pool);
  return async (data) => {
    const request = userByEmailRequestSchema.safeParse(data);
    if (!request.success) return { ok: false, code: 'INVALID_REQUEST' };
    const user = await findUser(request.data.email);
    return user ? { ok: true, user_id: user.user_id } : { ok: false, code: 'USER_NOT_FOUND' };
  };
}
