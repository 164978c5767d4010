import type { FastifyRequest } from 'fastify';
import { isCommitOutcomeUnknown } from '../db/transaction.ts';
import { AppError } from '../errors.ts';
import type { HttpApp } from './create-http-app.ts';
import { IDEMPOTENCY_KEY_HEADER } from './idempotency-key-header.ts';

/**
 * Within `scope` (a plugin of its own), every error first goes through `map`, which turns the
 * failures it knows (a database outage …) into coded AppErrors. Only this scope's handler runs
 * first; what it rethrows reaches the shared problem handler (problem.ts), which answers.
 * A commit whose outcome is unknown is answered the same way in every scope, before `map`.
 */
export function mapErrorsInScope(scope: HttpApp, map: (error: unknown) => unknown): void {
  scope.setErrorHandler((error, request) => {
    throw isCommitOutcomeUnknown(error) ? outcomeUnknown(request) : map(error);
  });
}

/**
 * OUTCOME_UNKNOWN (503, never Retry-After: problem.ts): the change may have committed, so a blind
 * retry could apply it twice. The detail tells the client what is safe, by whether it sent a key.
 */
export function outcomeUnknown(request: FastifyRequest): AppError {
  const key = request.headers[IDEMPOTENCY_KEY_HEADER];
  const detail =
    typeof key === 'string' && key !== ''
      ? 'the connection to the database was lost while this change was being committed, so it may or may not have happened; retrying with the same Idempotency-Key is safe: it applies the change at most once and answers its outcome'
      : 'the connection to the database was lost while this change was being committed, so it may or may not have happened; do not retry blindly: check the history first (a retry could apply it twice), and send an Idempotency-Key next time so a retry is safe';
  return new AppError('OUTCOME_UNKNOWN', detail);
}
