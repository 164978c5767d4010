import type { NatsConnection } from './nats.ts';

export type NatsConnectionState = { isConnected(): boolean };

/**
 * Follows the connection's status events: the client reconnects by itself, and between a
 * `disconnect` and the next `reconnect` (or once it closes or drains) readiness says "not ready"
 * and a request that needs NATS is answered 503 at once instead of waiting out its timeout.
 */
export function trackNatsConnection(nc: NatsConnection): NatsConnectionState {
  let connected = true;
  void (async () => {
    for await (const status of nc.status()) {
      if (status.type === 'disconnect') connected = false;
      else if (status.type === 'reconnect') connected = true;
    }
  })().catch(() => {});
  return { isConnected: () => connected && !nc.isClosed() && !nc.isDraining() };
}
