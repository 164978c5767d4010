import { PAGE_LIMIT_MAX } from '../../../../services/shared/src/contracts/common.ts';
import type { UserView } from '../api/users-api.ts';
import type { WalletApis } from '../api/wallet-apis.ts';

/** --all stops here: a listing is for reading, not for exporting millions of rows. */
export const USERS_LISTED_MAX = 100_000;

export type UserListing = { users: UserView[]; nextCursor: string | null; truncated: boolean };

/** One page (`limit` rows) or, with `all`, every page up to USERS_LISTED_MAX rows. */
export async function listUsers(
  apis: WalletApis,
  options: { limit: number; all: boolean; cursor?: string },
): Promise<UserListing> {
  const users: UserView[] = [];
  let cursor = options.cursor;
  for (;;) {
    const pageLimit = options.all ? PAGE_LIMIT_MAX : options.limit;
    const page = await apis.users.listUsers({ limit: pageLimit, ...(cursor ? { cursor } : {}) });
    users.push(...page.users);
    const more = page.nextCursor !== null;
    if (!options.all || !more) return { users, nextCursor: page.nextCursor, truncated: false };
    if (users.length >= USERS_LISTED_MAX) return { users, nextCursor: page.nextCursor, truncated: true };
    cursor = page.nextCursor ?? undefined;
  }
}
