import { parseAmount } from '../../../../services/shared/src/money.ts';
import { errorFor } from '../../error-advice.ts';

/**
 * An `<amount>` argument to minor units, checked here with the services' own rule so bad input
 * fails before any request (INVALID_AMOUNT, exit 2).
 */
export function parseAmountArgument(text: string): bigint {
  try {
    return parseAmount(text);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw errorFor('INVALID_AMOUNT', `"${text}" is not a valid amount: ${detail}`);
  }
}
