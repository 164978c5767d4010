import type { UserView } from '../api/users-api.ts';
import type { WalletApis } from '../api/wallet-apis.ts';
import { resolveUser } from '../users/resolve-user.ts';
import { parseAmountArgument } from './parse-amount-argument.ts';

export type WithdrawMoneyResult = {
  user: UserView;
  amountMinor: bigint;
  balanceMinor: bigint;
  availableMinor: bigint;
  transactionId: string;
  idempotencyKey: string;
  replayed: boolean;
};

/** Checks the amount first (no request for bad input), resolves the user, pays out. */
export async function withdrawMoney(
  apis: WalletApis,
  input: { user: string; amount: string; idempotencyKey: string },
): Promise<WithdrawMoneyResult> {
  const amountMinor = parseAmountArgument(input.amount);
  const user = await resolveUser(apis.users, input.user);
  const withdrawal = await apis.transactions.withdrawMoney(user.user_id, amountMinor, input.idempotencyKey);
  return {
    user,
    amountMinor: withdrawal.amountMinor,
    balanceMinor: withdrawal.balanceMinor,
    availableMinor: withdrawal.availableMinor,
    transactionId: withdrawal.transactionId,
    idempotencyKey: input.idempotencyKey,
    replayed: withdrawal.replayed,
  };
}
