import { setTimeout as sleep } from 'node:timers/promises';
import type { Pool, PoolClient } from '../../../shared/src/db/pool.ts';
import {
  isConnectionError,
  isRetryableError,
  TRANSACTION_ATTEMPTS_MAX,
} from '../../../shared/src/db/transaction.ts';

const BACKOFF_BASE_MS = 5;
const BACKOFF_CAP_MS = 250;

/**
 * Runs `work`, one statement that is a whole transaction on its own (no BEGIN/COMMIT around it),
 * on a pooled client, and re-runs it on a serialization failure or deadlock with jittered
 * exponential backoff and a cap, as `withTransaction` does for multi-statement transactions.
 * The client is kept unless its connection broke: pool.query would discard it on any error.
 */
export async function withStatementRetries<T>(
  pool: Pool,
  work: (client: PoolClient) => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const client = await pool.connect();
    let broken = false;
    try {
      return await work(client);
    } catch (error) {
      broken = isConnectionError(error);
      if (!isRetryableError(error) || attempt >= TRANSACTION_ATTEMPTS_MAX) throw error;
    } finally {
      client.release(broken);
    }
    const ceilingMs = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** attempt);
    await sleep(Math.random() * ceilingMs);
  }
}
