import type { HttpApp } from './create-http-app.ts';

/** How often idle keep-alive sockets are closed while a shutdown waits for in-flight requests. */
export const HTTP_IDLE_SWEEP_MS = 50;
/** After this, requests still running are cut off so a shutdown always ends. */
export const HTTP_DRAIN_TIMEOUT_MS = 10_000;

/**
 * Stops accepting and lets in-flight requests finish. Fastify closes idle sockets only once, when
 * the close starts; a keep-alive socket whose request finishes afterwards would hold the server
 * open until its keep-alive timeout (over a minute), so idle sockets are swept until it closes.
 */
export async function closeHttp(app: HttpApp): Promise<void> {
  const closing = app.close();
  const sweep = setInterval(() => app.server.closeIdleConnections(), HTTP_IDLE_SWEEP_MS);
  const deadline = setTimeout(() => app.server.closeAllConnections(), HTTP_DRAIN_TIMEOUT_MS);
  try {
    await closing;
  } finally {
    clearInterval(sweep);
    clearTimeout(deadline);
  }
}
