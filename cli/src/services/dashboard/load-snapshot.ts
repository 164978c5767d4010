import { PAGE_LIMIT_MAX } from '../../../../services/shared/src/contracts/common.ts';
import { isCliError } from '../../cli-error.ts';
import type { WalletApis } from '../api/wallet-apis.ts';
import { DASHBOARD_ROWS_MAX, type DashboardStore } from './dashboard-store.ts';

/**
 * Fills the store from the services: every wallet page (balances) and every user page (emails),
 * side by side, page by page, so the first rows show while the rest load. Live events that
 * arrive meanwhile win over older snapshot balances (see DashboardStore.addWallets).
 */
export async function loadSnapshot(
  apis: WalletApis,
  store: DashboardStore,
  signal: AbortSignal,
): Promise<void> {
  try {
    await Promise.all([
      eachPage(
        signal,
        (cursor) => apis.transactions.listWallets({ limit: PAGE_LIMIT_MAX, ...cursor }),
        (page) => {
          store.addWallets(page.items);
          return page.items.length;
        },
      ),
      eachPage(
        signal,
        (cursor) => apis.users.listUsers({ limit: PAGE_LIMIT_MAX, ...cursor }),
        (page) => {
          store.nameUsers(page.users);
          return page.users.length;
        },
      ),
    ]);
    store.finishLoading();
  } catch (error) {
    if (signal.aborted) return;
    const reason = isCliError(error) ? `${error.code}: ${error.message}` : String(error);
    store.finishLoading(reason);
  }
}

/** Follows `nextCursor` until the end, an abort, or DASHBOARD_ROWS_MAX rows; `apply` returns the page's row count. */
async function eachPage<P extends { nextCursor: string | null }>(
  signal: AbortSignal,
  fetchPage: (cursor: { cursor?: string }) => Promise<P>,
  apply: (page: P) => number,
): Promise<void> {
  let cursor: string | undefined;
  let rows = 0;
  while (!signal.aborted) {
    const page = await fetchPage(cursor ? { cursor } : {});
    if (signal.aborted) return;
    rows += apply(page);
    if (page.nextCursor === null || rows >= DASHBOARD_ROWS_MAX) return;
    cursor = page.nextCursor;
  }
}
