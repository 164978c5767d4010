import {
  decodeCursor,
  encodeCursor,
  invalidCursor,
  isCursorInstant,
  UUID_TEXT,
} from '../../shared/src/http/page-cursor.ts';
import type { WalletPosition } from './repositories/wallet-repository.ts';

/** The two listings' cursors: `s<seq>` for a history, `w<created_at micros>/<user id>` for wallets. */
const BIGINT_MAX = 9_223_372_036_854_775_807n;
const POSITIVE_INTEGER_TEXT = /^[1-9]\d{0,18}$/;
/** Integers as bigint's text writes them: no leading zero, no minus zero. */
const INTEGER_TEXT = /^(0|-?[1-9]\d{0,18})$/;

export function encodeSeqCursor(seq: bigint): string {
  return encodeCursor(`s${seq}`);
}

export function decodeSeqCursor(cursor: string): bigint {
  const text = decodeCursor(cursor);
  const digits = text.slice(1);
  if (!text.startsWith('s') || !POSITIVE_INTEGER_TEXT.test(digits)) throw invalidCursor();
  const seq = BigInt(digits);
  if (seq > BIGINT_MAX) throw invalidCursor();
  return seq;
}

export function encodeWalletCursor(position: WalletPosition): string {
  return encodeCursor(`w${position.createdAtMicros}/${position.userId}`);
}

export function decodeWalletCursor(cursor: string): WalletPosition {
  const text = decodeCursor(cursor);
  const [micros, userId, ...rest] = text.slice(1).split('/');
  if (!text.startsWith('w') || rest.length > 0 || !micros || !userId) throw invalidCursor();
  if (!INTEGER_TEXT.test(micros) || !UUID_TEXT.test(userId)) throw invalidCursor();
  const createdAtMicros = BigInt(micros);
  // The listing turns micros into a timestamptz in SQL; out of range there is a 500, not a 400.
  if (!isCursorInstant(createdAtMicros)) throw invalidCursor();
  return { createdAtMicros, userId };
}
