export const SPINNER_FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
export const SPINNER_INTERVAL_MS = 80;

/** `update` changes the text (a progress count); it shows on the next frame. */
export type Spinner = { stop(): void; update(text: string): void };

/**
 * A one-line spinner on stderr while something waits. Only on a TTY: piped output and --json
 * stay clean. The timer is unref'd so a forgotten spinner never keeps the process alive.
 */
export function startSpinner(stream: NodeJS.WriteStream, text: string, enabled: boolean): Spinner {
  if (!enabled || !stream.isTTY) return { stop() {}, update() {} };
  let frame = 0;
  let current = text;
  const draw = () => {
    stream.write(`\r${SPINNER_FRAMES[frame % SPINNER_FRAMES.length]} ${current}\u001b[K`);
    frame += 1;
  };
  draw();
  const timer = setInterval(draw, SPINNER_INTERVAL_MS);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      stream.write('\r\u001b[K');
    },
    update(next) {
      current = next;
    },
  };
}

/** Runs `work` with a spinner shown until it settles. */
export async function withSpinner<T>(
  stream: NodeJS.WriteStream,
  text: string,
  enabled: boolean,
  work: () => Promise<T>,
): Promise<T> {
  const spinner = startSpinner(stream, text, enabled);
  try {
    return await work();
  } finally {
    spinner.stop();
  }
}
