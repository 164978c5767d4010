import { describe, expect, it } from 'vitest';
import {
  CONSUMER_RESTART_DELAY_MS_MAX,
  CONSUMER_RESTART_DELAY_MS_MIN,
  consumerRestartDelayMs,
} from '../../services/shared/src/messaging/restart-backoff.ts';

const lowest = () => 0;
const highest = () => 1;

describe('the delay before a crashed consumer is restarted', () => {
  it('Given the first restart, When the delay is drawn, Then it lies between half the minimum and the minimum', () => {
    expect(consumerRestartDelayMs(1, lowest)).toBe(CONSUMER_RESTART_DELAY_MS_MIN / 2);
    expect(consumerRestartDelayMs(1, highest)).toBe(CONSUMER_RESTART_DELAY_MS_MIN);
  });

  it('Given failed restarts in a row, When delays are drawn, Then the step doubles each time until the cap, and stays there', () => {
    const steps = [1, 2, 3, 4, 5, 6, 7, 50, 10_000].map((attempt) =>
      consumerRestartDelayMs(attempt, highest),
    );
    expect(steps).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000, 30_000]);
    expect(consumerRestartDelayMs(10_000, lowest)).toBe(CONSUMER_RESTART_DELAY_MS_MAX / 2);
  });

  it('Given two replicas that crashed together, When each draws its delay, Then the jitter spreads them (half of each step is random)', () => {
    expect(consumerRestartDelayMs(4, () => 0.1)).not.toBe(consumerRestartDelayMs(4, () => 0.9));
  });
});
