import type { AuditFinding } from '../../../../services/shared/src/contracts/audit-api.ts';
import { PAGE_LIMIT_MAX } from '../../../../services/shared/src/contracts/common.ts';
import type { WalletApis } from '../api/wallet-apis.ts';

export type Reconciliation = { users: number; wallets: number; findings: AuditFinding[] };

type UserEntry = { email: string; createdAt: string; wallets: number };

/**
 * Cross-service reconciliation: pages every user of user-service and every wallet of
 * transactions-service (PAGE_LIMIT_MAX a page) and checks that each user has exactly one wallet
 * and each wallet a user. Memory: one entry per user (the wallets are only streamed past them).
 */
export async function reconcileWallets(
  apis: WalletApis,
  onPage: (counts: { users: number; wallets: number }) => void,
): Promise<Reconciliation> {
  const users = new Map<string, UserEntry>();
  const findings: AuditFinding[] = [];
  let cursor: string | undefined;
  do {
    const page = await apis.users.listUsers({ limit: PAGE_LIMIT_MAX, ...(cursor ? { cursor } : {}) });
    for (const user of page.users)
      users.set(user.user_id, { email: user.email, createdAt: user.created_at, wallets: 0 });
    cursor = page.nextCursor ?? undefined;
    onPage({ users: users.size, wallets: 0 });
  } while (cursor);

  let wallets = 0;
  do {
    const page = await apis.transactions.listWallets({
      limit: PAGE_LIMIT_MAX,
      ...(cursor ? { cursor } : {}),
    });
    for (const wallet of page.items) {
      wallets += 1;
      const user = users.get(wallet.userId);
      if (user) user.wallets += 1;
      else findings.push(walletWithoutUser(wallet.userId, wallet.createdAt));
    }
    cursor = page.nextCursor ?? undefined;
    onPage({ users: users.size, wallets });
  } while (cursor);

  for (const [userId, user] of users) {
    if (user.wallets === 1) continue;
    findings.push(
      user.wallets === 0
        ? {
            kind: 'user-without-wallet',
            user_id: userId,
            detail: `user ${user.email} (created ${user.createdAt}) has no wallet in transactions-service`,
            expected: '1 wallet',
            actual: '0 wallets',
          }
        : {
            kind: 'user-with-wallets',
            user_id: userId,
            detail: `user ${user.email} is listed with ${user.wallets} wallets`,
            expected: '1 wallet',
            actual: `${user.wallets} wallets`,
          },
    );
  }
  return { users: users.size, wallets, findings };
}

function walletWithoutUser(userId: string, createdAt: string): AuditFinding {
  return {
    kind: 'wallet-without-user',
    user_id: userId,
    detail: `wallet (opened ${createdAt}) of a user user-service does not know`,
    expected: 'a user in user-service',
    actual: 'none',
  };
}
