import type { Wallet, WalletStatusAction } from '../api/transactions-api.ts';
import type { UserView } from '../api/users-api.ts';
import type { WalletApis } from '../api/wallet-apis.ts';
import { resolveUser } from '../users/resolve-user.ts';

export type WalletStatusResult = { user: UserView; wallet: Wallet; idempotencyKey: string };

/** Resolves the user, then freezes, unfreezes or closes the wallet (operator tokens only). */
export async function changeWalletStatus(
  apis: WalletApis,
  input: { user: string; action: WalletStatusAction; reason?: string; idempotencyKey: string },
): Promise<WalletStatusResult> {
  const user = await resolveUser(apis.users, input.user);
  const { transactions } = apis;
  const { reason, idempotencyKey } = input;
  let wallet: Wallet;
  if (input.action === 'freeze') {
    // commander makes --reason required for freeze; an empty one is the service's to refuse.
    wallet = await transactions.freezeWallet(user.user_id, reason ?? '', idempotencyKey);
  } else if (input.action === 'unfreeze') {
    wallet = await transactions.unfreezeWallet(user.user_id, reason, idempotencyKey);
  } else {
    wallet = await transactions.closeWallet(user.user_id, reason, idempotencyKey);
  }
  return { user, wallet, idempotencyKey };
}
