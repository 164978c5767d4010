/** The first restart of a consumer that kafkajs gave up on waits about this long… */
export const CONSUMER_RESTART_DELAY_MS_MIN = 1_000;
/** …each failed restart in a row doubles it, up to this: a long outage is retried every ~half minute. */
export const CONSUMER_RESTART_DELAY_MS_MAX = 30_000;

/**
 * Delay before restart number `attempt` (1 for the first after a crash): capped exponential with
 * "equal jitter" (half the step fixed, half random), so replicas that lost the same broker at
 * the same moment do not come back in lockstep, and none retries at once.
 */
export function consumerRestartDelayMs(attempt: number, random: () => number = Math.random): number {
  const stepMs = Math.min(CONSUMER_RESTART_DELAY_MS_MAX, CONSUMER_RESTART_DELAY_MS_MIN * 2 ** (attempt - 1));
  return Math.round(stepMs / 2 + (random() * stepMs) / 2);
}
