import type { WalletApis } from '../api/wallet-apis.ts';
import type { DashboardStore } from './dashboard-store.ts';

/** Pending holds read per wallet: one page, newest first (a wallet with more shows its newest). */
export const HOLDS_PER_LOOKUP_MAX = 100;
/** Lookups in flight at once, so scrolling through 100,000 wallets never floods the service. */
export const HOLD_LOOKUPS_AT_ONCE_MAX = 2;
/** Wallets waiting for a lookup; past this, the oldest requests are dropped (they scrolled away). */
export const HOLD_LOOKUPS_QUEUED_MAX = 50;

export type HoldLookups = {
  /** Looks up the pending holds of these wallets, each at most once per dashboard run. */
  lookUp(userIds: readonly string[]): void;
};

/**
 * Fills the open-holds view for the wallets in view. Only wallets with money held are asked
 * (every pending hold is held on its sender), each once: afterwards hold events keep the list
 * current. So the cost follows what a person looks at, not the number of wallets.
 */
export function createHoldLookups(
  apis: WalletApis,
  store: DashboardStore,
  signal?: AbortSignal,
): HoldLookups {
  const asked = new Set<string>();
  const queue: string[] = [];
  let running = 0;
  const next = () => {
    while (running < HOLD_LOOKUPS_AT_ONCE_MAX && queue.length > 0 && !signal?.aborted) {
      const userId = queue.shift()!;
      running += 1;
      apis.transactions
        .listHolds({ userId, status: 'pending', limit: HOLDS_PER_LOOKUP_MAX })
        .then(
          (page) => {
            if (!signal?.aborted) store.addHolds(page.items);
          },
          // A lookup is a nicety: a failed one is tried again when the wallet is next in view.
          () => asked.delete(userId),
        )
        .finally(() => {
          running -= 1;
          next();
        });
    }
  };
  return {
    lookUp(userIds) {
      for (const userId of userIds) {
        if (asked.has(userId)) continue;
        asked.add(userId);
        queue.push(userId);
      }
      for (const dropped of queue.splice(0, Math.max(0, queue.length - HOLD_LOOKUPS_QUEUED_MAX))) {
        asked.delete(dropped);
      }
      next();
    },
  };
}
