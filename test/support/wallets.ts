import { expect } from 'vitest';
import { call } from './http-call.ts';
import { waitFor } from './wait-for.ts';

/** The wallet opens once user-created went outbox → Kafka → transactions-service; well under this. */
export const WALLET_OPEN_TIMEOUT_MS = 30_000;

/**
 * Polls user-service's getBalance until the user's wallet answers 200, and returns the body's
 * text. Any answer but 200 or 503 WALLET_PENDING (the wallet is still being opened) fails.
 */
export async function waitForWallet(
  usersUrl: string,
  email: string,
  timeoutMs = WALLET_OPEN_TIMEOUT_MS,
): Promise<string> {
  return waitFor(
    `the wallet of ${email}`,
    async () => {
      const response = await call(usersUrl, 'GET', '/getBalance', { json: { email } });
      if (response.status === 200) return response.text;
      expect(response.status, response.text).toBe(503);
      expect(response.json.code).toBe('WALLET_PENDING');
      return undefined;
    },
    timeoutMs,
  );
}
