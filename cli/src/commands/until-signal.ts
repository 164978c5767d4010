export const STOP_SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/**
 * Waits for `done`, or for Ctrl-C / SIGTERM, which calls `stop` (and then `done` settles).
 * Handlers are removed afterwards so a second Ctrl-C falls back to Node's default and kills.
 */
export async function untilSignal(done: Promise<void>, stop: () => Promise<void>): Promise<void> {
  const onSignal = () => {
    for (const signal of STOP_SIGNALS) process.off(signal, onSignal);
    void stop();
  };
  for (const signal of STOP_SIGNALS) process.on(signal, onSignal);
  try {
    await done;
  } finally {
    for (const signal of STOP_SIGNALS) process.off(signal, onSignal);
  }
}
