/**
 * Wraps `work` so that callers who arrive while it runs share that one run instead of starting
 * another (single flight), and, with `reuseMs`, callers within that long after it settled get
 * its value without running it again. A caller that gives up waiting (a probe's timeout) leaves
 * the run in flight for the next caller to join: slow work is never piled up, only waited on.
 * A run that rejects is not reused; the next caller starts a fresh one.
 */
export function singleFlight<T>(
  work: () => Promise<T>,
  options: { reuseMs?: number } = {},
): () => Promise<T> {
  const reuseMs = options.reuseMs ?? 0;
  let inFlight: Promise<T> | undefined;
  let settled: { value: T; atMs: number } | undefined;
  return () => {
    if (settled && performance.now() - settled.atMs < reuseMs) return Promise.resolve(settled.value);
    inFlight ??= (async () => {
      try {
        const value = await work();
        settled = { value, atMs: performance.now() };
        return value;
      } finally {
        inFlight = undefined;
      }
    })();
    return inFlight;
  };
}
