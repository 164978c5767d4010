import { CliError } from './cli-error.ts';
import { EXIT_CODES, type ExitCode } from './exit-codes.ts';

type Advice = { exitCode: ExitCode; hint?: string };

/**
 * What each error code means for the person at the terminal: the exit code and the next step.
 * Server codes come from services/shared/src/errors.ts; the CLI's own codes are listed last.
 */
const ADVICE_BY_CODE: Record<string, Advice> = {
  VALIDATION_FAILED: { exitCode: EXIT_CODES.usage, hint: 'check the arguments: wallet <command> --help' },
  INVALID_AMOUNT: {
    exitCode: EXIT_CODES.usage,
    hint: 'give a positive amount with at most 2 decimals, e.g. 12.50',
  },
  INVALID_EMAIL: { exitCode: EXIT_CODES.usage, hint: 'give an email address like alice@example.com' },
  INVALID_USER: { exitCode: EXIT_CODES.usage, hint: 'give an email address or a user id (a UUID)' },
  INVALID_USER_ID: { exitCode: EXIT_CODES.usage, hint: 'a user id is a UUID; `wallet users` lists them' },
  INVALID_CURSOR: { exitCode: EXIT_CODES.usage, hint: 'start the listing again without a cursor' },
  INVALID_IDEMPOTENCY_KEY: {
    exitCode: EXIT_CODES.usage,
    hint: 'use letters, digits and dashes (a UUID works), or leave --idempotency-key out',
  },
  MALFORMED_JSON: { exitCode: EXIT_CODES.unexpected },
  UNSUPPORTED_MEDIA_TYPE: { exitCode: EXIT_CODES.unexpected },
  PAYLOAD_TOO_LARGE: { exitCode: EXIT_CODES.usage, hint: 'send a shorter value' },
  URI_TOO_LONG: { exitCode: EXIT_CODES.usage, hint: 'ids are UUIDs: check the one you gave' },
  MALFORMED_URL: { exitCode: EXIT_CODES.usage, hint: 'check the ids you gave for stray % signs' },
  UNAUTHORIZED: {
    exitCode: EXIT_CODES.unauthorized,
    hint: 'pass --token <token> or set WALLET_TOKEN (npm start writes the operator token to .wallet/stack.json); `npx wallet doctor` checks it',
  },
  FORBIDDEN: { exitCode: EXIT_CODES.unauthorized, hint: 'use a token that is allowed to do this' },
  NOT_FOUND: {
    exitCode: EXIT_CODES.unexpected,
    hint: 'is --user-service-url/--transactions-service-url right?',
  },
  METHOD_NOT_ALLOWED: { exitCode: EXIT_CODES.unexpected },
  USER_NOT_FOUND: { exitCode: EXIT_CODES.notFound, hint: 'check the email or id: `wallet users` lists them' },
  EMAIL_TAKEN: {
    exitCode: EXIT_CODES.conflict,
    hint: 'that email already has a user: `wallet balance <email>` shows it',
  },
  SAME_ACCOUNT: { exitCode: EXIT_CODES.rejected, hint: 'transfer between two different users' },
  INSUFFICIENT_FUNDS: {
    exitCode: EXIT_CODES.rejected,
    hint: 'the available balance (balance − held) is too low: `wallet balance <user>` shows it; add money first: wallet add-money <user> <amount>',
  },
  CAPTURE_EXCEEDS_HOLD: {
    exitCode: EXIT_CODES.rejected,
    hint: 'capture at most the hold’s amount, or leave the amount out to capture all of it',
  },
  REVERSAL_EXCEEDS_ORIGINAL: {
    exitCode: EXIT_CODES.rejected,
    hint: 'reverse at most what remains of the original, or leave the amount out to reverse all that remains',
  },
  WALLET_FROZEN: {
    exitCode: EXIT_CODES.conflict,
    hint: 'money may still come in; an operator lifts the freeze with `wallet unfreeze <user>`',
  },
  WALLET_CLOSED: {
    exitCode: EXIT_CODES.conflict,
    hint: 'the wallet is closed for good: `wallet balance` and `wallet history` still read it',
  },
  WALLET_NOT_EMPTY: {
    exitCode: EXIT_CODES.conflict,
    hint: 'withdraw the balance and capture or void its pending holds first: wallet holds <user> --status pending',
  },
  HOLD_NOT_FOUND: {
    exitCode: EXIT_CODES.notFound,
    hint: 'check the hold id: `wallet holds <user>` lists them',
  },
  HOLD_NOT_PENDING: {
    exitCode: EXIT_CODES.conflict,
    hint: 'the hold was already captured, voided or expired: `wallet holds <user>` shows its status',
  },
  HOLD_EXPIRED: {
    exitCode: EXIT_CODES.conflict,
    hint: 'the hold expired and its money went back: place a new one with `wallet hold`',
  },
  INVALID_EXPIRY: {
    exitCode: EXIT_CODES.usage,
    hint: 'give --expires as seconds or with s, m, h or d, from 1s to 7d, e.g. 15m',
  },
  INVALID_TIME: {
    exitCode: EXIT_CODES.usage,
    hint: 'give an RFC 3339 time with a time zone, e.g. 2026-11-01T00:00:00Z or 2026-11-01T01:00:00+01:00',
  },
  INVALID_TIME_RANGE: {
    exitCode: EXIT_CODES.usage,
    hint: 'give --from before --to, at most 366 days apart; split a longer period into several statements',
  },
  TRANSFER_NOT_FOUND: {
    exitCode: EXIT_CODES.notFound,
    hint: 'check the id: `wallet history <user> --json` shows transfer and deposit ids (a reversal cannot be reversed)',
  },
  DEPOSIT_NOT_FOUND: {
    exitCode: EXIT_CODES.notFound,
    hint: 'check the id: `wallet history <user> --json` shows the deposit’s transaction id',
  },
  BALANCE_LIMIT_EXCEEDED: { exitCode: EXIT_CODES.rejected, hint: 'use a smaller amount' },
  IDEMPOTENCY_KEY_REUSED: {
    exitCode: EXIT_CODES.conflict,
    hint: 'that --idempotency-key belongs to a different request: use a new key or leave it out',
  },
  RATE_LIMITED: { exitCode: EXIT_CODES.unavailable, hint: 'slow down and retry in a few seconds' },
  WALLET_PENDING: {
    exitCode: EXIT_CODES.unavailable,
    hint: 'the wallet is still opening: retry in a moment',
  },
  BALANCE_SERVICE_UNAVAILABLE: {
    exitCode: EXIT_CODES.unavailable,
    hint: 'is transactions-service running? `npm start` starts everything; `npx wallet doctor` checks each part',
  },
  BALANCE_SERVICE_TIMEOUT: { exitCode: EXIT_CODES.unavailable, hint: 'retry in a moment' },
  DATABASE_UNAVAILABLE: {
    exitCode: EXIT_CODES.unavailable,
    hint: 'is the stack up? `npx wallet doctor` checks each part',
  },
  OUTCOME_UNKNOWN: {
    exitCode: EXIT_CODES.unavailable,
    hint: 'it may have happened: run the command again with the same --idempotency-key (safe), or check `wallet history`',
  },
  SERVICE_UNAVAILABLE: { exitCode: EXIT_CODES.unavailable, hint: 'retry in a moment' },
  INTERNAL_ERROR: { exitCode: EXIT_CODES.unexpected, hint: 'a server bug: report it with the request id' },
  // The CLI's own codes.
  USAGE: { exitCode: EXIT_CODES.usage, hint: 'see wallet <command> --help' },
  INVALID_ID: {
    exitCode: EXIT_CODES.usage,
    hint: 'ids are UUIDs: `wallet holds <user>` and `wallet history <user>` show them',
  },
  UNEXPECTED: { exitCode: EXIT_CODES.unexpected },
  SERVICE_UNREACHABLE: {
    exitCode: EXIT_CODES.unavailable,
    hint: 'start the services with `npm start`, or point --user-service-url/--transactions-service-url at them; `npx wallet doctor` checks the whole setup',
  },
  SERVICE_TIMEOUT: {
    exitCode: EXIT_CODES.unavailable,
    hint: 'the service is slow or stuck: retry later; `npx wallet doctor` shows whether it is ready',
  },
  BAD_RESPONSE: { exitCode: EXIT_CODES.unexpected, hint: 'the CLI and the service disagree: update both' },
  WALLET_OPEN_TIMEOUT: {
    exitCode: EXIT_CODES.unavailable,
    hint: 'the user exists but the wallet is not open yet: check `wallet balance <email>` in a moment',
  },
  KAFKA_UNAVAILABLE: {
    exitCode: EXIT_CODES.unavailable,
    hint: 'is the stack up? `npx wallet doctor` checks Kafka and the rest; or pass --kafka-brokers host:port',
  },
  NO_TTY: { exitCode: EXIT_CODES.usage, hint: 'use `wallet events --follow` to follow the events as text' },
  STACK_FAILED: {
    exitCode: EXIT_CODES.unavailable,
    hint: 'see the lines above; `wallet stack down` cleans up',
  },
};

