import type { WalletStatus } from '../../../shared/src/contracts/transactions-api.ts';
import type { Pool } from '../../../shared/src/db/pool.ts';
import { numericToMinor } from '../../../shared/src/money.ts';

export type WalletBalances = { balanceMinor: bigint; heldMinor: bigint; status: WalletStatus };

/** Most wallets one query reads; a longer queue is read in several queries, one after another. */
export const WALLET_BALANCES_BATCH_MAX = 256;

type Waiter = {
  userId: string;
  resolve: (wallet: WalletBalances | undefined) => void;
  reject: (error: unknown) => void;
};

type BalancesRecord = { user_id: string; balance: string; held: string; status: WalletStatus };

/**
 * Reads wallets' balances for the NATS balance responder, many requests per query: requests that
 * arrive while a query runs wait for it and then share the next one (`user_id = ANY($1)`).
 * With one query in flight, busier moments make fuller batches: each getBalance costs a share of
 * a round trip to PostgreSQL instead of a whole one. A quiet responder still answers at once
 * (one turn of the event loop later). DataLoader batches per tick but sends each tick's batch at
 * once, so under steady load its batches stay small; hence these few lines.
 */
export function createWalletBalancesBatch(
  pool: Pool,
): (userId: string) => Promise<WalletBalances | undefined> {
  const queue: Waiter[] = [];
  let busy = false;

  const runBatches = async () => {
    while (queue.length > 0) {
      const batch = queue.splice(0, WALLET_BALANCES_BATCH_MAX);
      try {
        const found = await readBalances(pool, [...new Set(batch.map((waiter) => waiter.userId))]);
        for (const waiter of batch) waiter.resolve(found.get(waiter.userId));
      } catch (error) {
        for (const waiter of batch) waiter.reject(error);
      }
    }
    busy = false;
  };

  return (userId) =>
    new Promise((resolve, reject) => {
      queue.push({ userId, resolve, reject });
      if (busy) return;
      busy = true;
      // The rest of this read from NATS may hold more requests: let them join the first batch.
      setImmediate(runBatches);
    });
}

async function readBalances(pool: Pool, userIds: string[]): Promise<Map<string, WalletBalances>> {
  const { rows } = await pool.query<BalancesRecord>({
    // Prepared once per connection: PostgreSQL parses and plans it only the first time.
    name: 'wallet-balances-batch',
    text: 'SELECT user_id::text, balance::text, held::text, status FROM users WHERE user_id = ANY($1::uuid[])',
    values: [userIds],
  });
  const found = new Map<string, WalletBalances>();
  for (const row of rows) {
    found.set(row.user_id, {
      balanceMinor: numericToMinor(row.balance),
      heldMinor: numericToMinor(row.held),
      status: row.status,
    });
  }
  return found;
}
