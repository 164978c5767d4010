import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The services refuse to run without a token (secure by default), so the stack makes one
 * operator token per stack dir, once, readable only by its owner. `npm start` hands it to the
 * services as WALLET_OPERATOR_TOKEN and the CLI reads it from stack.json.
 */
export function ensureOperatorToken(dir: string): string {
  const file = join(dir, 'operator-token');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dir, { recursive: true });
  const token = randomBytes(32).toString('hex');
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  return token;
}
