import net from 'node:net';
import type { FastifyInstance } from 'fastify';

/**
 * How long a keep-alive connection that has carried no request since the shutdown began stays
 * open for its client's next request (answered, with `Connection: close`) before it is closed.
 */
export const HTTP_IDLE_GRACE_MS = 1_000;
/** After this, requests still running are cut off so a shutdown always ends. */
export const HTTP_DRAIN_TIMEOUT_MS = 10_000;

const drainingApps = new WeakSet<object>();

/**
 * From the moment a shutdown begins, every response says `Connection: close`: Node then closes
 * the socket right after that response, and the client knows not to send on it again.
 * Registered by create-http-app.ts on every app.
 */
export function markResponsesWhileDraining(app: FastifyInstance): void {
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (drainingApps.has(app)) reply.header('connection', 'close');
    done(null, payload);
  });
}

/**
 * Stops accepting and lets in-flight requests finish, without resetting a keep-alive client.
 *
 * Node's `server.close()` also closes every idle keep-alive socket at once. A client that has just
 * written its next request on such a socket then sees ECONNRESET ("socket hang up") for a request
 * the server never read. So instead: stop listening (new connections are refused), answer whatever
 * arrives on open connections normally but with `Connection: close`, and only after
 * HTTP_IDLE_GRACE_MS close the sockets that stayed idle all along. Then Fastify closes as usual.
 */
export async function closeHttp(app: FastifyInstance): Promise<void> {
  drainingApps.add(app);
  const server = app.server;
  const allClosed = new Promise<void>((resolve) => {
    // net's close, not http's: it stops listening and waits for the open connections to end.
    if (server.listening) net.Server.prototype.close.call(server, () => resolve());
    else resolve();
  });
  const idleSweep = setTimeout(() => server.closeIdleConnections(), HTTP_IDLE_GRACE_MS);
  const deadline = setTimeout(() => server.closeAllConnections(), HTTP_DRAIN_TIMEOUT_MS);
  try {
    await allClosed;
  } finally {
    clearTimeout(idleSweep);
    clearTimeout(deadline);
  }
  await app.close();
}
