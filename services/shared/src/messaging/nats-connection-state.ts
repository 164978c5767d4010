import type { NatsConnection } from '../../../shared/src/messaging/nats.ts';

/**
 * Follows the NATS connection's status events: the client reconnects by itself, and readiness
 * must say "not ready" while it is away.
 */
export function trackNatsConnection(nc: NatsConnection): { isConnected(): boolean } {
  let connected = true;
  void (async () => {
    for await (const status of nc.status()) {
      if (status.type === 'disconnect') connected = false;
      else if (status.type === 'reconnect') connected = true;
    }
  })().catch(() => {});
  return { isConnected: () => connected && !nc.isClosed() };
}
