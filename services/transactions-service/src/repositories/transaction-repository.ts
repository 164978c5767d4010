import type { Queryable } from '../../../shared/src/db/queryable.ts';
import { numericToMinor } from '../../../shared/src/money.ts';

export type TransactionKind = 'deposit' | 'transfer_out' | 'transfer_in';

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
