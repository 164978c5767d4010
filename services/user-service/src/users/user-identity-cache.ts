import { LRUCache } from 'lru-cache';
import type { Pool } from '../../../shared/src/db/pool.ts';
import { findUserIdentityByEmail } from '../repositories/users-repository.ts';

/** Whom an email names: what getBalance needs before it asks transactions-service. */
export type UserIdentity = { user_id: string; email: string };

/** Emails remembered per replica; ~200 bytes each, so at most ~10 MB. */
export const USER_IDENTITY_CACHE_MAX = 50_000;
/**
 * Users are never deleted and their email and id never change, so an entry cannot go stale in
 * this service. The TTL only bounds how long one outlives a database restored from a backup.
 */
export const USER_IDENTITY_CACHE_TTL_MS = 10 * 60_000;

/**
 * email → user, with the answers remembered: getBalance then costs no query in this service. Only
 * found users are kept; an unknown email is asked again each time (it may be created meanwhile).
 * One per app: tests run several services, each on its own database, in one process.
 */
export function createUserIdentityLookup(pool: Pool): (email: string) => Promise<UserIdentity | undefined> {
  const cache = new LRUCache<string, UserIdentity>({
    max: USER_IDENTITY_CACHE_MAX,
    ttl: USER_IDENTITY_CACHE_TTL_MS,
  });
  return async (email) => {
    const cached = cache.get(email);
    if (cached) return cached;
    const found = await findUserIdentityByEmail(pool, email);
    if (found) cache.set(email, found);
    return found;
  };
}
