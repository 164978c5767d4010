import pRetry from 'p-retry';
import type { Pool, PoolClient } from './pool.ts';

export const TRANSACTION_ATTEMPTS_MAX = 8;
const BACKOFF_BASE_MS = 5;
const BACKOFF_CAP_MS = 250;

/** SQLSTATEs after which re-running the whole transaction is safe and may succeed. */
const RETRYABLE_SQLSTATES = new Set([
  '40001', // serialization_failure
  '40P01', // deadlock_detected
]);

/**
 * Connection-level failures. Before COMMIT was sent the transaction did not commit; while COMMIT
 * (or a statement that is its own transaction) was in flight nobody can tell, and withTransaction
 * and withStatement say so with CommitOutcomeUnknownError.
 */
const CONNECTION_SQLSTATE_CLASSES = ['08', '57P01', '57P02', '57P03'];

/**
 * The connection was lost while the commit was in flight: the change may have committed or not.
 * Retrying blindly could apply it twice; only a retry under the same idempotency key is safe
 * (it answers the stored outcome if the first attempt committed). Still a connection error.
 */
export class CommitOutcomeUnknownError extends Error {
  override readonly name = 'CommitOutcomeUnknownError';

  constructor(cause: unknown) {
    super(
      'the database connection was lost while the commit was in flight: it may or may not have committed',
      {
        cause,
      },
    );
  }
}

export function isCommitOutcomeUnknown(error: unknown): error is CommitOutcomeUnknownError {
  return error instanceof CommitOutcomeUnknownError;
}

/**
 * pg's "not queryable": the client's connection had already failed, so the query was never
 * written to the socket; the outcome is known (nothing happened).
 */
const NEVER_SENT_MESSAGE = /not queryable/i;

/** A connection error from a commit that was written to the database: its outcome is unknown. */
function commitOutcome(error: unknown): unknown {
  if (!isConnectionError(error) || isCommitOutcomeUnknown(error)) return error;
  const message = (error as { message?: unknown })?.message;
  if (typeof message === 'string' && NEVER_SENT_MESSAGE.test(message)) return error;
  return new CommitOutcomeUnknownError(error);
}

export function isRetryableError(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'string' && RETRYABLE_SQLSTATES.has(code);
}

/**
 * pg reports some connection losses with no code at all, only a message: a pool client whose
 * socket died ("Connection terminated unexpectedly", "… is not queryable"), or a pool that could
 * not connect in time.
 */
const CONNECTION_LOST_MESSAGE =
  /Connection terminated|not queryable|timeout exceeded when trying to connect|Client was closed/i;

export function isConnectionError(error: unknown): boolean {
  if (isCommitOutcomeUnknown(error)) return true;
  const code = (error as { code?: unknown })?.code;
  const message = (error as { message?: unknown })?.message;
  if (typeof message === 'string' && CONNECTION_LOST_MESSAGE.test(message)) return true;
  if (typeof code !== 'string') return false;
  // ENOENT: over a Unix socket, PostgreSQL removes the socket file while it restarts.
  if (['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'ENOENT'].includes(code)) return true;
  return CONNECTION_SQLSTATE_CLASSES.some((prefix) => code.startsWith(prefix));
}

/**
 * Runs `work` in one database transaction and re-runs the WHOLE transaction on a
 * serialization failure or deadlock, with jittered exponential backoff and a cap.
 */
export async function withTransaction<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  return withRetries(pool, async (client, markBroken) => {
    await client.query('BEGIN');
    let result: T;
    try {
      result = await work(client);
    } catch (error) {
      // Not committed: a connection lost here took the transaction with it.
      // A client that cannot even roll back must not go back to the pool mid-transaction.
      await client.query('ROLLBACK').catch(markBroken);
      throw error;
    }
    try {
      await client.query('COMMIT');
    } catch (error) {
      const outcome = commitOutcome(error);
      if (isCommitOutcomeUnknown(outcome)) throw outcome;
      await client.query('ROLLBACK').catch(markBroken);
      throw error;
    }
    return result;
  });
}

/**
 * Runs `work`, a single statement that is a whole transaction on its own (no BEGIN/COMMIT:
 * one round trip), with the same retries as withTransaction. The statement is its own commit: a
 * connection lost while it was in flight is CommitOutcomeUnknownError.
 */
export async function withStatement<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  return withRetries(pool, async (client) => {
    try {
      return await work(client);
    } catch (error) {
      throw commitOutcome(error);
    }
  });
}

/**
 * One pooled client per attempt; a client whose connection broke is discarded rather than
 * returned to the pool (pool.query would discard it on any error, even a refusal). Serialization
 * failures and deadlocks are retried with jittered exponential backoff (p-retry), anything else
 * is thrown at once.
 */
function withRetries<T>(
  pool: Pool,
  attempt: (client: PoolClient, markBroken: () => void) => Promise<T>,
): Promise<T> {
  return pRetry(
    async () => {
      const client = await pool.connect();
      let broken = false;
      try {
        return await attempt(client, () => {
          broken = true;
        });
      } catch (error) {
        if (isConnectionError(error)) broken = true;
        throw error;
      } finally {
        client.release(broken);
      }
    },
    {
      retries: TRANSACTION_ATTEMPTS_MAX - 1,
      minTimeout: BACKOFF_BASE_MS,
      maxTimeout: BACKOFF_CAP_MS,
      randomize: true,
      shouldRetry: ({ error }) => isRetryableError(error),
    },
  );
}
