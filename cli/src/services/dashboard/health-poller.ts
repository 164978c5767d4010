import type { WalletApis } from '../api/wallet-apis.ts';
import type { ServiceReplica } from '../config/services-file.ts';
import type { DashboardStore } from './dashboard-store.ts';
import { carryOver } from './replica-health.ts';
import { probeReplica } from './replica-probe.ts';

export const HEALTH_POLL_INTERVAL_MS = 2_000;

/**
 * Asks both services' /readyz every HEALTH_POLL_INTERVAL_MS, and each replica's own /readyz when
 * `replicas` lists any (see replica-targets.ts); returns a stop function. `replicas` is called
 * every cycle so restarted replicas, and ones on a new port, are followed.
 */
export function pollHealth(
  apis: WalletApis,
  store: DashboardStore,
  replicas: () => readonly ServiceReplica[] = () => [],
): () => void {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const poll = async () => {
    const listed = replicas();
    // Shown at once (new ones as unknown): a replica that hangs holds its answer up to the probe timeout.
    store.setReplicas(carryOver(store.replicas(), listed));
    const [users, transactions, probes] = await Promise.all([
      apis.users.isReady(),
      apis.transactions.isReady(),
      Promise.all(listed.map((replica) => probeReplica(replica.url))),
    ]);
    if (stopped) return;
    store.setHealth('userService', users ? 'up' : 'down');
    store.setHealth('transactionsService', transactions ? 'up' : 'down');
    store.setReplicas(
      listed.map(({ service, name, url }, index) => ({ service, name, url, ...probes[index]! })),
    );
    timer = setTimeout(poll, HEALTH_POLL_INTERVAL_MS);
  };
  void poll();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
