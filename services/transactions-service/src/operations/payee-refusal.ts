import type { Pool } from '../../../shared/src/db/pool.ts';
import { AppError } from '../../../shared/src/errors.ts';
import { findWallet } from '../repositories/wallet-repository.ts';
import { type Refusal, refusalError } from './refusal-error.ts';
import { walletNotFound } from './wallet-not-found.ts';

/**
 * What a user token is told when its payee cannot be paid, whoever the payee is: an email or id
 * that names nobody, a wallet not open yet, a closed wallet, a balance at its limit. One code and
 * one text, with no id in it, so a payer cannot tell these apart and learn who exists.
 */
export function payeeCannotBePaid(): AppError {
  return new AppError(
    'USER_NOT_FOUND',
    'the payee cannot be paid: no user with a wallet that takes payments has this email or id',
  );
}

/** The refusals transfer_money gives about the payee's side (the wallet it names is the payee's). */
const PAYEE_SIDE_CODES: ReadonlySet<string> = new Set([
  'USER_NOT_FOUND',
  'WALLET_CLOSED',
  'BALANCE_LIMIT_EXCEEDED',
]);

export function isPayeeRefusal(error: unknown, toUserId: string): error is AppError {
  return error instanceof AppError && PAYEE_SIDE_CODES.has(error.code) && error.extra.user_id === toUserId;
}

/**
 * The answer to a user token whose payee cannot be paid. The payer's own refusals come first, as
 * an open payee would get them (closed, frozen, too little money), and only then the payee's
 * one refusal: otherwise asking for more than one has would tell an open payee (INSUFFICIENT_FUNDS)
 * from nobody (the payee refusal) without moving a cent.
 */
export async function refuseUnpayablePayee(
  pool: Pool,
  fromUserId: string,
  amountMinor: bigint,
): Promise<AppError> {
  const payer = await findWallet(pool, fromUserId);
  if (!payer) return walletNotFound(fromUserId);
  const refusal = (verdict: Refusal['verdict'], balanceMinor: bigint | null = null) =>
    refusalError(
      { verdict, statusCode: null, response: null, userId: fromUserId, balanceMinor, detail: null },
      amountMinor,
    );
  if (payer.status === 'closed') return refusal('wallet_closed');
  if (payer.status === 'frozen') return refusal('wallet_frozen');
  const availableMinor = payer.balanceMinor - payer.heldMinor;
  if (availableMinor < amountMinor) return refusal('insufficient_funds', availableMinor);
  return payeeCannotBePaid();
}
