/** How many seconds of transfers-per-second history the dashboard keeps (20 cells fit an 80-column line) (one sparkline cell each). */
export const RATE_WINDOW_SECONDS = 20;

/**
 * Counts events per wall-clock second in a ring of RATE_WINDOW_SECONDS buckets. Pure data:
 * the caller passes the time, so tests need no clock.
 */
export type TransferRate = {
  /** Counts one event at `nowMs`. */
  count(nowMs: number): void;
  /** Oldest first; the last entry is the current (still filling) second. */
  series(nowMs: number): number[];
};

export function createTransferRate(windowSeconds = RATE_WINDOW_SECONDS): TransferRate {
  const buckets = new Array<number>(windowSeconds).fill(0);
  let headSecond = 0; // the second that buckets[headSecond % windowSeconds] counts
  const advanceTo = (second: number) => {
    if (second <= headSecond) return;
    const steps = Math.min(second - headSecond, windowSeconds);
    for (let step = 1; step <= steps; step += 1) buckets[(headSecond + step) % windowSeconds] = 0;
    headSecond = second;
  };
  return {
    count(nowMs) {
      const second = Math.floor(nowMs / 1_000);
      advanceTo(second);
      if (second > headSecond - windowSeconds) buckets[second % windowSeconds]! += 1;
    },
    series(nowMs) {
      advanceTo(Math.floor(nowMs / 1_000));
      const series: number[] = [];
      for (let back = windowSeconds - 1; back >= 0; back -= 1) {
        series.push(buckets[(headSecond - back + windowSeconds * 2) % windowSeconds]!);
      }
      return series;
    },
  };
}
