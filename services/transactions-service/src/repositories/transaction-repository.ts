import type { PoolClient } from '../../../shared/src/db/pool.ts';
import { formatMinor, numericToMinor } from '../../../shared/src/money.ts';
import type { Queryable } from './queryable.ts';

export type TransactionKind = 'deposit' | 'transfer_out' | 'transfer_in';

export type Movement = {
  id: string;
  userId: string;
  kind: TransactionKind;
  /** Signed: negative for transfer_out. */
  balanceChangeMinor: bigint;
  transferId: string | null;
  counterpartyId: string | null;
  idempotencyKey: string | null;
};

export type RecordedMovement = { oldBalanceMinor: bigint; newBalanceMinor: bigint; timestamp: Date };

export type TransactionRow = {
  id: string;
  seq: bigint;
  userId: string;
  kind: TransactionKind;
  balanceChangeMinor: bigint;
  oldBalanceMinor: bigint;
  newBalanceMinor: bigint;
  transferId: string | null;
  counterpartyId: string | null;
  timestamp: Date;
};

/**
 * Changes one wallet's balance and writes its history row in one statement. PostgreSQL does
 * the arithmetic on NUMERIC with the change given as exact decimal text. The caller holds the
 * wallet's row lock and has checked the limits; the table's CHECKs catch anything missed.
 */
export async function recordMovement(client: PoolClient, movement: Movement): Promise<RecordedMovement> {
  const { rows } = await client.query<{ old_balance: string; new_balance: string; timestamp: Date }>(
    `WITH moved AS (
       UPDATE users SET balance = balance + $3::numeric
        WHERE user_id = $2::uuid
        RETURNING user_id, balance - $3::numeric AS old_balance, balance AS new_balance
     )
     INSERT INTO transactions
       (id, user_id, kind, balance_change, old_balance, new_balance, transfer_id, counterparty_id, idempotency_key)
     SELECT $1::uuid, user_id, $4::text, $3::numeric, old_balance, new_balance, $5::uuid, $6::uuid, $7::text
       FROM moved
     RETURNING old_balance::text, new_balance::text, "timestamp"`,
    [
      movement.id,
      movement.userId,
      formatMinor(movement.balanceChangeMinor),
      movement.kind,
      movement.transferId,
      movement.counterpartyId,
      movement.idempotencyKey,
    ],
  );
  const row = rows[0];
  // The caller locked this wallet in the same transaction, so it must still exist.
  if (!row) throw new Error(`wallet ${movement.userId} vanished while locked`);
  return {
    oldBalanceMinor: numericToMinor(row.old_balance),
    newBalanceMinor: numericToMinor(row.new_balance),
    timestamp: row.timestamp,
  };
}

type TransactionRecord = {
  id: string;
  seq: string;
  user_id: string;
  kind: TransactionKind;
  balance_change: string;
  old_balance: string;
  new_balance: string;
  transfer_id: string | null;
  counterparty_id: string | null;
  timestamp: Date;
};

/** A user's history, newest first, strictly older than `beforeSeq` when given. */
export async function listTransactions(
  db: Queryable,
  options: { userId: string; limit: number; beforeSeq?: bigint },
): Promise<TransactionRow[]> {
  const { rows } = await db.query<TransactionRecord>(
    `SELECT id::text, seq::text, user_id::text, kind, balance_change::text, old_balance::text,
            new_balance::text, transfer_id::text, counterparty_id::text, "timestamp"
       FROM transactions
      WHERE user_id = $1::uuid AND ($3::bigint IS NULL OR seq < $3::bigint)
      -- Qualified: a bare "seq" would name the text output column and sort "9" after "10".
      ORDER BY transactions.seq DESC
      LIMIT $2::int`,
    [options.userId, options.limit, options.beforeSeq?.toString() ?? null],
  );
  return rows.map((row) => ({
    id: row.id,
    seq: BigInt(row.seq),
    userId: row.user_id,
    kind: row.kind,
    balanceChangeMinor: numericToMinor(row.balance_change),
    oldBalanceMinor: numericToMinor(row.old_balance),
    newBalanceMinor: numericToMinor(row.new_balance),
    transferId: row.transfer_id,
    counterpartyId: row.counterparty_id,
    timestamp: row.timestamp,
  }));
}
