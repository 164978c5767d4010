import type { UserView } from '../api/users-api.ts';
import type { WalletApis } from '../api/wallet-apis.ts';
import { resolveUser } from '../users/resolve-user.ts';
import { parseAmountArgument } from './parse-amount-argument.ts';

export type AddMoneyResult = {
  user: UserView;
  amountMinor: bigint;
  balanceMinor: bigint;
  availableMinor: bigint;
  transactionId: string;
  idempotencyKey: string;
  replayed: boolean;
};

/** Checks the amount first (no request for bad input), resolves the user, deposits. */
export async function addMoney(
  apis: WalletApis,
  input: { user: string; amount: string; idempotencyKey: string },
): Promise<AddMoneyResult> {
  const amountMinor = parseAmountArgument(input.amount);
  const user = await resolveUser(apis.users, input.user);
  const deposit = await apis.transactions.addMoney(user.user_id, amountMinor, input.idempotencyKey);
  return {
    user,
    amountMinor,
    balanceMinor: deposit.balanceMinor,
    availableMinor: deposit.availableMinor,
    transactionId: deposit.transactionId,
    idempotencyKey: input.idempotencyKey,
    replayed: deposit.replayed,
  };
}
