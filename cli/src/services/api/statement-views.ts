import type {
  KindTotalsView,
  StatementView,
  TransactionKind,
} from '../../../../services/shared/src/contracts/transactions-api.ts';
import { numberToMinor } from '../money/money-json.ts';
import { type Transaction, transactionOf } from './transactions-views.ts';

/** GET /wallets/{user_id}/balance?at= as the CLI holds it: money in minor units. */
export type BalanceAt = {
  userId: string;
  at: string;
  balanceMinor: bigint;
  heldMinor: bigint;
  availableMinor: bigint;
  asOfTransactionId: string | null;
};

export type KindTotals = { count: number; inMinor: bigint; outMinor: bigint };

/** One page of a statement; opening, closing and totals are the whole period's. */
export type Statement = {
  userId: string;
  from: string;
  to: string;
  openingBalanceMinor: bigint;
  closingBalanceMinor: bigint;
  openingHeldMinor: bigint;
  closingHeldMinor: bigint;
  totals: Map<TransactionKind, KindTotals>;
  transactions: Transaction[];
  nextCursor: string | null;
};

/** A CSV statement being received: the row count when the service said it, and the bytes as they come. */
export type StatementCsv = { rows: number | undefined; body: AsyncIterable<Buffer> };

export function statementOf(view: StatementView): Statement {
  const totals = Object.entries(view.totals) as [TransactionKind, KindTotalsView][];
  return {
    userId: view.user_id,
    from: view.from,
    to: view.to,
    openingBalanceMinor: numberToMinor(view.opening_balance),
    closingBalanceMinor: numberToMinor(view.closing_balance),
    openingHeldMinor: numberToMinor(view.opening_held),
    closingHeldMinor: numberToMinor(view.closing_held),
    totals: new Map(
      totals.map(([kind, sum]) => [
        kind,
        { count: sum.count, inMinor: numberToMinor(sum.amount_in), outMinor: numberToMinor(sum.amount_out) },
      ]),
    ),
    transactions: view.transactions.map(transactionOf),
    nextCursor: view.next_cursor,
  };
}
