/**
 * Every error a client can cause has a stable code, an HTTP status and a title.
 * The one error handler (http/problem.ts) turns them into application/problem+json.
 */
export const ERROR_CATALOG = {
  VALIDATION_FAILED: { status: 400, title: 'The request is not valid' },
  INVALID_AMOUNT: { status: 400, title: 'The amount is not valid' },
  INVALID_EMAIL: { status: 400, title: 'The email address is not valid' },
  INVALID_USER_ID: { status: 400, title: 'The user id is not a UUID' },
  INVALID_CURSOR: { status: 400, title: 'The page cursor is not valid' },
  INVALID_IDEMPOTENCY_KEY: { status: 400, title: 'The Idempotency-Key header is not valid' },
  MALFORMED_JSON: { status: 400, title: 'The body is not valid JSON' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'The body must be application/json' },
  PAYLOAD_TOO_LARGE: { status: 413, title: 'The body is too large' },
  URI_TOO_LONG: { status: 414, title: 'A path segment is too long' },
  MALFORMED_URL: { status: 400, title: 'The URL is not valid' },
  UNAUTHORIZED: { status: 401, title: 'A valid bearer token is required' },
  FORBIDDEN: { status: 403, title: 'The token does not allow this' },
  NOT_FOUND: { status: 404, title: 'No such route' },
  METHOD_NOT_ALLOWED: { status: 405, title: 'Method not allowed' },
  USER_NOT_FOUND: { status: 404, title: 'No such user' },
  HOLD_NOT_FOUND: { status: 404, title: 'No such hold' },
  TRANSFER_NOT_FOUND: { status: 404, title: 'No such transfer' },
  DEPOSIT_NOT_FOUND: { status: 404, title: 'No such deposit' },
  INVALID_EXPIRY: { status: 400, title: 'The hold expiry is out of range' },
  INVALID_TIME: { status: 400, title: 'The time is not an RFC 3339 date-time with a time zone' },
  INVALID_TIME_RANGE: { status: 400, title: 'The time range is not valid' },
  HOLD_NOT_PENDING: { status: 409, title: 'The hold is no longer pending' },
  HOLD_EXPIRED: { status: 409, title: 'The hold has expired' },
  WALLET_FROZEN: { status: 409, title: 'The wallet is frozen: no money may leave it' },
  WALLET_CLOSED: { status: 409, title: 'The wallet is closed' },
  WALLET_NOT_EMPTY: { status: 409, title: 'The wallet still has money or open holds' },
  CAPTURE_EXCEEDS_HOLD: { status: 422, title: 'The capture is larger than the hold' },
  REVERSAL_EXCEEDS_ORIGINAL: {
    status: 422,
    title: 'The reversal is larger than what remains of the original',
  },
  EMAIL_TAKEN: { status: 409, title: 'The email address is already registered' },
  SAME_ACCOUNT: { status: 422, title: 'A transfer needs two different users' },
  INSUFFICIENT_FUNDS: { status: 422, title: 'The balance is too low for this amount' },
  BALANCE_LIMIT_EXCEEDED: { status: 422, title: 'The balance would exceed the maximum' },
  IDEMPOTENCY_KEY_REUSED: { status: 422, title: 'The Idempotency-Key was used with a different request' },
  RATE_LIMITED: { status: 429, title: 'Too many requests' },
  WALLET_PENDING: { status: 503, title: 'The wallet is being opened; retry shortly' },
  BALANCE_SERVICE_UNAVAILABLE: { status: 503, title: 'No transactions-service answers balance requests' },
  BALANCE_SERVICE_TIMEOUT: { status: 503, title: 'The transactions-service did not answer in time' },
  DATABASE_UNAVAILABLE: { status: 503, title: 'The database is unreachable' },
  OUTCOME_UNKNOWN: {
    status: 503,
    title:
      'The database connection was lost while the change was being committed: it may or may not have happened',
  },
  SERVICE_UNAVAILABLE: { status: 503, title: 'The service is unavailable' },
  INTERNAL_ERROR: { status: 500, title: 'Internal error' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ErrorCode = keyof typeof ERROR_CATALOG;

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly extra: Record<string, unknown>;

  constructor(code: ErrorCode, detail?: string, extra: Record<string, unknown> = {}) {
    super(detail ?? ERROR_CATALOG[code].title);
    this.name = 'AppError';
    this.code = code;
    this.status = ERROR_CATALOG[code].status;
    this.extra = extra;
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}
