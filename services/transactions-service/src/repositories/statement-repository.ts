import type { TransactionKind } from '../../../shared/src/contracts/transactions-api.ts';
import type { Queryable } from '../../../shared/src/db/queryable.ts';
import { numericToMinor } from '../../../shared/src/money.ts';
import {
  TRANSACTION_COLUMNS,
  type TransactionRecord,
  type TransactionRow,
  toTransactionRow,
} from './transaction-repository.ts';

/**
 * Reads for balances at a moment and statements. A wallet's ledger is its rows in `wallet_seq`
 * order (1, 2, 3 …, each row's old balance the previous row's new one), and the rows' timestamps
 * grow with wallet_seq, so "the wallet before instant t" is one row: the last one before t. A
 * statement is then a range of wallet_seq, (opening seq, closing seq], whose rows chain from the
 * opening balance to the closing one by construction.
 */

/** Where a wallet's ledger stands at some point: its latest row then, or nothing before its first row. */
export type LedgerPoint = {
  transactionId: string | null;
  /** 0 before the first row. */
  walletSeq: bigint;
  balanceMinor: bigint;
  heldMinor: bigint;
};

export const LEDGER_START: LedgerPoint = {
  transactionId: null,
  walletSeq: 0n,
  balanceMinor: 0n,
  heldMinor: 0n,
};

type PointRecord = { id: string; wallet_seq: string; new_balance: string; new_held: string };

const POINT_COLUMNS = 'id::text, wallet_seq::text, new_balance::text, new_held::text';
/** Microseconds since the epoch ($2) as a timestamptz, exactly. */
const INSTANT_SQL = `(timestamptz 'epoch' + $2::bigint * interval '1 microsecond')`;

function toPoint(record: PointRecord | undefined): LedgerPoint {
  if (!record) return LEDGER_START;
  return {
    transactionId: record.id,
    walletSeq: BigInt(record.wallet_seq),
    balanceMinor: numericToMinor(record.new_balance),
    heldMinor: numericToMinor(record.new_held),
  };
}

/**
 * Waits until no money command holds the wallet. A command dates its rows under the wallet's lock
 * and commits after, so a row dated before now can still be invisible while its command (or the
 * batch it commits with) finishes; once this share lock is granted, every row dated before the
 * request is visible, and any later one is dated after it.
 */
export async function awaitWalletWriters(db: Queryable, userId: string): Promise<void> {
  await db.query('SELECT 1 FROM users WHERE user_id = $1::uuid FOR SHARE', [userId]);
}

/** The wallet as it was just before `beforeMicros` (strictly earlier rows only). */
export async function ledgerPointBefore(
  db: Queryable,
  userId: string,
  beforeMicros: bigint,
): Promise<LedgerPoint> {
  // (user_id, "timestamp") index, read backwards from the instant: one row whatever the wallet's size.
  const { rows } = await db.query<PointRecord>(
    `SELECT ${POINT_COLUMNS} FROM transactions
      WHERE user_id = $1::uuid AND "timestamp" < ${INSTANT_SQL}
      -- Qualified: a bare wallet_seq is the text output column.
      ORDER BY transactions."timestamp" DESC, transactions.wallet_seq DESC
      LIMIT 1`,
    [userId, beforeMicros.toString()],
  );
  return toPoint(rows[0]);
}

/** The wallet right after its row `walletSeq` (0: before its first row); undefined when there is no such row. */
export async function ledgerPointAtSeq(
  db: Queryable,
  userId: string,
  walletSeq: bigint,
): Promise<LedgerPoint | undefined> {
  if (walletSeq === 0n) return LEDGER_START;
  const { rows } = await db.query<PointRecord>(
    `SELECT ${POINT_COLUMNS} FROM transactions WHERE user_id = $1::uuid AND wallet_seq = $2::bigint`,
    [userId, walletSeq.toString()],
  );
  return rows[0] ? toPoint(rows[0]) : undefined;
}

/** A range of a wallet's ledger: the rows after `afterSeq` up to and including `throughSeq`. */
export type SeqRange = { userId: string; afterSeq: bigint; throughSeq: bigint };

export type KindTotals = { count: number; inMinor: bigint; outMinor: bigint };

type KindTotalsRecord = { kind: TransactionKind; count: number; amount_in: string; amount_out: string };

/** Count and money in and out (both ≥ 0) per kind over the range; kinds without rows are absent. */
export async function sumRangeByKind(
  db: Queryable,
  range: SeqRange,
): Promise<Map<TransactionKind, KindTotals>> {
  const { rows } = await db.query<KindTotalsRecord>(
    `SELECT kind, count(*)::int AS count,
            COALESCE(sum(balance_change) FILTER (WHERE balance_change > 0), 0)::text AS amount_in,
            COALESCE(-sum(balance_change) FILTER (WHERE balance_change < 0), 0)::text AS amount_out
       FROM transactions
      WHERE user_id = $1::uuid AND wallet_seq > $2::bigint AND wallet_seq <= $3::bigint
      GROUP BY kind`,
    [range.userId, range.afterSeq.toString(), range.throughSeq.toString()],
  );
  return new Map(
    rows.map((row) => [
      row.kind,
      { count: row.count, inMinor: numericToMinor(row.amount_in), outMinor: numericToMinor(row.amount_out) },
    ]),
  );
}

/** At most `limit` rows of the range in ledger order (ascending wallet_seq). */
export async function listRangeRows(
  db: Queryable,
  range: SeqRange,
  limit: number,
): Promise<TransactionRow[]> {
  const { rows } = await db.query<TransactionRecord>(
    `SELECT ${TRANSACTION_COLUMNS} FROM transactions
      WHERE user_id = $1::uuid AND wallet_seq > $2::bigint AND wallet_seq <= $3::bigint
      -- Qualified: a bare name would sort by the text output column.
      ORDER BY transactions.wallet_seq
      LIMIT $4::int`,
    [range.userId, range.afterSeq.toString(), range.throughSeq.toString(), limit],
  );
  return rows.map(toTransactionRow);
}
