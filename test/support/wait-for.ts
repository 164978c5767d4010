import { setTimeout as sleep } from 'node:timers/promises';

export const WAIT_TIMEOUT_MS_DEFAULT = 20_000;
const WAIT_POLL_MS = 50;

/** Polls until `probe` returns something other than undefined, or fails naming what it waited for. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = WAIT_TIMEOUT_MS_DEFAULT,
): Promise<T> {
  const deadlineMs = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadlineMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(WAIT_POLL_MS);
  }
}
