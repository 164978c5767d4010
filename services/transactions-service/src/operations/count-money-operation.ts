import type { Counter } from 'prom-client';
import { isAppError } from '../../../shared/src/errors.ts';

export type MoneyOperationName =
  | 'addMoney'
  | 'transferMoney'
  | 'withdrawMoney'
  | 'createHold'
  | 'captureHold'
  | 'voidHold'
  | 'reverseTransfer'
  | 'reverseDeposit'
  | 'setWalletStatus';

/**
 * Runs one money command and counts how it ended in wallet_money_operations_total: `ok`,
 * `replayed` (an Idempotency-Key answered from its stored outcome), or the error code.
 */
export async function countMoneyOperation<T extends { replayed: boolean }>(
  counter: Counter<'operation' | 'result'>,
  operation: MoneyOperationName,
  work: () => Promise<T>,
): Promise<T> {
  try {
    const outcome = await work();
    counter.inc({ operation, result: outcome.replayed ? 'replayed' : 'ok' });
    return outcome;
  } catch (error) {
    counter.inc({ operation, result: isAppError(error) ? error.code : 'INTERNAL_ERROR' });
    throw error;
  }
}
