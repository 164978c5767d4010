import type { TransactionKind } from '../../../shared/src/contracts/transactions-api.ts';
import type { Queryable } from '../../../shared/src/db/queryable.ts';
import { numericToMinor } from '../../../shared/src/money.ts';

export type TransactionRow = {
  id: string;
  /** Global insertion order: the history's keyset. */
  seq: bigint;
  /** The wallet's own ledger sequence: 1, 2, 3 … */
  walletSeq: bigint;
  userId: string;
  kind: TransactionKind;
  balanceChangeMinor: bigint;
  oldBalanceMinor: bigint;
  newBalanceMinor: bigint;
  heldChangeMinor: bigint;
  oldHeldMinor: bigint;
  newHeldMinor: bigint;
  transferId: string | null;
  counterpartyId: string | null;
  holdId: string | null;
  reversesId: string | null;
  reason: string | null;
  timestamp: Date;
};

/** A ledger row as pg returns TRANSACTION_COLUMNS: NUMERIC and bigint as text. */
export type TransactionRecord = {
  id: string;
  seq: string;
  wallet_seq: string;
  user_id: string;
  kind: TransactionKind;
  balance_change: string;
  old_balance: string;
  new_balance: string;
  held_change: string;
  old_held: string;
  new_held: string;
  transfer_id: string | null;
  counterparty_id: string | null;
  hold_id: string | null;
  reverses_id: string | null;
  reason: string | null;
  timestamp: Date;
};

/** The columns of a TransactionRecord, in a SELECT on `transactions`. */
export const TRANSACTION_COLUMNS = `id::text, seq::text, wallet_seq::text, user_id::text, kind, balance_change::text,
  old_balance::text, new_balance::text, held_change::text, old_held::text, new_held::text,
  transfer_id::text, counterparty_id::text, hold_id::text, reverses_id::text, reason, "timestamp"`;

/**
 * A user's history, newest first, strictly before the wallet's ledger sequence `beforeSeq` when
 * given (index transactions_user_wallet_seq_idx).
 */
export async function listTransactions(
  db: Queryable,
  options: { userId: string; limit: number; beforeSeq?: bigint },
): Promise<TransactionRow[]> {
  const { rows } = await db.query<TransactionRecord>(
    `SELECT ${TRANSACTION_COLUMNS}
       FROM transactions
      WHERE user_id = $1::uuid AND ($3::bigint IS NULL OR wallet_seq < $3::bigint)
      -- Qualified: a bare name would be the text output column and sort "9" after "10".
      ORDER BY transactions.wallet_seq DESC
      LIMIT $2::int`,
    [options.userId, options.limit, options.beforeSeq?.toString() ?? null],
  );
  return rows.map(toTransactionRow);
}

export function toTransactionRow(row: TransactionRecord): TransactionRow {
  return {
    id: row.id,
    seq: BigInt(row.seq),
    walletSeq: BigInt(row.wallet_seq),
    userId: row.user_id,
    kind: row.kind,
    balanceChangeMinor: numericToMinor(row.balance_change),
    oldBalanceMinor: numericToMinor(row.old_balance),
    newBalanceMinor: numericToMinor(row.new_balance),
    heldChangeMinor: numericToMinor(row.held_change),
    oldHeldMinor: numericToMinor(row.old_held),
    newHeldMinor: numericToMinor(row.new_held),
    transferId: row.transfer_id,
    counterpartyId: row.counterparty_id,
    holdId: row.hold_id,
    reversesId: row.reverses_id,
    reason: row.reason,
    timestamp: row.timestamp,
  };
}
