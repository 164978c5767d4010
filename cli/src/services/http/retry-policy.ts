/**
 * How a request is retried: a bounded number of attempts with capped, jittered exponential
 * backoff. Pure, so the schedule is tested without a clock.
 */
export type RetryPolicy = {
  attemptsMax: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
};

export const RETRY_ATTEMPTS_MAX = 4;
export const RETRY_BACKOFF_BASE_MS = 200;
export const RETRY_BACKOFF_MAX_MS = 2_000;
/** A server's Retry-After is honoured only up to this, so a command never hangs for minutes. */
export const RETRY_AFTER_MAX_MS = 5_000;

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  attemptsMax: RETRY_ATTEMPTS_MAX,
  backoffBaseMs: RETRY_BACKOFF_BASE_MS,
  backoffMaxMs: RETRY_BACKOFF_MAX_MS,
};

export const NO_RETRY: RetryPolicy = { attemptsMax: 1, backoffBaseMs: 0, backoffMaxMs: 0 };

/**
 * The wait before attempt `attempt + 1` (attempt counts from 1). "Equal jitter": half fixed,
 * half random, so retries from many clients spread out but never collapse to zero.
 */
export function backoffDelayMs(
  policy: RetryPolicy,
  attempt: number,
  random: () => number = Math.random,
): number {
  const exponential = Math.min(policy.backoffMaxMs, policy.backoffBaseMs * 2 ** (attempt - 1));
  const half = exponential / 2;
  return Math.round(half + random() * half);
}

/** Retry-After in seconds (the only form our services send), capped; undefined when absent or unreadable. */
export function retryAfterMs(header: string | string[] | undefined): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || !/^\d{1,6}$/.test(value.trim())) return undefined;
  return Math.min(Number(value.trim()) * 1_000, RETRY_AFTER_MAX_MS);
}
