import type { NatsConnection } from '../../../shared/src/messaging/nats.ts';

export type NatsConnectionState = { isConnected(): boolean };

/**
 * Follows the connection's status events: between a `disconnect` and the next `reconnect` the
 * service is not ready, and getBalance answers 503 at once instead of waiting out its timeout.
 */
export function watchNatsConnection(nc: NatsConnection): NatsConnectionState {
  let connected = true;
  void (async () => {
    for await (const status of nc.status()) {
      if (status.type === 'disconnect') connected = false;
      if (status.type === 'reconnect') connected = true;
    }
  })().catch(() => {});
  return { isConnected: () => connected && !nc.isClosed() && !nc.isDraining() };
}