/** Whether this CLI has advice of its own for `code` (not the HTTP-status fallback below). */
export function hasAdviceFor(code: string): boolean {
  return Object.hasOwn(ADVICE_BY_CODE, code);
}

const UNKNOWN_SERVER_CODE: Advice = { exitCode: EXIT_CODES.unexpected };

export function adviceFor(code: string, status?: number): Advice {
  const known = ADVICE_BY_CODE[code];
  if (known) return known;
  // A code this CLI does not know yet: fall back on the HTTP status class.
  if (status === 404) return { exitCode: EXIT_CODES.notFound };
  if (status === 409) return { exitCode: EXIT_CODES.conflict };
  if (status === 422) return { exitCode: EXIT_CODES.rejected };
  if (status === 401 || status === 403) return { exitCode: EXIT_CODES.unauthorized };
  if (status === 503 || status === 429) return { exitCode: EXIT_CODES.unavailable };
  if (status !== undefined && status >= 400 && status < 500) return { exitCode: EXIT_CODES.usage };
  return UNKNOWN_SERVER_CODE;
}

/** A CliError for `code`, with the exit code and next step from the table above. */
export function errorFor(
  code: string,
  message: string,
  details: { status?: number; requestId?: string } = {},
): CliError {
  const advice = adviceFor(code, details.status);
  return new CliError({ code, message, exitCode: advice.exitCode, hint: advice.hint, ...details });
}
