import { AppError } from '../../../shared/src/errors.ts';
import { BALANCE_MAX_MINOR, formatMinor, minorToNumber } from '../../../shared/src/money.ts';
import type { MoneyCommandResult, MoneyCommandVerdict } from '../repositories/money-command-repository.ts';
import { walletNotFound } from './wallet-not-found.ts';

type RefusalVerdict = Exclude<MoneyCommandVerdict, 'done' | 'replayed' | 'key_reused'>;
/** A verdict that refuses the command and changed nothing. */
export type Refusal = MoneyCommandResult & { verdict: RefusalVerdict };

/** A refusal's detail column the SQL function always fills: its absence is a bug. */
export function missingField(name: string): never {
  throw new Error(`money command refusal without its ${name}`);
}

/**
 * The coded error of every refusal the money functions give, worded for the command that got it:
 * `amountMinor` is what the command asked to move (undefined: "all", as capture and reverse allow).
 */
export function refusalError(refusal: Refusal, amountMinor: bigint | undefined): AppError {
  const userId = refusal.userId;
  const wallet = userId ? { user_id: userId } : {};
  const asked = amountMinor === undefined ? '' : ` ${formatMinor(amountMinor)}`;
  switch (refusal.verdict) {
    case 'wallet_not_found':
      return walletNotFound(userId ?? missingField('user_id'));
    case 'insufficient_funds':
      return new AppError(
        'INSUFFICIENT_FUNDS',
        `the available balance ${formatMinor(refusal.balanceMinor ?? missingField('balance'))} of wallet ${userId} is less than${asked}`,
        wallet,
      );
    case 'balance_limit_exceeded':
      return new AppError(
        'BALANCE_LIMIT_EXCEEDED',
        `the balance of wallet ${userId} would exceed ${formatMinor(BALANCE_MAX_MINOR)}`,
        wallet,
      );
    case 'wallet_frozen':
      return new AppError('WALLET_FROZEN', `wallet ${userId} is frozen: no money may leave it`, wallet);
    case 'wallet_closed':
      return new AppError('WALLET_CLOSED', `wallet ${userId} is closed`, wallet);
    case 'wallet_not_empty':
      return new AppError(
        'WALLET_NOT_EMPTY',
        `wallet ${userId} closes only with a zero balance and no pending hold (balance ${formatMinor(refusal.balanceMinor ?? 0n)})`,
        wallet,
      );
    case 'hold_not_found':
      return new AppError('HOLD_NOT_FOUND');
    case 'hold_not_pending':
      return new AppError('HOLD_NOT_PENDING', `the hold is ${refusal.detail ?? missingField('detail')}`, {
        hold_status: refusal.detail,
      });
    case 'hold_expired':
      return new AppError('HOLD_EXPIRED', 'the hold reached its expires_at; its money is released', {
        hold_status: 'expired',
      });
    case 'capture_exceeds_hold':
      return new AppError(
        'CAPTURE_EXCEEDS_HOLD',
        `the capture${asked} is larger than the hold ${formatMinor(refusal.balanceMinor ?? missingField('balance'))}`,
      );
    case 'transfer_not_found':
      return new AppError(
        'TRANSFER_NOT_FOUND',
        'no transfer with this id (a reversal cannot itself be reversed)',
      );
    case 'deposit_not_found':
      return new AppError('DEPOSIT_NOT_FOUND', 'no deposit with this transaction id');
    case 'reversal_exceeds_original': {
      const remaining = refusal.balanceMinor ?? missingField('balance');
      return new AppError(
        'REVERSAL_EXCEEDS_ORIGINAL',
        remaining === 0n
          ? 'the original is already fully reversed'
          : `only ${formatMinor(remaining)} of the original remains to reverse`,
        { remaining: minorToNumber(remaining) },
      );
    }
  }
}
