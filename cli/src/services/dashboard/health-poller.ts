import type { WalletApis } from '../api/wallet-apis.ts';
import type { DashboardStore } from './dashboard-store.ts';

export const HEALTH_POLL_INTERVAL_MS = 2_000;

/** Asks both services' /readyz every HEALTH_POLL_INTERVAL_MS; returns a stop function. */
export function pollHealth(apis: WalletApis, store: DashboardStore): () => void {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const poll = async () => {
    const [users, transactions] = await Promise.all([apis.users.isReady(), apis.transactions.isReady()]);
    if (stopped) return;
    store.setHealth('userService', users ? 'up' : 'down');
    store.setHealth('transactionsService', transactions ? 'up' : 'down');
    timer = setTimeout(poll, HEALTH_POLL_INTERVAL_MS);
  };
  void poll();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
