/** A background job: `runOnce` on demand, and on an interval until `stop`. */
export type IntervalJob<T> = { runOnce(): Promise<T>; stop(): Promise<void> };

/**
 * Runs `work` every `intervalMs`, never two passes at once (a pass still running skips the
 * tick); a failed pass goes to `onError` and the next tick tries again. The timer does not keep
 * the process alive, and `stop` waits for the pass in flight.
 */
export function startIntervalJob<T>(options: {
  intervalMs: number;
  work: () => Promise<T>;
  onError: (error: unknown) => void;
}): IntervalJob<T> {
  let current: Promise<unknown> | undefined;
  const timer = setInterval(() => {
    if (current) return;
    current = options
      .work()
      .catch(options.onError)
      .finally(() => {
        current = undefined;
      });
  }, options.intervalMs);
  timer.unref();
  return {
    runOnce: options.work,
    async stop() {
      clearInterval(timer);
      await current;
    },
  };
}
