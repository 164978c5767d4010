import type { Pool, PoolClient } from '../../../shared/src/db/pool.ts';
import { withStatement } from '../../../shared/src/db/transaction.ts';
import { AppError } from '../../../shared/src/errors.ts';
import { toClientError } from '../database-errors.ts';
import type { MoneyCommandResult } from '../repositories/money-command-repository.ts';

export const SUCCESS_STATUS_CODE = 200;

/** What a money operation answers: the response to send, and whether it was replayed from its key. */
export type Outcome<T> = { statusCode: number; body: T; replayed: boolean };
/** A verdict that refuses the command (no wallet, funds, limit), as its operation words it. */
export type Refusal = MoneyCommandResult & {
  verdict: 'wallet_not_found' | 'insufficient_funds' | 'balance_limit_exceeded';
};

/**
 * Runs one money command: a single statement that is its own transaction (claim the key, move
 * the money, write the outbox event, store the response), retried whole on a serialization
 * failure or deadlock. A replay returns the stored response and moves nothing; a refusal moved
 * nothing and left the key unclaimed, and is turned into its coded error by `refuse`.
 */
export async function runMoneyCommand<T>(
  pool: Pool,
  call: (client: PoolClient) => Promise<MoneyCommandResult>,
  refuse: (refusal: Refusal) => AppError,
): Promise<Outcome<T>> {
  let result: MoneyCommandResult;
  try {
    result = await withStatement(pool, call);
  } catch (error) {
    throw toClientError(error);
  }
  switch (result.verdict) {
    case 'done':
    case 'replayed':
      if (result.statusCode === null) throw new Error(`money command ${result.verdict} without a status`);
      // The body was built in SQL from the NUMERIC balances; the route's schema checks its shape.
      return {
        statusCode: result.statusCode,
        body: result.response as T,
        replayed: result.verdict === 'replayed',
      };
    case 'key_reused':
      throw new AppError('IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was used with a different request');
    default:
      throw refuse({ ...result, verdict: result.verdict });
  }
}

/** A refusal's detail column the SQL function always fills: its absence is a bug. */
export function missingField(name: string): never {
  throw new Error(`money command refusal without its ${name}`);
}
