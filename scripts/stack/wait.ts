import { setTimeout as sleep } from 'node:timers/promises';

export type WaitOptions = {
  what: string;
  timeoutMs: number;
  intervalMs?: number;
  /** Called before each try; throwing stops the wait at once (e.g. the process died). */
  check?: () => void | Promise<void>;
};

/** Retries `probe` until it resolves or the time is up; the last probe error explains a timeout. */
export async function waitUntil<T>(probe: () => Promise<T>, options: WaitOptions): Promise<T> {
  const deadlineMs = Date.now() + options.timeoutMs;
  const intervalMs = options.intervalMs ?? 250;
  let lastError: unknown;
  while (Date.now() < deadlineMs) {
    await options.check?.();
    try {
      return await probe();
    } catch (error) {
      lastError = error;
    }
    await sleep(intervalMs);
  }
  const reason = lastError instanceof Error ? lastError.message : String(lastError);
  throw new Error(`${options.what} not ready after ${options.timeoutMs} ms (last error: ${reason})`);
}
