import { hash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';

/**
 * Bearer tokens and what they may do. Tokens are kept only as SHA-256 digests and compared in
 * constant time; the plain token is never stored or logged.
 * - operator: everything
 * - reader: reads only
 * - user: reads and moves money only for its own user id
 */
export type Principal =
  | { scope: 'operator'; name: string }
  | { scope: 'reader'; name: string }
  | { scope: 'user'; name: string; userId: string };

export type TokenEntry = Principal & { digest: Buffer };

export const TOKEN_LENGTH_MIN = 16;

const tokenFileSchema = z.array(
  z.discriminatedUnion('scope', [
    z.object({
      scope: z.literal('operator'),
      name: z.string().min(1),
      sha256: z.string().regex(/^[0-9a-f]{64}$/),
    }),
    z.object({
      scope: z.literal('reader'),
      name: z.string().min(1),
      sha256: z.string().regex(/^[0-9a-f]{64}$/),
    }),
    z.object({
      scope: z.literal('user'),
      name: z.string().min(1),
      user_id: z.uuid(),
      sha256: z.string().regex(/^[0-9a-f]{64}$/),
    }),
  ]),
);

/** One-shot hashing: a third cheaper than createHash(…).update(…).digest() on a 64-character token. */
export function digestToken(token: string): Buffer {
  return hash('sha256', token, 'buffer');
}

/**
 * Builds the token table from env: WALLET_OPERATOR_TOKEN and WALLET_READER_TOKEN (plain, for a
 * single operator) and WALLET_TOKENS_FILE (a JSON list of {scope, name, sha256[, user_id]}).
 */
export function loadTokenTable(env: {
  operatorToken?: string | undefined;
  readerToken?: string | undefined;
  tokensFile?: string | undefined;
}): TokenEntry[] {
  const entries: TokenEntry[] = [];
  if (env.operatorToken)
    entries.push({ scope: 'operator', name: 'operator', digest: digestToken(env.operatorToken) });
  if (env.readerToken)
    entries.push({ scope: 'reader', name: 'reader', digest: digestToken(env.readerToken) });
  if (env.tokensFile) {
    const parsed = tokenFileSchema.parse(JSON.parse(readFileSync(env.tokensFile, 'utf8')));
    for (const row of parsed) {
      const digest = Buffer.from(row.sha256, 'hex');
      if (row.scope === 'user') entries.push({ scope: 'user', name: row.name, userId: row.user_id, digest });
      else entries.push({ scope: row.scope, name: row.name, digest });
    }
  }
  return entries;
}

/**
 * The table entry whose digest is `presented` (a token's SHA-256); checks every entry so timing
 * says nothing about which matched.
 */
export function findTokenEntry(table: TokenEntry[], presented: Buffer): TokenEntry | undefined {
  let found: TokenEntry | undefined;
  for (const entry of table) {
    if (timingSafeEqual(entry.digest, presented) && !found) found = entry;
  }
  return found;
}
