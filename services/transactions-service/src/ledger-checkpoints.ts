import { TOPICS, topicName } from '../../shared/src/contracts/events.ts';
import type { Pool } from '../../shared/src/db/pool.ts';
import { withStatement } from '../../shared/src/db/transaction.ts';

/** Wallets per checkpoint record: well under Kafka's 1 MB default message size. */
export const CHECKPOINT_PART_SIZE = 2_000;

export type LedgerCheckpoints = { takeNow(): Promise<number | null>; stop(): Promise<void> };

/**
 * Checkpoints the ledger on an interval (SQL function take_ledger_checkpoint, migration 004):
 * pins each changed wallet's latest sequence and hash and a root hash over all wallets, and sends
 * them to `ledger-checkpoints` through the outbox. Every replica tries; an advisory lock lets one
 * at a time through, and a checkpoint with nothing changed is not taken.
 */
export function startLedgerCheckpoints(options: {
  pool: Pool;
  namespace: string;
  intervalMs: number;
  onTaken: () => void;
  onError: (error: unknown) => void;
}): LedgerCheckpoints {
  let current: Promise<number | null> | undefined;

  async function takeNow(): Promise<number | null> {
    const checkpointId = await withStatement(options.pool, async (client) => {
      const { rows } = await client.query<{ checkpoint_id: string | null }>(
        'SELECT take_ledger_checkpoint($1::text, $2::text, $3::int)::text AS checkpoint_id',
        [
          topicName(options.namespace, TOPICS.ledgerCheckpoints),
          TOPICS.ledgerCheckpoints,
          CHECKPOINT_PART_SIZE,
        ],
      );
      return rows[0]?.checkpoint_id ?? null;
    });
    if (checkpointId === null) return null;
    options.onTaken();
    return Number(checkpointId);
  }

  const timer = setInterval(() => {
    if (current) return;
    current = takeNow()
      .catch((error: unknown) => {
        options.onError(error);
        return null;
      })
      .finally(() => {
        current = undefined;
      });
  }, options.intervalMs);
  // Checkpoints alone must not keep the process alive.
  timer.unref();

  return {
    takeNow,
    async stop() {
      clearInterval(timer);
      await current;
    },
  };
}
