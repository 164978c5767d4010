import type { Pool, PoolClient } from '../../../shared/src/db/pool.ts';
import { withTransaction } from '../../../shared/src/db/transaction.ts';
import { AppError } from '../../../shared/src/errors.ts';
import { toClientError } from '../database-errors.ts';
import { claimIdempotencyKey, storeIdempotentOutcome } from '../repositories/idempotency-repository.ts';

export const SUCCESS_STATUS_CODE = 200;

export type Outcome<T> = { statusCode: number; body: T; replayed: boolean };

/**
 * Runs one money command in one database transaction. With a key, the key is claimed and the
 * response stored in that same transaction: a replay returns the stored response and moves
 * nothing; a failure rolls everything back, so a client error does not burn the key.
 */
export async function runIdempotent<T>(
  pool: Pool,
  options: { scope: string; key: string | undefined; requestHash: string },
  work: (client: PoolClient) => Promise<T>,
): Promise<Outcome<T>> {
  const { scope, key, requestHash } = options;
  try {
    return await withTransaction(pool, async (client) => {
      if (key !== undefined) {
        const claim = await claimIdempotencyKey(client, { scope, key, requestHash });
        if (!claim.claimed) {
          if (claim.requestHash !== requestHash) {
            throw new AppError(
              'IDEMPOTENCY_KEY_REUSED',
              'this Idempotency-Key was used with a different request',
            );
          }
          // The outcome is stored in the transaction that claimed the key, so a committed claim has one.
          if (claim.statusCode === null) throw new Error(`idempotency key ${scope}/${key} has no outcome`);
          return { statusCode: claim.statusCode, body: claim.response as T, replayed: true };
        }
      }
      const body = await work(client);
      if (key !== undefined) {
        await storeIdempotentOutcome(client, { scope, key, statusCode: SUCCESS_STATUS_CODE, response: body });
      }
      return { statusCode: SUCCESS_STATUS_CODE, body, replayed: false };
    });
  } catch (error) {
    throw toClientError(error);
  }
}
