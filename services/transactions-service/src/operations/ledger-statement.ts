import {
  type BalanceAtView,
  type KindTotalsView,
  type StatementView,
  type TransactionKind,
  transactionKindSchema,
} from '../../../shared/src/contracts/transactions-api.ts';
import type { Queryable } from '../../../shared/src/db/queryable.ts';
import { invalidCursor } from '../../../shared/src/http/page-cursor.ts';
import { formatMinor, minorToNumber } from '../../../shared/src/money.ts';
import { formatMicros } from '../../../shared/src/rfc3339-time.ts';
import {
  awaitWalletWriters,
  type LedgerPoint,
  ledgerPointAtSeq,
  ledgerPointBefore,
  listRangeRows,
  type SeqRange,
  sumRangeByKind,
} from '../repositories/statement-repository.ts';
import type { TransactionRow } from '../repositories/transaction-repository.ts';
import { walletExists } from '../repositories/wallet-repository.ts';
import { transactionView } from '../routes/transaction-view.ts';
import { encodeStatementCursor, type StatementCursor, type StatementPeriod } from './statement-period.ts';
import { walletNotFound } from './wallet-not-found.ts';

/** Rows per query while a CSV statement streams: one query per batch, no connection held between them. */
export const STATEMENT_CSV_BATCH_ROWS = 2_000;

/** A statement's ledger range: the wallet just before `from` and just before `to`. */
export type StatementBounds = {
  userId: string;
  period: StatementPeriod;
  opening: LedgerPoint;
  closing: LedgerPoint;
};

/** The balance after the last row at or before `atMicros`; zeros before the first row; 404 without a wallet. */
export async function balanceAt(db: Queryable, userId: string, atMicros: bigint): Promise<BalanceAtView> {
  await awaitWalletWriters(db, userId);
  const point = await ledgerPointBefore(db, userId, atMicros + 1n);
  if (point.transactionId === null) await assertWalletExists(db, userId);
  return {
    user_id: userId,
    at: formatMicros(atMicros),
    balance: minorToNumber(point.balanceMinor),
    held: minorToNumber(point.heldMinor),
    available_balance: minorToNumber(point.balanceMinor - point.heldMinor),
    as_of_transaction_id: point.transactionId,
  };
}

/**
 * The first page finds the range from the times; later pages take it from their cursor, so all
 * pages of one statement show the same opening, closing and totals.
 */
export async function findStatementBounds(
  db: Queryable,
  userId: string,
  period: StatementPeriod,
  cursor?: StatementCursor,
): Promise<StatementBounds> {
  if (cursor) {
    const [opening, closing] = await Promise.all([
      pointOfCursor(db, userId, cursor.openingSeq),
      pointOfCursor(db, userId, cursor.closingSeq),
    ]);
    return { userId, period, opening, closing };
  }
  await awaitWalletWriters(db, userId);
  const [opening, latestBeforeTo] = await Promise.all([
    ledgerPointBefore(db, userId, period.fromMicros),
    ledgerPointBefore(db, userId, period.toMicros),
  ]);
  // The range never runs backwards, whatever the timestamps say.
  const closing = latestBeforeTo.walletSeq < opening.walletSeq ? opening : latestBeforeTo;
  if (closing.transactionId === null) await assertWalletExists(db, userId);
  return { userId, period, opening, closing };
}

/** One page of the statement: rows after `afterSeq` (the cursor's last row), or from the start of the period. */
export async function statementPage(
  db: Queryable,
  bounds: StatementBounds,
  page: { limit: number; afterSeq?: bigint | undefined },
): Promise<StatementView> {
  const range = rangeOf(bounds);
  const [totals, rows] = await Promise.all([
    sumRangeByKind(db, range),
    listRangeRows(db, { ...range, afterSeq: page.afterSeq ?? range.afterSeq }, page.limit + 1),
  ]);
  const shown = rows.slice(0, page.limit);
  const last = shown.at(-1);
  const nextCursor =
    rows.length > page.limit && last
      ? encodeStatementCursor({
          ...bounds.period,
          openingSeq: range.afterSeq,
          closingSeq: range.throughSeq,
          lastSeq: last.walletSeq,
        })
      : null;
  return {
    ...statementHeading(bounds),
    totals: totalsView(totals),
    transactions: shown.map(transactionView),
    next_cursor: nextCursor,
  };
}

