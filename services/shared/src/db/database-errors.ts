import { isCommitOutcomeUnknown, isConnectionError } from './transaction.ts';

/** SQLSTATE 57014: a statement ran past STATEMENT_TIMEOUT_MS; the database, not the client, is at fault. */
const QUERY_CANCELED = '57014';
/** The database is missing or out of resources (too many connections, disk full): an outage, not a bug. */
const UNAVAILABLE_SQLSTATES = new Set(['3D000', '53000', '53100', '53200', '53300']);

function sqlState(error: unknown): unknown {
  return (error as { code?: unknown } | undefined)?.code;
}

/** A statement cancelled by the statement timeout: answer 503 and let the client retry. */
export function isQueryCanceled(error: unknown): boolean {
  return sqlState(error) === QUERY_CANCELED;
}

/**
 * The database cannot be used at all: unreachable, connection lost (isConnectionError also knows
 * pg's code-less messages, such as a pool that could not connect in time), missing, or out of
 * resources. Both services answer this 503 DATABASE_UNAVAILABLE rather than 500, with
 * Retry-After: nothing was committed, so a retry is safe. Not a connection lost while a commit was
 * in flight (CommitOutcomeUnknownError): that one is OUTCOME_UNKNOWN (http/map-errors.ts).
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (isCommitOutcomeUnknown(error)) return false;
  const code = sqlState(error);
  if (typeof code === 'string' && UNAVAILABLE_SQLSTATES.has(code)) return true;
  return isConnectionError(error);
}
