import { STATEMENT_PERIOD_DAYS_MAX } from '../../../shared/src/contracts/transactions-api.ts';
import { AppError } from '../../../shared/src/errors.ts';
import { decodeCursor, encodeCursor, invalidCursor } from '../../../shared/src/http/page-cursor.ts';
import { MICROS_PER_DAY, type MicrosRounding, parseRfc3339Micros } from '../../../shared/src/rfc3339-time.ts';

/** A statement covers [from, to): rows at or after `from` and before `to`, in microseconds since the epoch. */
export type StatementPeriod = { fromMicros: bigint; toMicros: bigint };

const STATEMENT_PERIOD_MICROS_MAX = BigInt(STATEMENT_PERIOD_DAYS_MAX) * MICROS_PER_DAY;
const TIME_EXAMPLE = '2026-11-01T00:00:00Z';

/** An RFC 3339 query value as microseconds, or 400 INVALID_TIME naming the field. */
export function parseInstant(text: string, field: string, rounding: MicrosRounding): bigint {
  const micros = parseRfc3339Micros(text, rounding);
  if (micros === undefined) {
    throw new AppError(
      'INVALID_TIME',
      `${field} must be an RFC 3339 date-time with a time zone, e.g. ${TIME_EXAMPLE}`,
      { field },
    );
  }
  return micros;
}

/**
 * Both ends are read rounding up: a row at µs t is at or after an instant x when t ≥ ceil(x), and
 * before x when t < ceil(x).
 */
export function parseStatementPeriod(fromText: string, toText: string): StatementPeriod {
  const fromMicros = parseInstant(fromText, 'from', 'ceil');
  const toMicros = parseInstant(toText, 'to', 'ceil');
  if (fromMicros > toMicros) throw new AppError('INVALID_TIME_RANGE', 'from must not be after to');
  if (toMicros - fromMicros > STATEMENT_PERIOD_MICROS_MAX) {
    throw new AppError(
      'INVALID_TIME_RANGE',
      `a statement covers at most ${STATEMENT_PERIOD_DAYS_MAX} days; ask for shorter periods`,
    );
  }
  return { fromMicros, toMicros };
}

/**
 * Where the next page of a statement starts. It pins the period's ledger range (opening and
 * closing seq), so every page of one statement agrees even while new rows arrive, and it names
 * the period it belongs to, so it cannot be replayed against another one.
 */
export type StatementCursor = StatementPeriod & { openingSeq: bigint; closingSeq: bigint; lastSeq: bigint };

const BIGINT_MAX = 9_223_372_036_854_775_807n;
const INTEGER_TEXT = /^(0|-?[1-9]\d{0,18})$/;

export function encodeStatementCursor(cursor: StatementCursor): string {
  const { fromMicros, toMicros, openingSeq, closingSeq, lastSeq } = cursor;
  return encodeCursor(`p${fromMicros}/${toMicros}/${openingSeq}/${closingSeq}/${lastSeq}`);
}

export function decodeStatementCursor(text: string, period: StatementPeriod): StatementCursor {
  const decoded = decodeCursor(text);
  const parts = decoded.slice(1).split('/');
  if (!decoded.startsWith('p') || parts.length !== 5 || !parts.every((part) => INTEGER_TEXT.test(part))) {
    throw invalidCursor();
  }
  const [fromMicros, toMicros, openingSeq, closingSeq, lastSeq] = parts.map(BigInt) as [
    bigint,
    bigint,
    bigint,
    bigint,
    bigint,
  ];
  if (fromMicros !== period.fromMicros || toMicros !== period.toMicros) {
    throw new AppError('INVALID_CURSOR', 'this cursor belongs to a statement of another period');
  }
  const ordered = 0n <= openingSeq && openingSeq <= lastSeq && lastSeq < closingSeq;
  if (!ordered || closingSeq > BIGINT_MAX) throw invalidCursor();
  return { fromMicros, toMicros, openingSeq, closingSeq, lastSeq };
}
