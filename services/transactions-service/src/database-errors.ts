import { isDatabaseUnavailable, isQueryCanceled } from '../../shared/src/db/database-errors.ts';
import { AppError } from '../../shared/src/errors.ts';

const NUMERIC_VALUE_OUT_OF_RANGE = '22003';
const CHECK_VIOLATION = '23514';

/**
 * Turns database failures that a client's request can provoke, or that are outages rather than
 * bugs, into coded errors; anything else is rethrown as it is and reported as a 500.
 * Limits are checked before every update, so these mappings are the second line of defence.
 */
export function toClientError(error: unknown): unknown {
  if (error instanceof AppError) return error;
  const { code, constraint } = error as { code?: string; constraint?: string };
  if (code === NUMERIC_VALUE_OUT_OF_RANGE) {
    return new AppError(
      'BALANCE_LIMIT_EXCEEDED',
      'the balance would exceed the largest balance a wallet can hold',
    );
  }
  if (code === CHECK_VIOLATION && constraint === 'users_balance_check') {
    return new AppError('INSUFFICIENT_FUNDS');
  }
  if (isQueryCanceled(error)) return new AppError('SERVICE_UNAVAILABLE', 'the database took too long; retry');
  if (isDatabaseUnavailable(error)) return new AppError('DATABASE_UNAVAILABLE');
  return error;
}
