import { isCliError } from '../../cli-error.ts';
import { errorFor } from '../../error-advice.ts';
import type { Balance, UsersApi } from '../api/users-api.ts';
import { NO_RETRY } from '../http/retry-policy.ts';

export const WALLET_OPEN_WAIT_MS_MAX = 15_000;
export const WALLET_POLL_INTERVAL_MS = 250;

/**
 * A new user's wallet opens asynchronously (user-created → Kafka → transactions-service).
 * Polls getBalance until it answers something other than 503 (WALLET_PENDING and friends),
 * for at most `waitMsMax`; then WALLET_OPEN_TIMEOUT.
 */
export async function waitForWallet(
  users: UsersApi,
  email: string,
  options: { waitMsMax?: number; pollIntervalMs?: number; now?: () => number } = {},
): Promise<Balance> {
  const waitMsMax = options.waitMsMax ?? WALLET_OPEN_WAIT_MS_MAX;
  const pollIntervalMs = options.pollIntervalMs ?? WALLET_POLL_INTERVAL_MS;
  const now = options.now ?? Date.now;
  const deadlineMs = now() + waitMsMax;
  let lastCode = 'WALLET_PENDING';
  for (;;) {
    try {
      return await users.getBalance(email, NO_RETRY);
    } catch (error) {
      if (!isCliError(error) || !isStillOpening(error.code, error.status)) throw error;
      lastCode = error.code;
    }
    if (now() + pollIntervalMs > deadlineMs) {
      throw errorFor(
        'WALLET_OPEN_TIMEOUT',
        `the wallet of ${email} did not open within ${waitMsMax / 1_000} s (last answer: ${lastCode})`,
      );
    }
    await new Promise((done) => setTimeout(done, pollIntervalMs));
  }
}

/** Pending, or a dependency briefly away: worth asking again until the deadline. */
function isStillOpening(code: string, status: number | undefined): boolean {
  return code === 'WALLET_PENDING' || status === 503 || code === 'SERVICE_UNREACHABLE';
}
