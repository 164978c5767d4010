import type { Hold, HoldStatus } from '../api/transactions-api.ts';
import type { UserView } from '../api/users-api.ts';
import type { WalletApis } from '../api/wallet-apis.ts';
import { resolveUser } from '../users/resolve-user.ts';
import { nameUsers } from './name-users.ts';

export type HoldListing = {
  user: UserView;
  holds: Hold[];
  nextCursor: string | null;
  /** user id → email for the other sides we could name. */
  counterpartyEmails: Map<string, string>;
};

/** One page of the holds a user sends or receives, newest first. */
export async function listHolds(
  apis: WalletApis,
  input: { user: string; status?: HoldStatus; limit: number; cursor?: string },
): Promise<HoldListing> {
  const user = await resolveUser(apis.users, input.user);
  const page = await apis.transactions.listHolds({
    userId: user.user_id,
    limit: input.limit,
    ...(input.status ? { status: input.status } : {}),
    ...(input.cursor ? { cursor: input.cursor } : {}),
  });
  const counterparties = page.items.map((hold) => counterpartyOf(hold, user.user_id));
  return {
    user,
    holds: page.items,
    nextCursor: page.nextCursor,
    counterpartyEmails: await nameUsers(apis, counterparties),
  };
}

/** The other side of a hold, seen from `userId`. */
export function counterpartyOf(hold: Hold, userId: string): string {
  return hold.fromUserId === userId ? hold.toUserId : hold.fromUserId;
}
