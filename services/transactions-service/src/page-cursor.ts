import { AppError } from '../../shared/src/errors.ts';
import type { WalletPosition } from './repositories/wallet-repository.ts';

/**
 * Opaque keyset cursors: base64url of the last row's position. Clients must not build them;
 * anything that is not exactly what we would have produced is a 400 INVALID_CURSOR.
 */
const BIGINT_MAX = 9_223_372_036_854_775_807n;
const POSITIVE_INTEGER_TEXT = /^[1-9]\d{0,18}$/;
const INTEGER_TEXT = /^-?(0|[1-9]\d{0,18})$/;
const UUID_TEXT = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function encode(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}

/** Decodes only canonical base64url: Node's decoder skips junk silently, so re-encode and compare. */
function decode(cursor: string): string {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  if (cursor.length === 0 || encode(text) !== cursor) throw invalidCursor();
  return text;
}

function invalidCursor(): AppError {
  return new AppError('INVALID_CURSOR', 'cursor must be a next_cursor value returned by this endpoint');
}

export function encodeSeqCursor(seq: bigint): string {
  return encode(`s${seq}`);
}

export function decodeSeqCursor(cursor: string): bigint {
  const text = decode(cursor);
  const digits = text.slice(1);
  if (!text.startsWith('s') || !POSITIVE_INTEGER_TEXT.test(digits)) throw invalidCursor();
  const seq = BigInt(digits);
  if (seq > BIGINT_MAX) throw invalidCursor();
  return seq;
}

export function encodeWalletCursor(position: WalletPosition): string {
  return encode(`w${position.createdAtMicros}/${position.userId}`);
}

export function decodeWalletCursor(cursor: string): WalletPosition {
  const text = decode(cursor);
  const [micros, userId, ...rest] = text.slice(1).split('/');
  if (!text.startsWith('w') || rest.length > 0 || !micros || !userId) throw invalidCursor();
  if (!INTEGER_TEXT.test(micros) || !UUID_TEXT.test(userId)) throw invalidCursor();
  const createdAtMicros = BigInt(micros);
  if (createdAtMicros > BIGINT_MAX || createdAtMicros < -BIGINT_MAX) throw invalidCursor();
  return { createdAtMicros, userId };
}