export function statementHeading(bounds: StatementBounds) {
  const { opening, closing, period } = bounds;
  return {
    user_id: bounds.userId,
    from: formatMicros(period.fromMicros),
    to: formatMicros(period.toMicros),
    opening_balance: minorToNumber(opening.balanceMinor),
    closing_balance: minorToNumber(closing.balanceMinor),
    opening_held: minorToNumber(opening.heldMinor),
    closing_held: minorToNumber(closing.heldMinor),
  };
}

export function rangeOf(bounds: StatementBounds): SeqRange {
  return { userId: bounds.userId, afterSeq: bounds.opening.walletSeq, throughSeq: bounds.closing.walletSeq };
}

/** The CSV columns: the members of a GET /transactions row, in the same order. */
export const STATEMENT_CSV_COLUMNS = [
  'id',
  'user_id',
  'seq',
  'kind',
  'balance_change',
  'old_balance',
  'new_balance',
  'held_change',
  'old_held',
  'new_held',
  'transfer_id',
  'counterparty_id',
  'hold_id',
  'reverses_id',
  'reason',
  'timestamp',
] as const;
const CSV_LINE_END = '\r\n';

/**
 * The whole period as RFC 4180 CSV, a header line first: batches of keyset queries in ledger
 * order, each pulled only when the reader wants more, so memory stays at one batch.
 */
export async function* statementCsv(db: Queryable, bounds: StatementBounds): AsyncGenerator<string> {
  yield `${STATEMENT_CSV_COLUMNS.join(',')}${CSV_LINE_END}`;
  const range = rangeOf(bounds);
  let afterSeq = range.afterSeq;
  while (afterSeq < range.throughSeq) {
    const rows = await listRangeRows(db, { ...range, afterSeq }, STATEMENT_CSV_BATCH_ROWS);
    const last = rows.at(-1);
    if (!last) throw new Error(`ledger rows after ${afterSeq} of wallet ${range.userId} are missing`);
    yield rows.map(csvLine).join('');
    afterSeq = last.walletSeq;
  }
}

function csvLine(row: TransactionRow): string {
  const cells = [
    row.id,
    row.userId,
    row.walletSeq.toString(),
    row.kind,
    formatMinor(row.balanceChangeMinor),
    formatMinor(row.oldBalanceMinor),
    formatMinor(row.newBalanceMinor),
    formatMinor(row.heldChangeMinor),
    formatMinor(row.oldHeldMinor),
    formatMinor(row.newHeldMinor),
    row.transferId ?? '',
    row.counterpartyId ?? '',
    row.holdId ?? '',
    row.reversesId ?? '',
    csvText(row.reason ?? ''),
    row.timestamp.toISOString(),
  ];
  return `${cells.join(',')}${CSV_LINE_END}`;
}

/**
 * Free text for a spreadsheet: quoted when it holds a comma, quote or line break, and a leading
 * = + - @ or control character neutralised with a ' so a spreadsheet never runs it as a formula.
 */
export function csvText(text: string): string {
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

function totalsView(
  totals: Map<TransactionKind, { count: number; inMinor: bigint; outMinor: bigint }>,
): StatementView['totals'] {
  const entries = transactionKindSchema.options.map((kind): [TransactionKind, KindTotalsView] => {
    const sum = totals.get(kind);
    return [
      kind,
      {
        count: sum?.count ?? 0,
        amount_in: minorToNumber(sum?.inMinor ?? 0n),
        amount_out: minorToNumber(sum?.outMinor ?? 0n),
      },
    ];
  });
  return Object.fromEntries(entries) as StatementView['totals'];
}

async function pointOfCursor(db: Queryable, userId: string, walletSeq: bigint): Promise<LedgerPoint> {
  const point = await ledgerPointAtSeq(db, userId, walletSeq);
  if (point === undefined) throw invalidCursor();
  return point;
}

async function assertWalletExists(db: Queryable, userId: string): Promise<void> {
  if (!(await walletExists(db, userId))) throw walletNotFound(userId);
}
