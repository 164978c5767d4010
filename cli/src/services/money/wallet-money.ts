import type { UserView } from '../api/users-api.ts';
import type { WalletApis } from '../api/wallet-apis.ts';
import { resolveUser } from '../users/resolve-user.ts';
import { parseAmountArgument } from './parse-amount-argument.ts';

/** Money into one wallet from outside (a deposit) or out of it (a withdrawal). */
export type WalletMoneyDirection = 'deposit' | 'withdrawal';

export type WalletMoneyResult = {
  user: UserView;
  amountMinor: bigint;
  balanceMinor: bigint;
  availableMinor: bigint;
  transactionId: string;
  idempotencyKey: string;
  replayed: boolean;
};

/** Checks the amount first (no request for bad input), resolves the user, deposits or pays out. */
export async function moveWalletMoney(
  apis: WalletApis,
  direction: WalletMoneyDirection,
  input: { user: string; amount: string; idempotencyKey: string },
): Promise<WalletMoneyResult> {
  const amountMinor = parseAmountArgument(input.amount);
  const user = await resolveUser(apis.users, input.user);
  const moved =
    direction === 'deposit'
      ? await apis.transactions.addMoney(user.user_id, amountMinor, input.idempotencyKey)
      : await apis.transactions.withdrawMoney(user.user_id, amountMinor, input.idempotencyKey);
  return {
    user,
    amountMinor,
    balanceMinor: moved.balanceMinor,
    availableMinor: moved.availableMinor,
    transactionId: moved.transactionId,
    idempotencyKey: input.idempotencyKey,
    replayed: moved.replayed,
  };
}
