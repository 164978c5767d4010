import { isConnectionError } from '../../shared/src/db/transaction.ts';
import { AppError } from '../../shared/src/errors.ts';

const NUMERIC_VALUE_OUT_OF_RANGE = '22003';
const CHECK_VIOLATION = '23514';
const QUERY_CANCELED = '57014';
/** The database is missing or out of resources (too many connections, disk full): an outage, not a bug. */
const UNAVAILABLE_SQLSTATES = new Set(['3D000', '53000', '53100', '53200', '53300']);
const CONNECT_FAILURE_MESSAGE = /timeout exceeded when trying to connect|Connection terminated/i;

/**
 * Turns database failures that a client's request can provoke, or that are outages rather than
 * bugs, into coded errors; anything else is rethrown as it is and reported as a 500.
 * Limits are checked before every update, so these mappings are the second line of defence.
 */
export function toClientError(error: unknown): unknown {
  if (error instanceof AppError) return error;
  const { code, constraint, message } = error as { code?: string; constraint?: string; message?: string };
  if (code === NUMERIC_VALUE_OUT_OF_RANGE) {
    return new AppError(
      'BALANCE_LIMIT_EXCEEDED',
      'the balance would exceed the largest balance a wallet can hold',
    );
  }
  if (code === CHECK_VIOLATION && constraint === 'users_balance_check') {
    return new AppError('INSUFFICIENT_FUNDS');
  }
  if (code === QUERY_CANCELED)
    return new AppError('SERVICE_UNAVAILABLE', 'the database took too long; retry');
  const unavailable = code !== undefined && UNAVAILABLE_SQLSTATES.has(code);
  if (unavailable || isConnectionError(error) || CONNECT_FAILURE_MESSAGE.test(message ?? '')) {
    return new AppError('DATABASE_UNAVAILABLE');
  }
  return error;
}
