import { PAGE_LIMIT_MAX } from '../../../../services/shared/src/contracts/common.ts';
import type { Transaction } from '../api/transactions-api.ts';
import type { UserView } from '../api/users-api.ts';
import type { WalletApis } from '../api/wallet-apis.ts';
import { resolveUser } from '../users/resolve-user.ts';
import { nameUsers } from './name-users.ts';

export const HISTORY_ROWS_MAX = 100_000;

export type History = {
  user: UserView;
  transactions: Transaction[];
  nextCursor: string | null;
  truncated: boolean;
  /** user id → email for the counterparties we could name. */
  counterpartyEmails: Map<string, string>;
};

/** A user's transactions, newest first as the service orders them; `all` follows cursors (bounded). */
export async function listHistory(
  apis: WalletApis,
  input: { user: string; limit: number; all: boolean },
): Promise<History> {
  const user = await resolveUser(apis.users, input.user);
  const transactions: Transaction[] = [];
  let cursor: string | undefined;
  let nextCursor: string | null = null;
  let truncated = false;
  for (;;) {
    const limit = input.all ? PAGE_LIMIT_MAX : input.limit;
    const page = await apis.transactions.listTransactions({
      userId: user.user_id,
      limit,
      ...(cursor ? { cursor } : {}),
    });
    transactions.push(...page.items);
    nextCursor = page.nextCursor;
    if (!input.all || nextCursor === null) break;
    if (transactions.length >= HISTORY_ROWS_MAX) {
      truncated = true;
      break;
    }
    cursor = nextCursor;
  }
  return {
    user,
    transactions,
    nextCursor,
    truncated,
    counterpartyEmails: await nameUsers(
      apis,
      transactions.map((row) => row.counterpartyId),
    ),
  };
}
