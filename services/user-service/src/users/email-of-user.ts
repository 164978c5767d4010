import { LRUCache } from 'lru-cache';
import type { Pool } from '../../../shared/src/db/pool.ts';
import { findUserById } from '../repositories/users-repository.ts';
import { USER_IDENTITY_CACHE_MAX, USER_IDENTITY_CACHE_TTL_MS } from './user-identity-cache.ts';

/**
 * user id → email, with found answers remembered (an email never changes): what a user token's
 * own email is, asked before any email it names is looked up (see assertOwnEmail). A user token
 * whose user does not exist yet gets undefined and so owns no email.
 */
export function createEmailOfUser(pool: Pool): (userId: string) => Promise<string | undefined> {
  const cache = new LRUCache<string, string>({
    max: USER_IDENTITY_CACHE_MAX,
    ttl: USER_IDENTITY_CACHE_TTL_MS,
  });
  return async (userId) => {
    const cached = cache.get(userId);
    if (cached !== undefined) return cached;
    const user = await findUserById(pool, userId);
    if (user) cache.set(userId, user.email);
    return user?.email;
  };
}
