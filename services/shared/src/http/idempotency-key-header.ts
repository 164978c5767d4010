import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AppError } from '../errors.ts';
import { digestToken, type Principal } from './access-tokens.ts';

/** The same key rules and reply header in both services, so a client learns them once. */
export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';
export const IDEMPOTENCY_REPLAYED_HEADER = 'idempotency-replayed';
export const IDEMPOTENCY_KEY_LENGTH_MAX = 200;
const IDEMPOTENCY_KEY_PATTERN = new RegExp(`^[A-Za-z0-9._:-]{1,${IDEMPOTENCY_KEY_LENGTH_MAX}}$`);

/**
 * Between the caller and the client's key in a stored key. The pattern above never lets a client
 * send it, so the last one splits a stored key unambiguously, whatever a token's name holds.
 */
const CALLER_SEPARATOR = '/';
/** A caller longer than this (a long token name) is stored as its digest, so stored keys stay bounded. */
export const IDEMPOTENCY_CALLER_LENGTH_MAX = 100;
/** The longest stored key: caller, separator, client's key (user-service's CHECK, migration 005). */
export const IDEMPOTENCY_STORED_KEY_LENGTH_MAX =
  IDEMPOTENCY_CALLER_LENGTH_MAX + 1 + IDEMPOTENCY_KEY_LENGTH_MAX;

/** The optional Idempotency-Key header: absent → undefined; present but malformed → 400. */
function readIdempotencyKey(header: string | string[] | undefined): string | undefined {
  if (header === undefined) return undefined;
  if (typeof header !== 'string' || !IDEMPOTENCY_KEY_PATTERN.test(header)) {
    throw new AppError(
      'INVALID_IDEMPOTENCY_KEY',
      `Idempotency-Key must be 1–${IDEMPOTENCY_KEY_LENGTH_MAX} characters of A-Z a-z 0-9 . _ : -`,
    );
  }
  return header;
}

/**
 * Whose keys these are. A user is one space whichever of their tokens is sent (a retry after a
 * token is replaced still replays); an operator or reader token is its name's space, also when it
 * acts for a user. With authentication off every request is the one operator, so one space.
 */
export function idempotencyCallerOf(principal: Principal): string {
  const caller =
    principal.scope === 'user'
      ? `user:${principal.userId.toLowerCase()}`
      : `${principal.scope}:${principal.name}`;
  if (caller.length <= IDEMPOTENCY_CALLER_LENGTH_MAX) return caller;
  // '#' where a name has ':', so a digest never equals a short name's caller.
  return `${principal.scope}#${digestToken(caller).toString('hex')}`;
}

/**
 * The request's Idempotency-Key (checked) as it is stored and compared: `<caller>/<client key>`.
 * Keys are per caller, as Stripe's are per account: the same key from two callers is two unrelated
 * requests, and one caller's key can neither answer, refuse nor reveal another's. Each operation
 * is a space of its own on top (transactions-service's scope column; user-service has one).
 * Keys stored before this scheme have no separator, so no new request reaches them.
 */
export function readCallerIdempotencyKey(request: FastifyRequest): string | undefined {
  const key = readIdempotencyKey(request.headers[IDEMPOTENCY_KEY_HEADER]);
  if (key === undefined) return undefined;
  const principal = request.principal;
  // A route that takes a key needs a token (the auth hook sets the principal): a bug otherwise.
  if (!principal) throw new Error(`${request.routeOptions.url} takes an Idempotency-Key but has no caller`);
  return `${idempotencyCallerOf(principal)}${CALLER_SEPARATOR}${key}`;
}

/**
 * The client's key of a stored one, as the client sent it (ledger rows keep the stored key, caller
 * and all); a key stored before callers were added has no separator and is returned whole.
 */
export function clientIdempotencyKey(storedKey: string): string {
  return storedKey.slice(storedKey.lastIndexOf(CALLER_SEPARATOR) + 1);
}

/**
 * Documents the optional header in OpenAPI. Loose, because Fastify replaces request.headers with
 * the parsed value; the pattern is checked in the handler so a bad key gets INVALID_IDEMPOTENCY_KEY.
 */
export const idempotentRequestHeadersSchema = z.looseObject({
  [IDEMPOTENCY_KEY_HEADER]: z
    .string()
    .meta({ pattern: IDEMPOTENCY_KEY_PATTERN.source, maxLength: IDEMPOTENCY_KEY_LENGTH_MAX })
    .optional()
    .describe(
      `Optional, 1–${IDEMPOTENCY_KEY_LENGTH_MAX} characters of [A-Za-z0-9._:-]. Retrying with the same key ` +
        'and body returns the first response (header Idempotency-Replayed: true) without doing the work again. ' +
        'Keys are per caller (a user, whichever of their tokens; an operator token, also when acting for a user) ' +
        'and per operation: another caller or another operation never sees or replays them. ' +
        'After 503 OUTCOME_UNKNOWN (the change may have committed) a retry is safe only with the same key.',
    ),
});
