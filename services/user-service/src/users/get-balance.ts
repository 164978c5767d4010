import type { z } from 'zod';
import type { balanceResponseSchema } from '../../../shared/src/contracts/users-api.ts';
import { AppError } from '../../../shared/src/errors.ts';
import { minorToNumber } from '../../../shared/src/money.ts';
import { type BalanceRequestOptions, requestWalletBalances } from '../messaging/balance-client.ts';
import type { UserIdentity } from './user-identity-cache.ts';

export type BalanceView = z.infer<typeof balanceResponseSchema>;

/** Resolves the email here, then asks transactions-service; user-service never stores a balance. */
export async function getBalance(
  findUser: (email: string) => Promise<UserIdentity | undefined>,
  balance: BalanceRequestOptions,
  query: { email: string; requestId: string; authorize: (userId: string) => void },
): Promise<BalanceView> {
  const user = await findUser(query.email);
  if (!user) throw new AppError('USER_NOT_FOUND', `no user with email ${query.email}`);
  query.authorize(user.user_id);
  const wallet = await requestWalletBalances(balance, {
    userId: user.user_id,
    requestId: query.requestId,
  });
  return {
    email: user.email,
    user_id: user.user_id,
    balance: minorToNumber(wallet.balanceMinor),
    held: minorToNumber(wallet.heldMinor),
    available_balance: minorToNumber(wallet.balanceMinor - wallet.heldMinor),
    status: wallet.status,
  };
}
