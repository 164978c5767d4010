import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { digestToken } from '../../services/shared/src/http/access-tokens.ts';

/**
 * The services under test run with authentication on, as in production, with this operator
 * token; `call` sends it unless a test sets its own Authorization header.
 */
export const TEST_OPERATOR_TOKEN = 'test-operator-token-0123456789abcdef';
export const TEST_AUTH_HEADERS = { authorization: `Bearer ${TEST_OPERATOR_TOKEN}` };

export type TestTokenEntry = {
  token: string;
  scope: 'operator' | 'reader' | 'user';
  name: string;
  user_id?: string;
};

/**
 * Writes a WALLET_TOKENS_FILE into `dir`, each token kept as its SHA-256 as the services read it,
 * and returns the file's path.
 */
export function writeTokensFile(dir: string, entries: TestTokenEntry[]): string {
  const file = path.join(dir, 'tokens.json');
  const table = entries.map(({ token, ...entry }) => ({
    ...entry,
    sha256: digestToken(token).toString('hex'),
  }));
  writeFileSync(file, JSON.stringify(table));
  return file;
}
