import { once } from 'node:events';
import { PAGE_LIMIT_MAX } from '../../../../services/shared/src/contracts/common.ts';
import { STATEMENT_PERIOD_DAYS_MAX } from '../../../../services/shared/src/contracts/transactions-api.ts';
import { MICROS_PER_DAY, parseRfc3339Micros } from '../../../../services/shared/src/rfc3339-time.ts';
import { CliError } from '../../cli-error.ts';
import { errorFor } from '../../error-advice.ts';
import type { Statement, Transaction } from '../api/transactions-api.ts';
import type { UserView } from '../api/users-api.ts';
import type { WalletApis } from '../api/wallet-apis.ts';
import { resolveUser } from '../users/resolve-user.ts';

/** Rows a statement holds in memory for a table or one JSON document; longer periods go to --csv. */
export const STATEMENT_ROWS_MAX = 100_000;

/** Rows done so far, and the period's row count once known. */
export type StatementProgress = (rowsDone: number, rowsTotal: number | undefined) => void;

export type Period = { from: string; to: string };

/**
 * --at, --from, --to are checked here before any request, with the server's codes: not RFC 3339
 * → INVALID_TIME; from after to or longer than the service allows → INVALID_TIME_RANGE.
 */
export function checkTime(text: string, flag: string): string {
  if (parseRfc3339Micros(text, 'floor') === undefined) {
    throw errorFor('INVALID_TIME', `${flag} "${text}" is not an RFC 3339 time with a time zone`);
  }
  return text;
}

export function checkPeriod(period: Period): Period {
  const from = parseRfc3339Micros(checkTime(period.from, '--from'), 'ceil') ?? 0n;
  const to = parseRfc3339Micros(checkTime(period.to, '--to'), 'ceil') ?? 0n;
  if (from > to) throw errorFor('INVALID_TIME_RANGE', '--from is after --to');
  if (to - from > BigInt(STATEMENT_PERIOD_DAYS_MAX) * MICROS_PER_DAY) {
    throw errorFor('INVALID_TIME_RANGE', `a statement covers at most ${STATEMENT_PERIOD_DAYS_MAX} days`);
  }
  return period;
}

export type LoadedStatement = {
  user: UserView;
  /** The first page's heading and totals: the whole period's. */
  heading: Statement;
  transactions: Transaction[];
  /** More than STATEMENT_ROWS_MAX rows: the rest is left out (--csv has them all). */
  truncated: boolean;
};

/** Every page of the statement, in ledger order, up to STATEMENT_ROWS_MAX rows. */
export async function loadStatement(
  apis: WalletApis,
  input: Period & { user: string; onProgress: StatementProgress },
): Promise<LoadedStatement> {
  const user = await resolveUser(apis.users, input.user);
  const transactions: Transaction[] = [];
  let heading: Statement | undefined;
  let cursor: string | undefined;
  for (;;) {
    const page = await apis.transactions.statementPage({
      userId: user.user_id,
      from: input.from,
      to: input.to,
      limit: PAGE_LIMIT_MAX,
      ...(cursor ? { cursor } : {}),
    });
    heading ??= page;
    transactions.push(...page.transactions);
    input.onProgress(transactions.length, rowCount(heading));
    if (page.nextCursor === null) return { user, heading, transactions, truncated: false };
    if (transactions.length >= STATEMENT_ROWS_MAX) return { user, heading, transactions, truncated: true };
    cursor = page.nextCursor;
  }
}

/** How many rows the whole period has: the totals count every row once. */
export function rowCount(statement: Statement): number {
  return [...statement.totals.values()].reduce((sum, kind) => sum + kind.count, 0);
}

export type CsvDownload = { user: UserView; rows: number; bytes: number };

/**
 * Streams the service's CSV into `sink` as it arrives (memory stays at one chunk), counting rows
 * for the progress, and fails if fewer rows arrived than the service announced.
 */
export async function downloadStatementCsv(
  apis: WalletApis,
  input: Period & { user: string; sink: NodeJS.WritableStream; onProgress: StatementProgress },
): Promise<CsvDownload> {
  const user = await resolveUser(apis.users, input.user);
  const csv = await apis.transactions.statementCsv({ userId: user.user_id, from: input.from, to: input.to });
  let lines = 0;
  let bytes = 0;
  try {
    for await (const chunk of csv.body) {
      lines += countLineEnds(chunk);
      bytes += chunk.length;
      if (!input.sink.write(chunk)) await once(input.sink, 'drain');
      input.onProgress(Math.max(lines - 1, 0), csv.rows);
    }
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw cutShort(lines, csv.rows, error);
  }
  const rows = Math.max(lines - 1, 0);
  if (csv.rows !== undefined && rows !== csv.rows) throw cutShort(lines, csv.rows);
  return { user, rows, bytes };
}

const NEWLINE = 0x0a;

function countLineEnds(chunk: Buffer): number {
  let count = 0;
  for (let index = chunk.indexOf(NEWLINE); index !== -1; index = chunk.indexOf(NEWLINE, index + 1)) count++;
  return count;
}

function cutShort(lines: number, announced: number | undefined, cause?: unknown): CliError {
  const received = Math.max(lines - 1, 0);
  const expected = announced === undefined ? '' : ` of ${announced}`;
  const why = cause instanceof Error ? `: ${cause.message}` : '';
  return errorFor(
    'SERVICE_UNREACHABLE',
    `the statement stopped after ${received}${expected} rows${why}; retry`,
  );
}
