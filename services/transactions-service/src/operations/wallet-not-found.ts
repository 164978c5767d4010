import { AppError } from '../../../shared/src/errors.ts';

/** Wallets open asynchronously from `user-created` events, so a brand-new user may not have one yet. */
export function walletNotFound(userId: string): AppError {
  return new AppError(
    'USER_NOT_FOUND',
    `no wallet for user ${userId}; if the user was created moments ago the wallet may not be open yet, retry shortly`,
    { user_id: userId },
  );
}
